"""The asyncio layer of the connection policy: carries out its actions through the station and the driver,
reports their outcome back with the loop's time, and hands its events to the daemon."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from ..config import Config
from ..driver.base import Driver, DriverError
from .connection import (
    Announce,
    Associate,
    AuthorizePort,
    ConnectionPolicy,
    Leave,
    LinkState,
    LoadCachedResults,
    MonitorSignal,
    PollSignal,
    ReportSignal,
    Scan,
    SendAction,
    SetOperState,
)
from .bss import Bss
from .driving import PolicyDriver
from .station import Busy, Station

if TYPE_CHECKING:
    from ..driver.radio import SignalInfo
    from .connection import ConnectAction
    from .security import Security

log = logging.getLogger("pywps.connect")

T = TypeVar("T")

INVALID_NOISE = 9999  # wpa_supplicant's WPA_INVALID_NOISE: what its driver says when the kernel does not


class Connector:
    def __init__(self, driver: Driver, station: Station, config: Callable[[], Config],
                 publish: Callable[[object], None]) -> None:
        self.driver = driver
        self.station = station
        self.policy = ConnectionPolicy(config, station.table, driver.own_addr, station.ignored,
                                       bip=lambda: driver.protects_management_frames,
                                       beacon_protection=lambda: driver.protects_beacons)
        self.policy.disabled = not station.enabled  # a radio blocked at the start
        self._publish = publish
        self._driving = PolicyDriver(self.policy, self._perform, publish)

    # -- what STATUS shows ---------------------------------------------------------------------------------

    @property
    def state(self) -> LinkState:
        return self.policy.state

    @property
    def wpa_state(self) -> str:
        return self.policy.wpa_state

    @property
    def joined(self) -> tuple[int, Bss, Security] | None:
        """The network, BSS and security of the link being made or held, if any."""
        target = self.policy.target
        if target is None or self.policy.state in (LinkState.DISCONNECTED, LinkState.SCANNING):
            return None
        return target.network_id, target.bss, target.security

    # -- inputs: each goes to the policy with the loop's time, then the policy's output is carried out ----

    def _input(self, method: Callable[..., T], *args: object, **options: object) -> T:
        result = method(*args, self._driving.now(), **options)
        self._driving.pump()
        return result

    def kick(self, asked: bool = False) -> None:
        """Consider the stored networks again; `asked`: a client asked to connect (ConnectionPolicy.kick)."""
        self._input(self.policy.kick, asked=asked)

    def enable(self, were_disabled: Sequence[int]) -> None:
        """ENABLE_NETWORK (not no-connect): `were_disabled`, the networks it enabled (ConnectionPolicy.enable)."""
        self._input(self.policy.enable, tuple(were_disabled))

    def manual_scan_done(self) -> None:
        self._input(self.policy.manual_scan_done)

    def disconnect(self) -> None:
        self._input(self.policy.disconnect)

    def reconnect(self) -> None:
        self._input(self.policy.reconnect)

    def reassociate(self, reattach: bool = False) -> None:
        self._input(self.policy.reassociate, reattach=reattach)

    def suspend(self) -> None:
        self._input(self.policy.suspend)

    def resume(self, wps_freq: int | None = None) -> None:
        self._input(self.policy.resume, wps_freq=wps_freq)

    def interface_disabled(self) -> None:
        self._input(self.policy.interface_disabled)

    def interface_enabled(self) -> None:
        self._input(self.policy.interface_enabled)

    def select(self, network_id: int | None, freqs: Sequence[int] = ()) -> None:
        self._input(self.policy.select, network_id, freqs=tuple(freqs))

    def restart(self) -> None:
        self._input(self.policy.restart)

    def cancel_wps(self, then: tuple[object, ...]) -> bool:
        """WPS_CANCEL with no run (ConnectionPolicy.cancel_wps): whether it leaves the link."""
        return self._input(self.policy.cancel_wps, then)

    def bgscan_changed(self) -> None:
        self._input(self.policy.bgscan_changed)

    def signal_changed(self, above: bool) -> None:
        self._input(self.policy.signal_changed, above)

    def unprotected_disconnect(self, sa: bytes, reason: int) -> None:
        self._input(self.policy.unprotected_disconnect, sa, reason)

    def unprotected_beacon(self, sa: bytes) -> None:
        self._input(self.policy.unprotected_beacon, sa)

    def action_received(self, sa: bytes, body: bytes) -> None:
        self._input(self.policy.sa_query_response, sa, body)

    def roam(self, bssid: bytes) -> bool:
        """ROAM: False when there is nothing to roam from, or no such BSS of the network (ConnectionPolicy.roam)."""
        moved = self.policy.roam(bssid, self._driving.now())
        self._driving.pump()
        return moved

    def networks_renumbered(self) -> None:
        self._input(self.policy.networks_renumbered)

    def link_lost(self, reason: int, locally_generated: bool) -> None:
        self._input(self.policy.link_lost, reason, locally_generated)

    def eapol_key(self, src: bytes, pdu: bytes) -> None:
        self._input(self.policy.eapol_key, src, pdu)

    async def close(self) -> None:
        """Leave the network we are on, then stop."""
        self.policy.disconnect(self._driving.now())
        await self._driving.drain()
        self._driving.close()

    # -- actions ---------------------------------------------------------------------------------------------

    async def _perform(self, action: ConnectAction) -> None:
        policy = self.policy
        now = self._driving.now
        if isinstance(action, Scan):
            # a scan under way (the first one, asked for at start, or a SCAN command's) serves this one too, and
            # its failure is this one's (tried again SCAN_FAILED_RETRY later)
            try:
                if not await self.station.finish_scan_under_way():
                    await self.station.scan(action.freqs, ssids=action.ssids)
            except (DriverError, Busy) as e:
                log.debug("scan for stored networks failed: %s", e)
                self._input(policy.scan_failed)
                return
            self._input(policy.scan_done)
        elif isinstance(action, LoadCachedResults):
            try:  # the first scan (Services.start), if under way: fresher than a cache
                under_way = await self.station.finish_scan_under_way()
            except DriverError:
                self._input(policy.scan_failed)
                return
            if under_way:
                self._input(policy.scan_done)
                return
            await self.station.take_kernel_cache()
            policy.scan_done(now(), cached=True)
            self._driving.pump()
        elif isinstance(action, Associate):
            try:
                await self.station.associate(action.bss, action.ies, action.crypto, backhaul_sta=action.backhaul_sta,
                                             address=action.address, prev_bssid=action.prev_bssid)
            except DriverError as e:
                log.info("%s", e)
                self._input(policy.association_failed)
                return
            self._input(policy.associated, own_addr=self.driver.own_addr)
        elif isinstance(action, PollSignal):  # None: weighed from the scan's values alone, as wpa_supplicant does
            self._input(policy.signal_polled, await self._signal(), self.station.radio_modes or [])
        elif isinstance(action, MonitorSignal):
            try:
                await self.driver.set_signal_monitor(action.threshold, action.hysteresis)
            except DriverError as e:  # background scans go on at their short interval, as wpa_supplicant's
                log.info("bgscan: %s", e)
        elif isinstance(action, ReportSignal):
            await self._report_signal(action.above)
        elif isinstance(action, SendAction):
            try:
                await self.driver.send_action(action.bssid, action.body)
            except DriverError as e:  # wpa_supplicant goes on too (an SA Query's retry timer sends the next one)
                log.debug("Failed to send %s: %s", action.what, e)
                if action.if_unsent is not None:
                    self._publish(action.if_unsent)
        elif isinstance(action, Leave):
            await self.station.leave(action.reason)
            for event in action.then:
                self._publish(event)
        elif isinstance(action, Announce):
            self._publish(action.event)
        elif isinstance(action, SetOperState):
            self.driver.set_operstate(action.up)
        else:
            await self._key_step(action)

    async def _signal(self) -> SignalInfo | None:
        """The link as the kernel reports it now (SIGNAL_POLL's values); None when it cannot say."""
        try:
            return await self.driver.signal_info()
        except DriverError as e:
            log.debug("signal poll failed: %s", e)
            return None

    async def _report_signal(self, above: bool) -> None:
        """CTRL-EVENT-SIGNAL-CHANGE with the link's signal, noise and rate now, as wpa_supplicant's nl80211
        driver reads them on the kernel's event (its fallbacks where the kernel does not say)."""
        from ..events import SignalChange

        info = await self._signal()
        if info is None:
            self._publish(SignalChange(above, -INVALID_NOISE, INVALID_NOISE, 0))
            return
        noise = INVALID_NOISE if info.noise is None else info.noise
        self._publish(SignalChange(above, info.signal, noise, info.tx_rate_kbps))

    async def _key_step(self, action: ConnectAction) -> None:
        # Frames and keys reach the kernel in the handshake's order (message 4 before the PTK, keys before
        # the port opens): the driving task carries out one action at a time.
        # loaded with the handshake that asked for them
        from ..wpa.events import InstallGroupKey, InstallPairwiseKey, SendEapol

        try:
            if isinstance(action, SendEapol):
                await self.driver.send_eapol(action_bssid(self.policy), action.pdu)
            elif isinstance(action, InstallPairwiseKey):
                await self.driver.install_pairwise_key(action_bssid(self.policy), action.tk, action.cipher.suite)
            elif isinstance(action, InstallGroupKey):
                await self.driver.install_group_key(action.key_index, action.gtk, action.cipher.suite, action.rsc[:6])
            elif isinstance(action, AuthorizePort):
                await self.driver.authorize_port(action.bssid)
                self._input(self.policy.port_authorized)
        except (DriverError, OSError) as e:
            # the rest of the handshake's step (its answer, its other keys, the word that it is done) is void:
            # wpa_supplicant leaves from its first failed call
            key_step = (SendEapol, InstallPairwiseKey, InstallGroupKey, AuthorizePort, Announce)
            self._driving.discard(lambda queued: isinstance(queued, key_step))
            self.policy.action_failed(action, str(e), self._driving.now())
            self._driving.pump()


def action_bssid(policy: ConnectionPolicy) -> bytes:
    assert policy.target is not None
    return policy.target.bss.bssid
