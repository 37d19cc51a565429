"""The WPS message order: one table that both the Enrollee and the Registrar consult (h11's _state.py idea).

Everything that decides whether a message may be sent or received now lives here. The table does not know
which side we are: `SENDER` says who sends each message, and each role checks the peer's messages against it.
A run's position is the last protocol step taken; `advance()` is the only way to change it.
"""

from __future__ import annotations

from enum import Enum

from .defs import ConfigError, MsgType, members
from .errors import ProtocolError


class Role(Enum):
    ENROLLEE = "enrollee"
    REGISTRAR = "registrar"

    # Enum's own __hash__ is a Python function; members are singletons, so identity hashing is equivalent
    # and keeps the table lookups below in C.
    __hash__ = object.__hash__

    @property
    def peer(self) -> Role:
        return Role.REGISTRAR if self is Role.ENROLLEE else Role.ENROLLEE


class Step(Enum):
    """Where a run is: the last message exchanged (or a terminal state)."""

    __hash__ = object.__hash__  # as Role's: every receive() looks steps up in TRANSITIONS and TERMINAL

    START = "start"
    M1 = "M1"
    M2 = "M2"
    M2D = "M2D"
    M2D_ACKED = "M2D acknowledged"  # the enrollee may still get an M2 from another registrar
    M3 = "M3"
    M4 = "M4"
    M5 = "M5"
    M6 = "M6"
    M7 = "M7"
    M8 = "M8"
    DONE = "WSC_Done"
    FINISHED = "finished"
    FAILED = "failed"


M = members(MsgType)
SENDER: dict[MsgType, Role] = {
    M.M1: Role.ENROLLEE, M.M3: Role.ENROLLEE, M.M5: Role.ENROLLEE, M.M7: Role.ENROLLEE,
    M.M2: Role.REGISTRAR, M.M2D: Role.REGISTRAR, M.M4: Role.REGISTRAR, M.M6: Role.REGISTRAR,
    M.M8: Role.REGISTRAR, M.WSC_DONE: Role.ENROLLEE,
}

# (step, message) -> next step. WSC_ACK and WSC_NACK are sent by either side, so they are keyed only here.
TRANSITIONS: dict[tuple[Step, MsgType], Step] = {
    (Step.START, M.M1): Step.M1,
    (Step.M1, M.M2): Step.M2,
    (Step.M1, M.M2D): Step.M2D,
    (Step.M2D, M.WSC_ACK): Step.M2D_ACKED,
    (Step.M2D_ACKED, M.M2): Step.M2,
    (Step.M2D_ACKED, M.M2D): Step.M2D,
    (Step.M2, M.M3): Step.M3,
    (Step.M3, M.M4): Step.M4,
    (Step.M4, M.M5): Step.M5,
    (Step.M5, M.M6): Step.M6,
    (Step.M6, M.M7): Step.M7,
    (Step.M7, M.M8): Step.M8,
    (Step.M8, M.WSC_DONE): Step.DONE,
    # Only an AP enrollee waits for this ACK; a station enrollee's run ends at WSC_Done (then EAP-Failure).
    (Step.DONE, M.WSC_ACK): Step.FINISHED,
}
TERMINAL = frozenset({Step.FINISHED, Step.FAILED})

# The message that a WSC_NACK in a given step answers, for WPS-FAIL's msg= field: hostap reports the last
# message the NACKing side received (a NACK while we wait for M4 means our M3 was refused).
NACKED_MESSAGE: dict[Step, MsgType] = {
    Step.M1: M.M1, Step.M2: M.M2, Step.M2D: M.M2D, Step.M2D_ACKED: M.M2D, Step.M3: M.M3, Step.M4: M.M4,
    Step.M5: M.M5, Step.M6: M.M6, Step.M7: M.M7, Step.M8: M.M8, Step.DONE: M.WSC_DONE,
}


def advance(step: Step, msg: MsgType, sender: Role) -> Step:
    """The step after `sender` sends `msg` in `step`; ProtocolError if the table has no such move."""
    if step in TERMINAL:
        raise ProtocolError(f"{msg.name} after the run ended ({step.value})")
    if msg is M.WSC_NACK:
        return Step.FAILED
    expected = SENDER.get(msg)
    if expected is not None and expected is not sender:
        raise ProtocolError(f"{msg.name} cannot come from the {sender.value}")
    try:
        return TRANSITIONS[(step, msg)]
    except KeyError:
        raise ProtocolError(f"unexpected {msg.name} after {step.value}", ConfigError.NO_ERROR) from None


def expected_from(step: Step, sender: Role) -> list[MsgType]:
    """The messages `sender` may send now (for error messages and tests)."""
    return [m for (s, m) in TRANSITIONS if s is step and SENDER.get(m, sender) is sender]
