"""What the Enrollee and the Registrar share: keys, the Authenticator chain, NACKs, failure events.

A session takes one reassembled WSC message at a time (`receive(op, body)`) and returns the reply to send,
if any; events queue up for `next_event()`. No I/O, no clock: the EAP layer and the daemon drive it.
"""

from __future__ import annotations

import hmac
from collections import deque
from typing import ClassVar, NamedTuple

from .attributes import build_attr, parse_attrs
from .crypto import (
    DhKeyPair,
    RandomSource,
    SessionKeys,
    authenticator,
    decrypt_settings,
    default_random,
    encrypt_settings,
)
from .defs import AttrType, ConfigError, ErrorIndication, MsgType, WscOpCode, members
from .errors import ParseError, ProtocolError
from .events import Failure, MessageDropped, WpsEvent
from .messages import MalformedMessage, Message, build_closing, read_message
from .protocol import NACKED_MESSAGE, TERMINAL, Role, Step, advance

A = members(AttrType)  # the members, without EnumType's slow attribute lookup
M = members(MsgType)
S = members(Step)
Op = members(WscOpCode)

# Which EAP-WSC op-code carries which message type.
OPCODE_OF: dict[MsgType, WscOpCode] = {M.WSC_ACK: Op.ACK, M.WSC_NACK: Op.NACK, M.WSC_DONE: Op.DONE}


def opcode_for(msg_type: MsgType) -> WscOpCode:
    return OPCODE_OF.get(msg_type, Op.MSG)


class Outgoing(NamedTuple):
    """One WSC message for the EAP layer to send (a tuple: immutable and cheap to build)."""

    op: WscOpCode
    body: bytes
    msg_type: MsgType


class RegistrationSession:
    role: Role
    peer_role: Role  # role.peer, kept as a class attribute: receive() needs it for every message

    def __init__(self, rng: RandomSource | None = None) -> None:
        self._rng = rng
        self.random: RandomSource = rng or default_random
        self.step = S.START
        self.enrollee_nonce = b""
        self.registrar_nonce = b""
        self.dh: DhKeyPair | None = None
        self.peer_public_key = b""
        self.keys: SessionKeys | None = None
        self._last_sent = b""
        self._last_received = b""
        self._events: deque[WpsEvent] = deque()

    # -- public surface -------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.step in TERMINAL

    @property
    def failed(self) -> bool:
        return self.step is S.FAILED

    def next_event(self) -> WpsEvent | None:
        return self._events.popleft() if self._events else None

    def receive(self, op: WscOpCode, body: bytes) -> Outgoing | None:
        """Process one whole WSC message from the peer; return the reply to send (None: send nothing)."""
        if self.step in TERMINAL:
            self._events.append(MessageDropped(f"{op.name} after the run ended"))
            return None
        try:
            msg = read_message(body)
        except ParseError as e:
            # Unreadable bytes could be noise or forgery: drop them and let the peer retransmit.
            self._events.append(MessageDropped(f"unreadable message: {e}"))
            return None
        except MalformedMessage as e:
            return self.fail(e.msg_type, e.config_error, str(e), e.reason)
        msg_type = msg.type
        if OPCODE_OF.get(msg_type, Op.MSG) is not op:
            self._events.append(MessageDropped(f"{msg_type.name} in an op-code {op.name} frame"))
            return None
        if msg_type is M.WSC_NACK:
            return self._on_nack(msg)
        try:
            self.step = advance(self.step, msg_type, self.peer_role)
            return self.handle(msg)
        except ProtocolError as e:
            return self.fail(msg.type, e.config_error, str(e), e.reason)
        except ParseError as e:  # inside an authenticated message: the peer is broken, not noise
            return self.fail(msg.type, ConfigError.NO_ERROR, str(e))

    # -- for the roles --------------------------------------------------------------------------------

    # The role's handler of each message it may receive, by message type: {MsgType: method name}.
    HANDLERS: ClassVar[dict[MsgType, str]] = {}

    def handle(self, msg: Message) -> Outgoing | None:
        return getattr(self, self.HANDLERS[msg.type])(msg)

    def emit(self, event: WpsEvent) -> None:
        self._events.append(event)

    def new_nonce(self) -> bytes:
        return self.random(16)

    def new_dh(self) -> DhKeyPair:
        self.dh = DhKeyPair.generate(self._rng)
        return self.dh

    def send(self, msg_type: MsgType, body: bytes) -> Outgoing:
        """Advance the table for our own message, append the Authenticator where keys exist, remember it."""
        self.step = advance(self.step, msg_type, self.role) if msg_type is not M.WSC_NACK else S.FAILED
        op = OPCODE_OF.get(msg_type, Op.MSG)
        if op is Op.MSG:
            if self.keys is not None:
                body += build_attr(A.AUTHENTICATOR, authenticator(self.keys.auth, self._last_received, body))
            self._last_sent = body
        return Outgoing(op, body, msg_type)

    def accept(self, msg: Message) -> None:
        """Remember a received message whose checks passed: the next Authenticator we send covers it."""
        self._last_received = msg.raw

    def check_nonce(self, msg: Message, attr: int, expected: bytes) -> None:
        if not hmac.compare_digest(msg.attrs.require(attr), expected):
            raise ProtocolError(f"{msg.type.name} does not echo our {AttrType(attr).name}")

    def check_authenticator(self, msg: Message) -> None:
        assert self.keys is not None
        expected = authenticator(self.keys.auth, self._last_sent, msg.raw[:-12])
        if not hmac.compare_digest(msg.attrs.require(A.AUTHENTICATOR), expected):
            raise ProtocolError(f"{msg.type.name} Authenticator mismatch")

    def encrypt(self, settings: bytes) -> bytes:
        assert self.keys is not None
        return encrypt_settings(self.keys, settings, self._rng)

    def decrypt(self, msg: Message) -> bytes:
        assert self.keys is not None
        return decrypt_settings(self.keys, msg.attrs.require(A.ENCR_SETTINGS))

    def decrypt_attrs(self, msg: Message):
        return parse_attrs(self.decrypt(msg), nested_in=A.ENCR_SETTINGS)

    def fail(
        self,
        msg: MsgType,
        config_error: ConfigError | int,
        description: str,
        reason: ErrorIndication = ErrorIndication.NONE,
    ) -> Outgoing | None:
        """End the run: queue Failure and answer with WSC_NACK (when we know the nonces to put in it)."""
        self.emit(Failure(msg, config_error, reason, description))
        return self.nack(config_error)

    def nack(self, config_error: ConfigError | int) -> Outgoing | None:
        self.step = S.FAILED
        if not self.enrollee_nonce:
            return None  # nothing identifies the run to the peer yet
        body = build_closing(M.WSC_NACK, self.enrollee_nonce, self.registrar_nonce or bytes(16), config_error)
        return Outgoing(Op.NACK, body, M.WSC_NACK)

    def _on_nack(self, msg: Message) -> Outgoing | None:
        # A NACK must name this run: a forged one from a bystander is ignored.
        if msg.attrs.require(A.ENROLLEE_NONCE) != self.enrollee_nonce or (
            self.registrar_nonce and msg.attrs.require(A.REGISTRAR_NONCE) != self.registrar_nonce
        ):
            self._events.append(MessageDropped("WSC_NACK with foreign nonces"))
            return None
        config_error = msg.attrs.require_int(A.CONFIG_ERROR)
        failed_msg = NACKED_MESSAGE.get(self.step, M.M1)
        self.emit(Failure(failed_msg, config_error, ErrorIndication.NONE, f"peer sent WSC_NACK (config error {config_error})"))
        return self.nack(config_error)
