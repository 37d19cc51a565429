"""One WPS run on one link: the asyncio glue between a driver and the sans-IO EAP peer and WPS session.

The daemon creates a `WpsRun` per WPS_PIN / WPS_PBC / WPS_REG, feeds it the driver's EAPOL frames and gets
typed events back through one callback. Walk time and EAPOL-Start retries are the run's timers; every
protocol decision stays in pywps.wps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from .driver.base import PAE_GROUP_ADDR, Driver, mac_str
from .wps.credential import Credential
from .wps.defs import WALK_TIME, DevicePasswordId
from .wps.device import DeviceInfo
from .wps.eap import IDENTITY_ENROLLEE, IDENTITY_REGISTRAR, EapFailureReceived, EapPeer, EapStarted
from .wps.enrollee import Enrollee, EnrolleeConfig
from .wps.events import Failure, MessageDropped, Success, WpsEvent
from .wps.registrar import Registrar, RegistrarConfig

log = logging.getLogger("pywps.run")

EAPOL_START_INTERVAL = 5.0  # seconds between EAPOL-Starts while no authenticator answers


class RunKind(Enum):
    PIN = "pin"
    PBC = "pbc"
    REG = "reg"


@dataclass(frozen=True)
class RunRequest:
    kind: RunKind
    bssid: bytes | None = None  # None: any authenticator
    pin: str | None = None
    new_settings: Credential | None = None  # WPS_REG: configure the AP instead of only learning


@dataclass(frozen=True)
class RunTimedOut(WpsEvent):
    """Walk time ran out (WPS-TIMEOUT)."""


@dataclass(frozen=True)
class PbcOverlapDetected(WpsEvent):
    """Two registrars in push-button mode: the run ends without registering (WPS-OVERLAP-DETECTED)."""


@dataclass(frozen=True)
class RunEnded(WpsEvent):
    """The run is over (after its last event): the daemon may start another."""

    succeeded: bool


class PbcOverlap(Exception):
    """More than one AP has a push-button registrar active: WSC forbids choosing (raised by `RunLink.attach`)."""


@dataclass(frozen=True)
class RunLink:
    """How a run gets its link on a wireless interface: `attach` scans and associates, returning the AP's
    BSSID (or raising PbcOverlap); `detach` leaves. Wired runs have none."""

    attach: Callable[[RunRequest], Awaitable[bytes]]
    detach: Callable[[], Awaitable[None]]


class WpsRun:
    def __init__(
        self,
        request: RunRequest,
        device: DeviceInfo,
        driver: Driver,
        on_event: Callable[[WpsEvent, WpsRun], None],
        walk_time: float = WALK_TIME,
        fragment_size: int = 1398,
        link: RunLink | None = None,
    ) -> None:
        self.request = request
        self.device = device
        self.driver = driver
        self.on_event = on_event
        self.walk_time = walk_time
        self.fragment_size = fragment_size
        self.link = link
        self._attaching: asyncio.Task | None = None
        self.authenticator: bytes | None = request.bssid
        self.succeeded = False
        self.active = False
        self.attempts = 0
        self.peer: EapPeer | None = None
        self._timers: list[asyncio.TimerHandle] = []
        self._start_timer: asyncio.TimerHandle | None = None
        self._loop = asyncio.get_running_loop()
        self.deadline = self._loop.time() + walk_time

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        self.active = True
        self._timers.append(self._loop.call_at(self.deadline, self._on_walk_timeout))
        if self.link is None:
            self._new_attempt()
        else:
            self._attaching = self._loop.create_task(self._attach_and_start())

    async def _attach_and_start(self) -> None:
        """Wireless: find and join an AP first; the EAP conversation starts on association."""
        assert self.link is not None
        try:
            self.authenticator = await self.link.attach(self.request)
        except asyncio.CancelledError:
            return
        except PbcOverlap:
            if self.active:
                self._stop()
                self.on_event(PbcOverlapDetected(), self)
                self.on_event(RunEnded(False), self)
            return
        if self.active:
            self._new_attempt()

    def cancel(self) -> None:
        """Stop without an event (WPS_CANCEL, or a new run replacing this one)."""
        self._stop()

    def remaining(self) -> float:
        return max(0.0, self.deadline - self._loop.time())

    def _stop(self) -> None:
        if self.active and self.peer is not None and self.peer.started and not self.peer.finished:
            self.peer.logoff()  # tell the authenticator, so its port does not wait for us
            self._flush()
        was_active, self.active = self.active, False
        for t in self._timers:
            t.cancel()
        if self._start_timer:
            self._start_timer.cancel()
        if self._attaching is not None:
            self._attaching.cancel()
        if self.link is not None and was_active:
            self._loop.create_task(self.link.detach())

    def _new_attempt(self) -> None:
        """A fresh EAP conversation: a new session (fresh nonces and keys) and an EAPOL-Start."""
        self.attempts += 1
        self.peer = EapPeer(self._new_session(), self._identity(), fragment_size=self.fragment_size)
        self._send_start()

    def _new_session(self):
        req = self.request
        if req.kind is RunKind.REG:
            config = RegistrarConfig(self.device, req.pin.encode(), enrollee_is_ap=True, new_ap_settings=req.new_settings)
            return Registrar(config)
        if req.kind is RunKind.PBC:
            return Enrollee(EnrolleeConfig.pbc(self.device))
        return Enrollee(EnrolleeConfig(self.device, req.pin.encode(), DevicePasswordId.DEFAULT))

    def _identity(self) -> str:
        return IDENTITY_REGISTRAR if self.request.kind is RunKind.REG else IDENTITY_ENROLLEE

    def _send_start(self) -> None:
        if not self.active or self.peer is None or self.peer.started:
            return
        self.peer.start()
        self._flush(self.authenticator or PAE_GROUP_ADDR)
        self._start_timer = self._loop.call_later(EAPOL_START_INTERVAL, self._send_start)

    # -- frames ----------------------------------------------------------------------------------------

    def on_eapol(self, src: bytes, pdu: bytes) -> None:
        if not self.active or self.peer is None:
            return
        if self.authenticator is not None and src != self.authenticator:
            if self.request.bssid is not None or self.peer.started:
                log.debug("ignoring EAPOL from %s: not our authenticator", mac_str(src))
                return
        self.authenticator = src
        self.peer.receive(pdu)
        self._flush()
        self._dispatch_events()

    def _flush(self, dst: bytes | None = None) -> None:
        assert self.peer is not None
        frames = self.peer.frames_to_send()
        if frames:
            target = dst or self.authenticator or PAE_GROUP_ADDR
            self._loop.create_task(self._send(target, frames))

    async def _send(self, dst: bytes, frames: list[bytes]) -> None:
        for frame in frames:
            try:
                await self.driver.send_eapol(dst, frame)
            except OSError as e:
                log.warning("sending EAPOL to %s failed: %s", mac_str(dst), e)

    # -- events ----------------------------------------------------------------------------------------

    def _dispatch_events(self) -> None:
        assert self.peer is not None
        ended = None
        while (event := self.peer.next_event()) is not None:
            if isinstance(event, MessageDropped):
                log.debug("dropped: %s", event.reason)
                continue
            if isinstance(event, EapStarted) and self._start_timer:
                self._start_timer.cancel()
            if isinstance(event, Success):
                self.succeeded = True
            self.on_event(event, self)
            if isinstance(event, Failure):
                ended = False
            elif isinstance(event, EapFailureReceived):
                if self.succeeded:
                    ended = True
                elif ended is None:
                    # No outcome yet (an M2D: a registrar without our password; or the authenticator gave
                    # up): try again while walk time lasts, as wpa_supplicant does.
                    self._loop.call_later(EAPOL_START_INTERVAL, self._retry)
        if ended is not None or (self.peer.finished and self.succeeded):
            self._finish(bool(ended) or self.succeeded)

    def _retry(self) -> None:
        if not self.active or self.succeeded:
            return
        if self.link is None:
            self._new_attempt()
        else:  # the AP drops us after an EAP-Failure: associate again (possibly with another AP)
            self._attaching = self._loop.create_task(self._reattach())

    async def _reattach(self) -> None:
        assert self.link is not None
        await self.link.detach()
        if self.active:
            if self.request.bssid is None:
                self.authenticator = None
            await self._attach_and_start()

    def _finish(self, succeeded: bool) -> None:
        if not self.active:
            return
        self._stop()
        self.on_event(RunEnded(succeeded), self)

    def _on_walk_timeout(self) -> None:
        if not self.active:
            return
        self._stop()
        self.on_event(RunTimedOut(), self)
        self.on_event(RunEnded(False), self)
