"""WPS runs as a service: one run at a time, its frames and link, the credential it brings, the PIN guard.

The run's policy (`pywps.station.wpsrun`) decides; this layer carries out what it asks (frames to the driver,
a link from the station), hands on its events, stores the credential (saving the file off the event loop) and
only then reports WPS-SUCCESS, so a credential that could not be kept is never announced as a success.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import TYPE_CHECKING, Any

from . import config as configfile
from .config import Config, Network
from .driver.base import Driver, mac_str
from .runevents import (
    CredentialForClient,
    CredentialRefused,
    OpenNetworkDisabled,
    PbcActive,
    PbcOverlapDetected,
    PinActive,
    RunFailed,
    RunCancelled,
    RunEnded,
    RunSucceeded,
    RunTimedOut,
)
from .netevents import NetworkAdded, NetworkRemoved
from .pinguard import PinAttemptGuard
from .station.driving import PolicyDriver
from .station.profile import profile_request
from .station.types import PbcOverlap, RunKind, RunRequest
from .station.wired import WiredPort
from .wps.credential import Credential
from .wps.defs import WALK_TIME, ConfigError, EncrType, ErrorIndication, MsgType
from .wps.device import DeviceInfo
from .wps.events import CredentialReceived, EapFailureReceived, Failure, MessageDropped, PeerIdentified, Success

if TYPE_CHECKING:
    from .station.connector import Connector
    from .station.macaddr import AddressRequest
    from .station.station import Station, WpsSearch
    from .station.wpsrun import RunAction, WpsRun

log = logging.getLogger("pywps.wps")


class WpsService:
    def __init__(self, driver: Driver, station: Station | None, connector: Connector | None,
                 device_info: Callable[[], DeviceInfo], config: Callable[[], Config],
                 save_config: Callable[[], Awaitable[None]], publish: Callable[[object], None],
                 walk_time: float = WALK_TIME, wired_port: WiredPort | None = None,
                 *, spawn: Callable[[Coroutine[Any, Any, None]], None]) -> None:
        """`spawn`: runs background work in a task the daemon holds (a scan that outlives the run)."""
        self.driver = driver
        self.station = station
        self.connector = connector
        self.wired_port = wired_port
        self.device_info = device_info
        self.config = config
        self.save_config = save_config
        self.publish = publish
        self.walk_time = walk_time
        self.spawn = spawn
        self.pin_guard = PinAttemptGuard()
        self.run: WpsRun | None = None
        self.last_outcome = "none"
        self._driving: PolicyDriver | None = None
        self._attaching: asyncio.Task | None = None
        self._search: WpsSearch | None = None  # wireless: what the run's searches for an AP leave to the next
        self._saving: asyncio.Task | None = None
        self._held: list[tuple[object, WpsRun]] = []  # the run's events that wait for the credential's save
        self._refused = False  # this run's credential could not be kept: its success is not announced
        self._credentials: list[Credential] = []  # received in this M8, stored at its next event
        self._retiring: set[asyncio.Task] = set()  # replaced runs still sending their last frames
        self._told_after_end: list[object] = []  # WPS-CANCEL: said once the run's end is (its link left, network gone)
        # The run's own network, as wpa_supplicant adds one (key_mgmt=WPS, never saved): clients see it added,
        # [CURRENT] while the run lasts, then either holding the credential or removed.
        self.network_id: int | None = None
        self._stored_id: int | None = None  # the network the run's credential went into (joined after the run)
        self._moving_port = False  # the service itself joins or leaves the wired port: no run starts or stops
        if wired_port is not None:
            wired_port.on_change = self._port_changed

    @property
    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    # -- commands ----------------------------------------------------------------------------------------

    def start(self, request: RunRequest) -> None:
        """Start a run; a new WPS command replaces the run in progress, as in wpa_supplicant."""
        self._drop_run()
        if self.connector is not None:
            self.connector.suspend()  # WPS needs the radio: leave the current network until the run is over
        network = self.config().add_network()
        # the fields wpas_wps_add_network and the command give it, which GET_NETWORK and LIST_NETWORKS show
        from .wps.eap import IDENTITY_ENROLLEE, IDENTITY_REGISTRAR

        network.set("key_mgmt", "WPS")
        network.set("eap", "WSC")
        network.set("identity", f'"{IDENTITY_REGISTRAR if request.kind is RunKind.REG else IDENTITY_ENROLLEE}"')
        if request.phase1 is not None:
            network.set("phase1", f'"{request.phase1}"')
        if request.bssid is not None:
            network.set("bssid", mac_str(request.bssid))
        network.set("disabled", "0")
        if request.backhaul_sta:
            network.set("multi_ap_backhaul_sta", "1")  # kept by the credential that replaces this network (credstore)
        self.network_id = network.id
        self.publish(NetworkAdded(network.id))
        self._begin(request, self.walk_time)
        if request.kind is RunKind.PBC:
            self.publish(PbcActive())
        elif request.kind is RunKind.PIN:
            self.publish(PinActive())
        if self.wired_port is not None:
            self.wired_port.user_off = False  # wpas_wps_reassoc lifts DISCONNECT: the stored network follows the run
            self._move_port(self.wired_port.join, network)
        self._pump()

    def _begin(self, request: RunRequest, walk_time: float | None) -> None:
        from .station.wpsrun import WpsRun  # the protocol core loads with the first run (or the warm-up)

        run = WpsRun(request, self.device_info(), self._now, wireless=self.station is not None,
                     walk_time=walk_time, fragment_size=self._fragment_size(),
                     eapol_version=self.config().eapol_version())
        self.run = run
        if self.station is not None:
            from .station.station import WpsSearch

            self._search = WpsSearch(self.station.clock())
        # the replaced run's EAPOL-Logoff first: after the new EAPOL-Start, hostapd would abort the new conversation
        self._driving = PolicyDriver(run, self._perform, lambda event: self._on_run_event(event, run),
                                     after=self._retiring)

    def _pump(self) -> None:
        if self._driving is not None:
            self._driving.pump()

    @property
    def command_running(self) -> bool:
        """A WPS_PIN / WPS_PBC / WPS_REG run holds the link (a configured network's run does not)."""
        return self.run is not None and self.run.request.network_id is None

    # -- a configured eap=WSC network: its run starts when the port joins it -----------------------------

    def _port_changed(self, network: Network | None) -> None:
        """The wired port joined `network` (None: left it), not for a run of ours: as wpa_supplicant starts
        EAPOL on association, a configured eap=WSC network starts its run (no walk time, no *-ACTIVE event, no
        network of its own); leaving that network stops it (the network stays)."""
        if self._moving_port:
            return
        run = self.run
        if run is not None and run.request.network_id is not None:
            if network is not None and network.id == run.request.network_id:
                return
            self._drop_run(remove=False)
        if network is None or self.run is not None:
            return  # a command's run goes on
        request = profile_request(network)
        if request is None:
            return
        log.info("network %d runs EAP-WSC (%s)", network.id, request.kind.value)
        # a key_mgmt=WPS network is the run's own, as wpa_supplicant's temporary one: replaced by the
        # credential or removed at the end; an IEEE8021X network stays whatever happens
        self.network_id = network.id if request.key_mgmt_wps else None
        self._begin(request, None)
        self._pump()

    def _move_port(self, method: Callable[..., None], *args: Any) -> None:
        self._moving_port = True
        try:
            method(*args)
        finally:
            self._moving_port = False

    def _fragment_size(self) -> int:
        """`SET wps_fragment_size N` (kept in memory only): the run's EAP-WSC fragments, as wpa_supplicant puts
        it into the WPS network's fragment_size; unset or 0 means the default."""
        from .wps.eap import DEFAULT_FRAGMENT_SIZE  # with the run's core

        try:
            size = int(self.config().runtime.get("wps_fragment_size", "0"))
        except ValueError:
            size = 0
        return size if size > 0 else DEFAULT_FRAGMENT_SIZE

    def cancel(self) -> None:
        """WPS_CANCEL: stop the run in progress, if any (the stored network is joined again); with none, a
        link (a radio's or the wired port's) is left and joined again, as wpa_supplicant does. WPS-CANCEL is
        said every time, as wpa_supplicant says it."""
        run = self.run
        port = self.wired_port
        if port is not None and (run is None and port.network_id is not None
                                 or run is not None and not run.request.key_mgmt_wps):
            # a port past its association (a stored network's, or an IEEE8021X eap=WSC network's run):
            # wpas_wps_cancel deauthenticates (a run stops with the port), the network stays, and with ap_scan=0
            # it is associated again, an eap=WSC network's run starting afresh (observed)
            port.leave()
            self.publish(RunCancelled())
            port.rejoin(self.config().networks)
            return
        if run is not None:
            # wpas_wps_cancel says WPS-CANCEL after its deauthentication and the run's network's removal
            self._told_after_end.append(RunCancelled())
            self._input(run.cancel)  # told at the run's end: now, or once its link is left (perhaps under way)
            return
        if self.connector is not None and self.connector.cancel_wps(then=(RunCancelled(),)):
            return  # wpas_wps_cancel left the link: WPS-CANCEL follows its CTRL-EVENT-DISCONNECTED
        self.publish(RunCancelled())

    @property
    def saving(self) -> asyncio.Task | None:
        """The stored credential's save, while it is under way (its events are held until it is done)."""
        return self._saving

    def networks_replaced(self) -> None:
        """The file was read again (SIGHUP, RECONFIGURE): its networks are numbered afresh, so an id kept here
        may now name one of the user's, and the run's own network went with the old list. wpa_supplicant frees
        that network with the old configuration and deauthenticates, which leaves its run nothing to go on
        with until the walk time ends it (WPS-TIMEOUT). Here the run ends at once: its link is left, with no
        removal to tell (nothing in the new list is the run's) and no WPS event; a radio's connector joins from
        the new list once that link is left, the wired port as after any reload (Services.reload)."""
        run = self.run
        self._drop_run(remove=False)
        if run is not None and self.connector is not None:
            self.spawn(self._resume_once_left())

    async def _resume_once_left(self) -> None:
        if self._retiring:
            await asyncio.wait(list(self._retiring))
        if self.run is None and self.connector is not None:  # unless a new command's run has the radio now
            self.connector.resume()

    async def close(self) -> None:
        """Stop the run; its EAPOL-Logoff reaches the link before the driver stops. Its network stays in the
        list: the daemon's close says every network's removal, in the list's order (Services.close)."""
        self._drop_run(remove=False)
        if self._saving is not None:
            await asyncio.wait([self._saving])
        if self._retiring:
            await asyncio.wait(list(self._retiring))

    # -- news from the link -------------------------------------------------------------------------------

    def on_eapol(self, src: bytes, pdu: bytes) -> None:
        """An EAP frame (EAPOL-Key frames went to the connector before this)."""
        if self.run is None:
            return
        if self.pin_guard.blocked_for(src, self._now) > 0:
            log.debug("ignoring %s: backing off after repeated PIN failures", mac_str(src))
            return
        self._input(self.run.receive, src, pdu)

    def link_lost(self) -> None:
        if self.run is not None:
            self._input(self.run.link_lost)

    def _input(self, method: Callable[..., None], *args: Any) -> None:
        method(*args, self._now)
        if self._driving is not None:
            self._driving.pump()

    # -- the run's actions ---------------------------------------------------------------------------------

    async def _perform(self, action: RunAction) -> None:
        from .station.wpsrun import ReleaseLink, RequestLink, ScanForNext, SendFrames

        if isinstance(action, SendFrames):
            for frame in action.frames:
                try:
                    await self.driver.send_eapol(action.dst, frame)
                except OSError as e:
                    log.warning("sending EAPOL to %s failed: %s", mac_str(action.dst), e)
        elif isinstance(action, RequestLink):
            self._attaching = asyncio.get_running_loop().create_task(self._attach(self.run, action.request))
        elif isinstance(action, ReleaseLink):
            if self._attaching is not None:
                self._attaching.cancel()
            if self._saving is not None:
                # the run's events wait for the credential's save (WPS-SUCCESS, the EAP-Failure): the link's end
                # comes after them, as wpa_supplicant, which saves before it goes on, says it
                await asyncio.wait([self._saving])
            if self.station is not None:
                await self.station.leave()
        elif isinstance(action, ScanForNext) and self.station is not None:
            from .station.station import Busy
            from .station.types import ScanOptions

            try:  # its results come after the run's end: run apart, so that neither waits for the other
                self.spawn(self.station.start_scan(options=ScanOptions(announces=action.request)))
            except Busy:
                log.debug("a scan is under way: it serves for the next AP")
            self.spawn(self._tell_scan_begun(self.run))

    async def _tell_scan_begun(self, run: WpsRun | None) -> None:
        """The run's end waits for the kernel's answer to the scan for the next AP (wpsrun.SCAN_START_WAIT)."""
        assert self.station is not None
        await self.station.scan_running()
        if run is not None and run is self.run:
            self._input(run.next_scan_begun)

    def _address_request(self, request: RunRequest) -> AddressRequest | None:
        """The run network's mac_addr (a command's run: the network made for it, which has none: the global's)."""
        from .station.macaddr import address_request

        network_id = request.network_id if request.network_id is not None else self.network_id
        network = next((n for n in self.config().networks if n.id == network_id), None)
        return None if network is None else address_request(self.config(), network)

    async def _attach(self, run: WpsRun | None, request: RunRequest) -> None:
        assert self.station is not None and run is not None
        try:
            bssid = await self.station.attach(request, self._address_request(request), self._search)
        except asyncio.CancelledError:
            return
        except PbcOverlap as e:
            log.info("PBC session overlap: %s", e)
            if run is self.run:
                self._input(run.overlap)
            return
        except Exception:  # the daemon's edge: the run pauses and tries again rather than idling to walk time
            log.exception("finding an AP for the WPS run failed")
            if run is self.run:
                self._input(run.link_failed)
            return
        if run is self.run:
            bss = self.station.associated
            wsc2 = bss is not None and bss.wps is not None and bss.wps.version2 is not None  # hostap's wps_is_20
            self._input(partial(run.link_up, wsc2_ap=wsc2, own_addr=self.driver.own_addr), bssid,
                        bss.entry.freq if bss is not None else None)

    # -- the run's events ------------------------------------------------------------------------------------

    def _on_run_event(self, event: object, run: WpsRun) -> None:
        if run is not self.run:
            return  # a replaced run's last words
        if self._saving is not None and not self._saving.done():
            self._held.append((event, run))  # in order, after the credential's fate is known
            return
        if isinstance(event, CredentialReceived):
            self._credentials.append(event.credential)  # one M8 may carry several: stored together
            return
        if self._credentials:
            credentials, self._credentials = self._credentials, []
            self._store(credentials)
            if self._saving is not None:
                self._held.append((event, run))
                return
        if isinstance(event, MessageDropped):
            log.debug("dropped: %s", event.reason)
        elif isinstance(event, PeerIdentified):
            log.info("peer %s (%r)", mac_str(event.device.mac_address or bytes(6)), event.device.device_name)
        elif isinstance(event, Success):
            self._succeeded()
        elif isinstance(event, Failure):
            self.last_outcome = "failure"
            log.info("WPS run failed: %s", event.description)
            self.publish(event)
            self._count_pin_failure(event)
        elif isinstance(event, RunTimedOut):
            self.last_outcome = "timeout"
            self.publish(event)
        elif isinstance(event, PbcOverlapDetected):
            self.last_outcome = "failure"
            self.publish(event)
        elif isinstance(event, RunEnded):
            if run.request.kind is RunKind.REG and not event.succeeded:
                self.publish(RunFailed())
            if event.leaves_link and self._driving is not None:
                self.spawn(self._end_once_left(self._driving, run))
            else:
                self._run_ended()
        elif isinstance(event, EapFailureReceived):
            self.publish(event)
            if not run.succeeded or self._refused:
                self._eap_failed(run)
        else:
            self.publish(event)

    def _eap_failed(self, run: WpsRun) -> None:
        """The authenticator's EAP-Failure without a success, as wpa_supplicant's wpas_wps_eapol_cb takes it: a
        PIN enrollee run goes on trying (on a wire the port is left and "associated" again with the run's
        network; on a radio the AP goes in the ignore list and the next association follows a scan, which after
        WPS-FAIL only begins: the run ends first, see wpsrun.CLEARING); any other
        run of a key_mgmt=WPS network says a bare WPS-FAIL (a WPS_REG run when it ends) and leaves the port; an
        IEEE8021X network stays joined (its EAPOL tries again after the held period)."""
        request = run.request
        if not request.keeps_trying and not request.key_mgmt_wps:
            return
        if request.kind is not RunKind.REG and not request.keeps_trying:
            self.publish(RunFailed())
        from .station.wpsrun import RunState  # loaded with the run

        goes_on = not run.failed or run.state is RunState.CLEARING
        if request.keeps_trying and goes_on and self.station is not None and self._search is not None \
                and run.authenticator is not None:
            self.station.attempt_failed(run.authenticator, self._search)  # the run's next search skips it once
        if self.wired_port is None or request.kind is RunKind.REG:
            return
        self._move_port(self.wired_port.leave)
        network_id = request.network_id if request.network_id is not None else self.network_id
        if request.keeps_trying and network_id is not None:
            network = next((n for n in self.config().networks if n.id == network_id), None)
            if network is not None:
                self._move_port(self.wired_port.join, network)

    def _store(self, credentials: list[Credential]) -> None:
        """wps_cred_processing 0 and 2 store the credentials (as wpa_supplicant does: one network each, an
        older one for the same network replaced), 1 and 2 hand them to clients; the file is saved off the loop."""
        config = self.config()
        processing = config.wps_cred_processing
        if any(cred.encr_type & EncrType.WEP for cred in credentials):
            # wpa_supplicant's enrollee refuses WEP while it parses M8, before any credential is handed out
            self._refuse("credential refused: WEP (WSC 2.0 prohibits WEP)", ErrorIndication.SECURITY_WEP_PROHIBITED)
            return
        for cred in credentials:  # the hexdump for 1 and 2; wpa_supplicant says the bare event for 0
            self.publish(CredentialForClient(cred.raw if processing in (1, 2) else b""))
        if processing not in (0, 2):
            return
        try:
            stored = config.store_credentials(credentials, replace_id=self.network_id)
        except configfile.CredentialRejected as e:  # the file cannot hold it safely, or WEP (WSC 2.0 forbids it)
            self._refuse(f"credential refused: {e}")
            return
        events = stored.events
        # The run's network became the first credential's, under its id, as wpa_supplicant reuses it; a later
        # credential of the same network may have merged it away (a mixed WPA/WPA2 AP sends two).
        replaced, self.network_id = self.network_id, None
        if replaced is not None and self.run is not None:
            self.run.network_replaced(self._now)  # no WPS network left for the clear after WPS-FAIL
        holder = next((n for n in config.networks if n.id == replaced), None) if replaced is not None else None
        if holder is None and self.wired_port is not None and replaced is not None \
                and self.wired_port.network_id == replaced:
            self.wired_port.network_id = None  # gone with its network: wpa_supplicant reports no disconnect
        self._stored_id = holder.id if holder is not None else (stored.networks[-1].id if stored.networks else None)
        if holder is not None and self.run is not None and self.run.request.kind is RunKind.REG \
                and holder.value("key_mgmt") == "NONE" and credentials[0].encr_type == EncrType.NONE:
            # an open network learnt or set by WPS_REG is not joined until the user selects it
            holder.set("disabled", "1")
            self.publish(OpenNetworkDisabled(holder.id))
        for event in events:
            self.publish(event)
        log.info("stored network(s) %s", ", ".join(str(n.id) for n in stored.networks))
        if config.update_config:
            self._saving = asyncio.get_running_loop().create_task(self._save())

    async def _save(self) -> None:
        try:
            await self.save_config()
        except OSError as e:
            self._refuse(f"could not write {self.config().path}: {e}; the network is kept in memory only")
        finally:
            held, self._held = self._held, []
            self._saving = None
            for event, run in held:
                self._on_run_event(event, run)

    def _refuse(self, why: str, reason: int = 0) -> None:
        log.warning("%s", why)
        self._refused = True
        self.last_outcome = "failure"
        self.publish(CredentialRefused(int(MsgType.M8), why, int(reason)))

    def _succeeded(self) -> None:
        if self._refused:
            return  # the credential could not be kept: WPS-FAIL was said instead
        self.last_outcome = "success"
        run = self.run
        if run is not None and run.authenticator is not None:
            self.pin_guard.record_success(run.authenticator)
        self.publish(RunSucceeded())

    def _count_pin_failure(self, event: Failure) -> None:
        """A registrar that failed to prove our PIN (M4/M6) may be guessing it: back off past a threshold."""
        run = self.run
        if run is None or run.request.kind is not RunKind.PIN:
            return
        if event.config_error != ConfigError.DEV_PASSWORD_AUTH_FAILURE or event.msg not in (MsgType.M4, MsgType.M6):
            return  # not our PIN that was tested (a NACK from the registrar about its own check)
        if run.authenticator is None:
            return
        delay = self.pin_guard.record_failure(run.authenticator, self._now)
        if delay:
            log.warning("registrar %s failed the PIN proof %d times: possible brute force; ignoring it for %d s",
                        mac_str(run.authenticator), self.pin_guard.failures(run.authenticator), delay)

    async def _end_once_left(self, driving: PolicyDriver, run: WpsRun) -> None:
        """The run's end after its last actions (its EAPOL-Logoff out, its link left), as wpas_clear_wps
        deauthenticates before it removes the run's network; unless a new run replaced it meanwhile."""
        await driving.drain()
        if run is self.run:
            self._run_ended()

    def _run_ended(self) -> None:
        told_after, self._told_after_end = self._told_after_end, []
        stored, self._stored_id = self._stored_id, None
        # after a credential, wpa_supplicant looks for its network on the run's channel first (after_wps)
        wps_freq = self.run.freq if stored is not None and self.run is not None else None
        if self.wired_port is not None:
            self._move_port(self.wired_port.leave)
        self._drop_run()
        for event in told_after:  # WPS-CANCEL: after the removal, before the join (wpa_supplicant's waits for a scan)
            self.publish(event)
        if self.connector is not None:
            self.connector.resume(wps_freq)  # join the network just stored (or the old one)
        if self.wired_port is not None:
            # wpa_supplicant associates with the received credential's network ("Network configuration
            # replaced"), whatever else is enabled; without one, the best stored network
            networks = self.config().networks
            target = next((n for n in networks if n.id == stored and not n.disabled), None)
            if target is not None and not self.wired_port.user_off:
                self.wired_port.join(target)
            else:
                self.wired_port.rejoin(networks)

    def _drop_run(self, remove: bool = True) -> None:
        """Forget the current run; one still going is cancelled, and its last frames (EAPOL-Logoff) and its
        link release are still carried out, in order, by a task we keep until it is done. `remove`: the run's
        network goes too (not when the port merely left a configured network, nor when the daemon ends:
        Services.close tells every network's removal then, in the list's order)."""
        run, driving = self.run, self._driving
        self.run, self._driving, self._refused, self._credentials = None, None, False, []
        self._stored_id = None
        if not remove:
            self.network_id = None
        if self.network_id is not None:
            try:
                self.config().remove_network(self.network_id)
                self.publish(NetworkRemoved(self.network_id))
            except KeyError:
                pass  # removed by a command meanwhile
            self.network_id = None
        told_after, self._told_after_end = self._told_after_end, []
        for event in told_after:  # a run replaced before its end was told (a new command, the daemon's close)
            self.publish(event)
        if driving is None or run is None:
            return
        if not run.ended:
            run.cancel(self._now)
        if self._attaching is not None:
            self._attaching.cancel()
            self._attaching = None
        task = asyncio.get_running_loop().create_task(driving.drain())
        self._retiring.add(task)
        task.add_done_callback(lambda t: (self._retiring.discard(t), driving.close()))
