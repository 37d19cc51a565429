"""One WPS run's policy, sans-IO: walk time, EAPOL-Start retries, retries after an attempt without an outcome,
the link it needs, and the EAP peer that does the protocol.

Everything that changes the run's state is here, in one table (h11's rule). The run owns no socket and no clock:
the caller feeds it frames, link news and `now`, carries out its actions (`next_action()`: send frames, ask the
station for a link or give it back) and arms one timer at `get_timer()`, calling `handle_timer(now)` when it is
due (aioquic's shape). Events (`next_event()`) are the core's, passed through in order, and the run's own.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field, replace
from enum import Enum, auto

from ..driver.base import PAE_GROUP_ADDR, mac_str
from ..runevents import PbcOverlapDetected, RunEnded, RunTimedOut
from ..wps.defs import WALK_TIME, DevicePasswordId, EncrType
from ..wps.device import DeviceInfo, rf_band_of
from ..wps.eap import (
    DEFAULT_FRAGMENT_SIZE,
    IDENTITY_ENROLLEE,
    IDENTITY_REGISTRAR,
    EapFailureReceived,
    EapMethodRefused,
    EapPeer,
    EapStarted,
)
from ..wps.enrollee import Enrollee, EnrolleeConfig
from ..wps.events import Failure, Success
from ..wps.registrar import Registrar, RegistrarConfig
from .early import EarlyFrame
from .types import RunKind, RunRequest

log = logging.getLogger("pywps.run")

EAPOL_START_INTERVAL = 5.0  # seconds between EAPOL-Starts while no authenticator answers
RETRY_DELAY = 5.0  # wired: after an attempt that ended without an outcome (M2D, the AP gave up), as wpa_supplicant
# Wireless: the link of such an attempt is left and the scan for the next association starts at once, as
# wpas_wps_eapol_cb asks for it (the scan is the pause); after a failure to find or join an AP, RETRY_DELAY.
RELINK_DELAY = 0.0
HELD_PERIOD = 60.0  # an IEEE8021X network's EAPOL after a failure: IEEE 802.1X heldPeriod, wpa_supplicant's default
# The first EAPOL-Start of a configured network, and of every run on a new association, waits for the
# authenticator to begin, as wpa_supplicant's SUPP_PAE CONNECTING does (startWhen, in 1-s ticks: an AP starts EAP
# at once after an association and an EAPOL-Start then only restarts it, one more Identity round trip). 1 tick
# for key_mgmt=WPS unless the AP's WPS IE says WSC 2.0 (such an AP must begin itself), 2 otherwise.
START_WHEN_WPS = 1.0
START_WHEN = 2.0
FINISH_WAIT = 2.0  # after success, how long the AP's closing EAP-Failure may take before we end the run anyway
# After WPS-FAIL, wpa_supplicant lets the run finish (the NACK out, the AP's EAP-Failure in) and removes its network
# this much later, whatever came (wpas_wps_clear_timeout): the run ends then at the latest. (asyncio handles a
# frame that came in time before a timer due in the same turn: a busy loop does not lose the EAP-Failure.)
CLEAR_WAIT = 0.1
# An EAP-Failure in time sends wpa_supplicant looking for the next AP: its scan starts within a millisecond (the
# trigger is synchronous), before that removal. Ours awaits the kernel (70 ms in a TCG VM, more under load), and
# the end waits for its answer, at most this long after the EAP-Failure (a scan that never starts must not keep
# the run's network). An EAP-Failure too late finds the run ended, as wpa_supplicant's finds no network to scan for.
SCAN_START_WAIT = 1.0


class RunState(Enum):
    LINKING = auto()  # wireless: the station is finding and joining an AP
    STARTING = auto()  # EAPOL-Start sent, no EAP-Request yet
    EXCHANGING = auto()  # EAP-WSC under way
    FINISHING = auto()  # the registration has its outcome; waiting for the authenticator's closing EAP-Failure
    # Wireless, a PIN enrollee run's EAP-Failure after its failure: wpas_wps_eapol_cb goes on to find an AP (the
    # link left, a scan asked for), until the run's end CLEAR_WAIT after the failure, once that scan has begun
    CLEARING = auto()
    PAUSED = auto()  # an attempt ended without an outcome: a new one after RETRY_DELAY
    ENDED = auto()


class RunInput(Enum):
    LINK_UP = auto()
    LINK_FAILED = auto()  # finding or joining an AP failed in an unexpected way
    LINK_LOST = auto()
    OVERLAP = auto()
    EAP_STARTED = auto()
    SUCCEEDED = auto()
    FAILED = auto()
    METHOD_REFUSED = auto()  # EAP-WSC was proposed but could not start with our settings: Nak sent
    NO_OUTCOME = auto()  # EAP-Failure before any outcome
    EAP_DONE = auto()  # EAP-Failure after success: the normal end
    TRY_ON = auto()  # EAP-Failure after a PIN enrollee's failure, on a radio: look for another AP (CLEARING)
    START_TIMER = auto()  # EAPOL-Start went unanswered: send another
    RETRY = auto()  # wired: a new attempt on the same link
    RELINK = auto()  # wireless: a new attempt starts with a new association
    FINISH_TIMER = auto()
    WALK_TIMEOUT = auto()
    CANCEL = auto()


class Timer(Enum):
    WALK = auto()
    EAPOL_START = auto()
    RETRY = auto()
    FINISH = auto()


S, I = RunState, RunInput
_ENDS = {I.WALK_TIMEOUT: S.ENDED, I.CANCEL: S.ENDED}
# Every legal move at once; an input not listed for a state is ignored (a stale timer, a frame after the end).
TRANSITIONS: dict[RunState, dict[RunInput, RunState]] = {
    S.LINKING: {I.LINK_UP: S.STARTING, I.OVERLAP: S.ENDED, I.LINK_FAILED: S.PAUSED, **_ENDS},
    S.STARTING: {I.EAP_STARTED: S.EXCHANGING, I.START_TIMER: S.STARTING, I.LINK_LOST: S.PAUSED, **_ENDS},
    S.EXCHANGING: {I.SUCCEEDED: S.FINISHING, I.FAILED: S.FINISHING, I.METHOD_REFUSED: S.FINISHING,
                   I.NO_OUTCOME: S.PAUSED, I.LINK_LOST: S.PAUSED, **_ENDS},
    S.FINISHING: {I.EAP_DONE: S.ENDED, I.TRY_ON: S.CLEARING, I.LINK_LOST: S.ENDED, I.FINISH_TIMER: S.ENDED,
                  I.WALK_TIMEOUT: S.ENDED, I.CANCEL: S.ENDED},
    S.CLEARING: {I.FINISH_TIMER: S.ENDED, I.WALK_TIMEOUT: S.ENDED, I.CANCEL: S.ENDED},
    S.PAUSED: {I.RETRY: S.STARTING, I.RELINK: S.LINKING, I.LINK_LOST: S.PAUSED, **_ENDS},
    S.ENDED: {},
}


# -- what the run asks its caller to do ---------------------------------------------------------------------


@dataclass
class SendFrames:
    dst: bytes
    frames: list[bytes] = field(repr=False)


@dataclass
class RequestLink:
    """Wireless: scan, pick an AP for this request and associate; answer with link_up(), overlap() or
    link_lost()."""

    request: RunRequest


@dataclass
class ReleaseLink:
    """Wireless: leave the AP of this run."""


@dataclass
class ScanForNext:
    """Wireless: scan every channel for the run's next AP (its probe requests say the run); the run may end
    before the results come, which are then chosen from as any scan's."""

    request: RunRequest


RunAction = SendFrames | RequestLink | ReleaseLink | ScanForNext


class WpsRun:
    def __init__(self, request: RunRequest, device: DeviceInfo, now: float, *, wireless: bool,
                 walk_time: float | None = WALK_TIME, fragment_size: int = DEFAULT_FRAGMENT_SIZE,
                 eapol_version: int = 1) -> None:
        """`walk_time` None: no walk time (a configured eap=WSC network runs while it is selected)."""
        self.request = request
        self.device = device
        self.wireless = wireless
        self.fragment_size = fragment_size
        self.eapol_version = eapol_version
        self.deadline = now + walk_time if walk_time is not None else None
        self.state = RunState.LINKING if wireless else RunState.STARTING
        self.authenticator: bytes | None = request.bssid
        self.freq: int | None = None  # the channel of the run's association (wpa_supplicant's assoc_freq)
        self.succeeded = False
        self.failed = False  # the run has its outcome: a failure (WPS-FAIL said, or the method refused to start)
        self._wsc_failed = False  # WPS-FAIL said: the run ends CLEAR_WAIT later, unless network_replaced
        self._clear_at: float | None = None  # CLEARING: when the run ends once its scan for the next AP has begun
        settings = request.new_settings
        # WSC 2.0 forbids WEP: hostap's method does not start with WEP settings (a testing-only option there)
        wep = settings is not None and bool(settings.encr_type & EncrType.WEP)
        self.refusal = request.refusal or ("new settings with WEP (WSC 2.0 prohibits WEP)" if wep else None)
        self.attempts = 0
        self.start_when = 0.0  # on a new association: how long the authenticator has to begin before our start
        self._early: EarlyFrame | None = None  # the last frame received while linking (station/early.py)
        self.peer: EapPeer | None = None
        self._due: dict[Timer, float] = {Timer.WALK: self.deadline} if self.deadline is not None else {}
        self._actions: deque[RunAction] = deque()
        self._events: deque[object] = deque()
        if wireless:
            self._actions.append(RequestLink(request))
        elif request.network_id is not None:
            self._new_attempt(now, START_WHEN_WPS if request.key_mgmt_wps else START_WHEN)
        else:
            self._new_attempt(now)

    # -- what the caller reads ---------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self.state is RunState.ENDED

    @property
    def eap_active(self) -> bool:
        """EAP is running on the port (STATUS says ASSOCIATED then)."""
        return self.state in (RunState.EXCHANGING, RunState.FINISHING)

    def remaining(self, now: float) -> float:
        """Walk time left; 0 for a run without one."""
        return max(0.0, self.deadline - now) if self.deadline is not None else 0.0

    def next_action(self) -> RunAction | None:
        return self._actions.popleft() if self._actions else None

    def next_event(self) -> object | None:
        return self._events.popleft() if self._events else None

    def get_timer(self) -> float | None:
        return min(self._due.values()) if self._due else None

    # -- inputs --------------------------------------------------------------------------------------------

    def handle_timer(self, now: float) -> None:
        for timer, when in sorted(self._due.items(), key=lambda item: item[1]):
            if when <= now and self._due.get(timer) == when:
                del self._due[timer]
                self._fire(self._timer_input(timer), now)

    def _timer_input(self, timer: Timer) -> RunInput:
        if timer is Timer.RETRY:
            return RunInput.RELINK if self.wireless else RunInput.RETRY
        return {Timer.WALK: RunInput.WALK_TIMEOUT, Timer.EAPOL_START: RunInput.START_TIMER,
                Timer.FINISH: RunInput.FINISH_TIMER}[timer]

    def link_up(self, authenticator: bytes, freq: int | None, now: float, wsc2_ap: bool = False,
                own_addr: bytes | None = None) -> None:
        """Associated with `authenticator` on `freq` MHz: M1 names that band, as wpa_supplicant's does, and
        `own_addr`, the address the link took (mac_addr's random one: wpas_wps_update_mac_addr). The
        EAPOL-Start waits for the AP to begin EAP (`wsc2_ap`: its WPS IE says WSC 2.0), see START_WHEN_WPS."""
        if self.state is not RunState.LINKING:
            return
        band = rf_band_of(freq)
        if band is not None:
            self.device = replace(self.device, rf_bands=band)
        if own_addr is not None:
            self.device = replace(self.device, mac_address=own_addr)
        self.authenticator = authenticator
        self.freq = freq
        self.start_when = START_WHEN_WPS if self.request.key_mgmt_wps and not wsc2_ap else START_WHEN
        early, self._early = self._early, None
        if self._fire(RunInput.LINK_UP, now) and early is not None and early.usable(authenticator, now):
            self.receive(early.src, early.pdu, now)

    def link_lost(self, now: float) -> None:
        """The AP (or the kernel) ended the association the run was using."""
        self._fire(RunInput.LINK_LOST, now)

    def link_failed(self, now: float) -> None:
        """The station could not find or join an AP for an unexpected reason: pause, then try again."""
        self._fire(RunInput.LINK_FAILED, now)

    def overlap(self, now: float) -> None:
        self._fire(RunInput.OVERLAP, now)

    def cancel(self, now: float) -> None:
        self._fire(RunInput.CANCEL, now)

    def receive(self, src: bytes, pdu: bytes, now: float) -> None:
        """An EAP frame from the link (EAPOL-Key frames never come here)."""
        if self.state is RunState.LINKING:
            self._early = EarlyFrame(src, pdu, now)  # perhaps the AP's first, ahead of the association event
            return
        if self.peer is None or self.state not in (RunState.STARTING, RunState.EXCHANGING, RunState.FINISHING):
            return
        if self.authenticator is not None and src != self.authenticator and self._bound_to_authenticator():
            log.debug("ignoring EAPOL from %s: not our authenticator", mac_str(src))
            return
        self.authenticator = src
        self.peer.receive(pdu)
        self._flush()
        outcome: RunInput | None = None
        while (event := self.peer.next_event()) is not None:
            self._events.append(event)
            if isinstance(event, EapStarted):
                self._fire(RunInput.EAP_STARTED, now)
            elif isinstance(event, Success):
                self.succeeded = True
                outcome = RunInput.SUCCEEDED
            elif isinstance(event, Failure):
                self.failed = self._wsc_failed = True
                outcome = outcome or RunInput.FAILED
            elif isinstance(event, EapMethodRefused):
                log.warning("the WSC method cannot start: %s", event.why)
                if self.request.key_mgmt_wps:  # a WPS run fails here; an 802.1X network waits out its held period
                    self.failed = True
                    outcome = outcome or RunInput.METHOD_REFUSED
            elif isinstance(event, EapFailureReceived):
                done = self.succeeded or self.failed
                outcome = RunInput.EAP_DONE if done else (outcome or RunInput.NO_OUTCOME)
                if outcome is RunInput.EAP_DONE and self._tries_on():
                    outcome = RunInput.TRY_ON
        if outcome in (RunInput.EAP_DONE, RunInput.TRY_ON) and self.state is RunState.EXCHANGING:
            # the outcome and the closing EAP-Failure in one batch
            self._fire(RunInput.SUCCEEDED if self.succeeded else RunInput.FAILED, now)
        if outcome is not None:
            self._fire(outcome, now)

    def network_replaced(self, now: float) -> None:
        """The run's network now holds the credential it received (or was merged into another's): no WPS network
        is left for wpa_supplicant's clear after WPS-FAIL to remove. A WPS_REG run that learnt the AP's settings
        fails at M7 after them; it lasts until the AP's EAP-Failure, whose bare WPS-FAIL and join of the stored
        network follow (wpas_wps_eapol_cb), as a success's does: FINISH_WAIT, not CLEAR_WAIT."""
        if self.state is RunState.FINISHING and self.failed:
            self._due[Timer.FINISH] = now + FINISH_WAIT

    def next_scan_begun(self, now: float) -> None:
        """CLEARING: the kernel answered the trigger of the scan ScanForNext asked for (it began, or it failed to):
        the run ends at its clearing time, or now if that has passed."""
        if self.state is RunState.CLEARING and self._clear_at is not None:
            self._due[Timer.FINISH] = max(self._clear_at, now)
            self._clear_at = None

    def _tries_on(self) -> bool:
        """wpas_wps_eapol_cb: a PIN enrollee's EAP-Failure without success, on a radio, sends it looking for
        another AP, even after WPS-FAIL (a failed method is not WPS-FAIL: that run ends)."""
        return self.wireless and self.request.keeps_trying and not self.succeeded and self._wsc_failed

    def _bound_to_authenticator(self) -> bool:
        """A run for a given BSSID talks only to it, and any run only to the authenticator that answered
        first; the PAE group address (what wpa_cli users give on a wire) names no authenticator."""
        named = self.request.bssid is not None and self.request.bssid != PAE_GROUP_ADDR
        return named or (self.peer is not None and self.peer.started)

    # -- the table -----------------------------------------------------------------------------------------

    def _fire(self, what: RunInput, now: float) -> bool:
        new = TRANSITIONS[self.state].get(what)
        if new is None:
            log.debug("run: %s ignored in %s", what.name, self.state.name)
            return False
        old, self.state = self.state, new
        self._enter(old, what, now)
        return True

    def _enter(self, old: RunState, what: RunInput, now: float) -> None:
        """The actions and timers that come with a move; the move itself is the table's."""
        state = self.state
        finish = self._due.get(Timer.FINISH)
        for timer in (Timer.EAPOL_START, Timer.RETRY, Timer.FINISH):
            self._due.pop(timer, None)
        if state is RunState.LINKING:  # again, after a pause: perhaps another AP this time
            if self.request.bssid is None:
                self.authenticator = None
            self._actions.append(RequestLink(self.request))
        elif state is RunState.STARTING:
            if old is RunState.LINKING:  # a new association: the AP begins EAP itself, or our start follows
                self._new_attempt(now, self.start_when)
            else:
                self._send_start(now)
        elif state is RunState.FINISHING:
            self._due[Timer.FINISH] = now + (CLEAR_WAIT if what is RunInput.FAILED else FINISH_WAIT)
        elif state is RunState.CLEARING:
            self._clear_at = finish if finish is not None else now + CLEAR_WAIT  # where the failure put it
            self._due[Timer.FINISH] = max(self._clear_at, now + SCAN_START_WAIT)  # next_scan_begun brings it back
            self._actions.append(ReleaseLink())
            self._actions.append(ScanForNext(self.request))
        elif state is RunState.PAUSED:
            if not self.request.key_mgmt_wps:
                delay = HELD_PERIOD
            else:
                delay = RELINK_DELAY if self.wireless and old is not RunState.LINKING else RETRY_DELAY
            self._due[Timer.RETRY] = now + delay
            if self.wireless and old is not RunState.LINKING:
                self._actions.append(ReleaseLink())  # the AP drops us after its EAP-Failure anyway
        elif state is RunState.ENDED:
            self._end(old, what)

    def _send_start(self, now: float) -> None:
        """EAPOL-Start: again on the current conversation while nobody answered it, else on a new one."""
        if self.peer is None or self.peer.started or self.peer.finished:
            self._new_attempt(now)
            return
        self.peer.start()
        self._flush()
        self._due[Timer.EAPOL_START] = now + EAPOL_START_INTERVAL

    def _new_attempt(self, now: float, start_when: float = 0.0) -> None:
        """A fresh EAP conversation: a new session (fresh nonces and keys) and an EAPOL-Start, `start_when`
        seconds from now if the authenticator has not begun by then."""
        self.attempts += 1
        identity = self.request.identity
        if identity is None:
            identity = (IDENTITY_REGISTRAR if self.request.kind is RunKind.REG else IDENTITY_ENROLLEE).encode()
        session = self._new_session() if self.refusal is None else None
        self.peer = EapPeer(session, identity, fragment_size=self.fragment_size, eapol_version=self.eapol_version,
                            refusal=self.refusal or "")
        if start_when > 0:
            self._due[Timer.EAPOL_START] = now + start_when
        else:
            self._send_start(now)

    def _new_session(self) -> Enrollee | Registrar:
        req = self.request
        if req.kind is RunKind.REG:
            return Registrar(RegistrarConfig(self.device, req.pin.encode(), enrollee_is_ap=True,
                                             new_ap_settings=req.new_settings))
        if req.kind is RunKind.PBC:
            return Enrollee(EnrolleeConfig.pbc(self.device, multi_ap_backhaul_sta=req.multi_ap))
        return Enrollee(EnrolleeConfig(self.device, req.pin.encode(), req.dev_password_id or DevicePasswordId.DEFAULT,
                                       multi_ap_backhaul_sta=req.multi_ap))

    def _end(self, old: RunState, what: RunInput) -> None:
        self._due.clear()
        if what is RunInput.CANCEL and self.peer is not None and self.peer.started and not self.peer.finished:
            self.peer.logoff()  # tell the authenticator, so its port does not wait for us
            self._flush()
        if what is RunInput.WALK_TIMEOUT and not (self.succeeded or self.failed):
            self._events.append(RunTimedOut())
        elif what is RunInput.OVERLAP:
            self._events.append(PbcOverlapDetected())
        leaves_link = self.wireless and old not in (RunState.LINKING, RunState.CLEARING)
        if leaves_link:
            self._actions.append(ReleaseLink())
        self._events.append(RunEnded(self.succeeded, leaves_link))

    def _flush(self) -> None:
        assert self.peer is not None
        frames = self.peer.frames_to_send()
        if frames:
            # On a wire every frame goes to the PAE group address, as wpa_supplicant's wired driver sends them
            # (its "BSSID" there), even once an authenticator has answered: a bridge does not forward that
            # address, so EAPOL stays on its link. Which authenticator we listen to is receive()'s business.
            dst = (self.authenticator or PAE_GROUP_ADDR) if self.wireless else PAE_GROUP_ADDR
            self._actions.append(SendFrames(dst, frames))
