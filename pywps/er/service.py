"""The External Registrar service: the commands (WPS_ER_*), the AP table kept from SSDP, and what the APs
are told about our registrar (SetSelectedRegistrar). The registrations themselves are `runs.Runs`, through the
core's Registrar; the UPnP layer is `pywps.er.upnp`, imported by `start()` only. What a peer sends that we
cannot use is dropped with one log line; the service itself goes on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable

from ..wps.credential import Credential
from ..wps.device import DeviceInfo
from ..wps.errors import ParseError
from ..wps.registrar import RegistrarConfig
from . import limits
from .errors import ErError
from .events import ErApRemoved, ErEvent, ErPbcActive, ErSetSelectedRegistrar, SelRegState
from .model import ErAp, WlanEventError, clean_text
from .policy import ErPolicy, set_selected_registrar_message
from .runs import Runs

log = logging.getLogger("pywps.er")


def make_er_service(
    device_info: Callable[[], DeviceInfo],
    publish: Callable[[ErEvent], None],
    network_credential: Callable[[int], Credential | None],
    ifname: str | None = None,
) -> ErService:
    """What the daemon creates on the first WPS_ER_* command. `ifname` is the daemon's interface, used when
    WPS_ER_START names none (as wpa_supplicant uses its own). Cheap: no UPnP import, no socket."""
    return ErService(device_info, publish, network_credential, ifname)


class ErService:
    def __init__(
        self,
        device_info: Callable[[], DeviceInfo],
        publish: Callable[[ErEvent], None],
        network_credential: Callable[[int], Credential | None],
        ifname: str | None = None,
        link_factory: Callable | None = None,
    ) -> None:
        self._device_info = device_info
        self._publish = publish
        self._network_credential = network_credential
        self.ifname = ifname
        self._link_factory = link_factory  # tests: (ip, on_ssdp, is_ap) -> an UpnpLink look-alike
        self.link = None
        self.ip: str | None = None
        self.network: ipaddress.IPv4Network | None = None
        self.filter: str | None = None
        self.aps: dict[int, ErAp] = {}
        self.policy = ErPolicy(0)  # PINs live in the registrar, as in wpa_supplicant: WPS_ER_PIN works before START
        self._next_id = 0
        self._settings_cache: dict[bytes, Credential] = {}  # AP UUID -> settings learned (kept over byebye)
        self._pending: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task] = set()
        self._policy_timer: asyncio.TimerHandle | None = None
        self._full_logged = False
        self._closing: set[str] = set()
        self.runs = Runs(device_info, publish, self.policy, self._settings_cache, self._spawn, self._now,
                         self._announce_selected, lambda ap: ap.id in self.aps)

    @property
    def running(self) -> bool:
        return self.link is not None

    # -- start / stop -------------------------------------------------------------------------------------

    async def start(self, args: str = "") -> None:
        """WPS_ER_START [ifname=IF] [filter-IP]. Again while running: announce what we know and search again."""
        if self.running:
            for ap in self.aps.values():
                if ap.announced:
                    self._publish(ap.added_event())
                    for sta in ap.enrollees.values():
                        self._publish(sta.added_event())
            self.link.search()
            return
        ifname, filter_ip = self.ifname, None
        words = args.split()
        if words and words[0].startswith("ifname="):
            ifname = words.pop(0)[7:]
        if words:
            try:
                filter_ip = str(ipaddress.IPv4Address(words[0]))
            except ValueError:
                raise ErError(f"invalid filter address {words[0]!r}") from None
        if not ifname:
            raise ErError("no interface for the ER")
        from . import upnp  # the UPnP stack is loaded here, never on the daemon's start path

        try:
            ip, network = upnp.interface_ipv4(ifname)
        except OSError as e:
            raise ErError(f"could not get an IPv4 address of {ifname}: {e.strerror or e}") from None
        factory = self._link_factory or upnp.UpnpLink
        link = factory(ip, self._on_ssdp, self._is_ap)
        try:
            await link.start()
        except OSError as e:
            raise ErError(f"UPnP on {ifname} ({ip}): {e}") from None
        self.link, self.ip, self.network, self.filter = link, ip, network, filter_ip
        self.policy.config_methods = int(self._device_info().config_methods)
        self._pending = asyncio.Semaphore(limits.MAX_PENDING)
        log.info("ER: started on %s (%s)%s", ifname, ip, f", only {filter_ip}" if filter_ip else "")
        link.search()

    async def stop(self) -> None:
        """WPS_ER_STOP: every AP is removed (with its enrollees) and unsubscribed."""
        if not self.running:
            return
        closing = [self._remove_ap(ap) for ap in list(self.aps.values())]
        if self._policy_timer is not None:
            self._policy_timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*closing, return_exceptions=True)
        link, self.link = self.link, None
        await link.close()
        log.info("ER: stopped")

    # -- commands ------------------------------------------------------------------------------------------

    def learn(self, uuid: bytes | None, mac: bytes | None, pin: str) -> None:
        ap = self._idle_ap(uuid, mac)
        config = RegistrarConfig(self._device_info(), pin.encode(), enrollee_is_ap=True)
        self._spawn(self.runs.with_ap(ap, config, learning=True), f"learn with AP {ap.source}")

    def config(self, uuid: bytes | None, mac: bytes | None, pin: str, settings: Credential) -> None:
        ap = self._idle_ap(uuid, mac)
        ap.ap_settings = settings
        config = RegistrarConfig(self._device_info(), pin.encode(), enrollee_is_ap=True, new_ap_settings=settings)
        self._spawn(self.runs.with_ap(ap, config, learning=False), f"config of AP {ap.source}")

    def set_config(self, uuid: bytes | None, mac: bytes | None, network_id: int) -> None:
        """WPS_ER_SET_CONFIG: the settings that enrollees registered through this AP will get."""
        self._require_running()
        cred = self._network_credential(network_id)
        if cred is None:
            raise ErError(f"no usable network {network_id}")
        ap = self._find_ap(uuid, mac)
        if ap is None:
            raise ErError("AP not found for set config request")
        ap.ap_settings = cred

    def add_pin(self, target: str, uuid: bytes | None, mac_of_target: bytes | None, pin: str, mac: bytes | None) -> None:
        """WPS_ER_PIN any|UUID|enrollee-MAC PIN [MAC]."""
        if target != "any" and uuid is None:
            uuid = self._enrollee_uuid(mac_of_target)
            if uuid is None:
                raise ErError("no enrollee with that MAC address")
        now = self._now()
        self.policy.add_pin(uuid, pin, mac, now)
        self._announce_selected()
        self._arm_policy_timer(limits.PIN_LIFETIME)

    def pbc(self, uuid: bytes | None, mac: bytes | None) -> None:
        """WPS_ER_PBC AP-UUID|enrollee-UUID|enrollee-MAC."""
        self._require_running()
        now = self._now()
        if self.policy.pbc_overlap(now):
            raise ErError("PBC overlap", "FAIL-PBC-OVERLAP")
        ap = self._find_ap(uuid, None) if uuid is not None else None
        if ap is None:
            ap = next((a for a in self.aps.values() if a.announced and any(
                (mac is None or s.mac == mac) and (uuid is None or s.uuid == uuid) for s in a.enrollees.values())), None)
            if ap is None:
                raise ErError("unknown UUID", "FAIL-UNKNOWN-UUID")
        if ap.ap_settings is None:
            raise ErError("AP settings not known", "FAIL-NO-AP-SETTINGS")
        self.policy.push_button(ap.uuid, now)
        self._announce_selected()
        self._publish(ErPbcActive())
        self._arm_policy_timer(limits.PBC_WALK_TIME)

    # -- lookups -------------------------------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self.running:
            raise ErError("the ER is not running (WPS_ER_START)")

    def _find_ap(self, uuid: bytes | None, mac: bytes | None) -> ErAp | None:
        for ap in self.aps.values():
            if ap.announced and (uuid is None or ap.uuid == uuid) and (mac is None or ap.mac == mac):
                return ap
        return None

    def _idle_ap(self, uuid: bytes | None, mac: bytes | None) -> ErAp:
        self._require_running()
        ap = self._find_ap(uuid, mac)
        if ap is None:
            raise ErError("AP not found")
        if ap.busy:
            raise ErError("a run with this AP is in progress")
        return ap

    def _enrollee_uuid(self, mac: bytes | None) -> bytes | None:
        for ap in self.aps.values():
            if mac in ap.enrollees:
                return ap.enrollees[mac].uuid
        return None

    def _is_ap(self, host: str) -> bool:
        return host in self._closing or any(ap.source == host and not ap.failed for ap in self.aps.values())

    # -- SSDP and AP entries -------------------------------------------------------------------------------

    def _on_ssdp(self, notice) -> None:
        if not self.running or (self.filter and notice.source != self.filter):
            return
        try:
            if ipaddress.IPv4Address(notice.source) not in self.network:
                log.debug("ER: SSDP from %s ignored: not on %s", notice.source, self.network)
                return
        except ValueError:
            return
        if notice.byebye:
            for ap in [a for a in self.aps.values() if a.source == notice.source]:
                self._spawn(self._remove_ap(ap), f"removing AP {ap.source}")
            return
        same = next((a for a in self.aps.values() if a.source == notice.source and a.uuid == notice.uuid), None)
        if same is not None:
            self._arm_expiry(same, notice.max_age)
            return
        if notice.uuid == bytes(16):
            log.info("ER: SSDP from %s without a UUID in USN ignored", notice.source)
            return
        if any(a.uuid == notice.uuid for a in self.aps.values()):
            log.info("ER: SSDP from %s claims UUID %s, which another AP holds: ignored", notice.source, notice.uuid.hex())
            return
        if len(self.aps) >= limits.MAX_APS:
            if not self._full_logged:
                log.info("ER: %d APs known; further SSDP answers are ignored", limits.MAX_APS)
                self._full_logged = True
            return
        self._next_id += 1
        ap = ErAp(self._next_id, notice.source, notice.location, notice.uuid)
        self.aps[ap.id] = ap
        self._arm_expiry(ap, notice.max_age)
        log.debug("ER: AP discovered: %s (from %s, max-age %d)", notice.location, notice.source, notice.max_age)
        ap.task = self._spawn(self._open_ap(ap), f"AP {notice.source}")

    def _arm_expiry(self, ap: ErAp, max_age: int) -> None:
        if ap.expiry is not None:
            ap.expiry.cancel()
        ap.expiry = asyncio.get_running_loop().call_later(max_age, self._expired, ap)

    def _expired(self, ap: ErAp) -> None:
        log.info("ER: AP %s advertisement timed out", ap.source)
        self._spawn(self._remove_ap(ap), f"removing AP {ap.source}")

    async def _open_ap(self, ap: ErAp) -> None:
        from .upnp import UpnpFailure

        assert self._pending is not None
        link = None
        try:
            async with self._pending:
                link = await self.link.open_ap(ap.location, ap.source)
                desc = link.description
                if desc.udn_uuid != ap.uuid:
                    raise WlanEventError(f"UDN {desc.udn_uuid.hex() if desc.udn_uuid else None} is not the advertised UUID")
                ap.friendly_name, ap.manufacturer = clean_text(desc.friendly_name), clean_text(desc.manufacturer)
                ap.model_description, ap.model_name = clean_text(desc.model_description), clean_text(desc.model_name)
                ap.manufacturer_url, ap.model_url = clean_text(desc.manufacturer_url), clean_text(desc.model_url)
                ap.take_m1(await link.get_device_info())
                await link.subscribe(lambda data: self.runs.on_wlan_event(ap, data))
        except (UpnpFailure, ParseError, WlanEventError) as e:
            log.info("ER: AP %s (%s) dropped: %s", ap.source, ap.location, e)
            ap.failed = True  # its entry stays until max-age ends, so its SSDP repeats cost nothing
            if link is not None:
                await link.close()
            return
        if ap.id not in self.aps:  # removed while we were talking to it
            await link.close()
            return
        ap.link = link
        if ap.ap_settings is None:
            ap.ap_settings = self._settings_cache.get(ap.uuid)
        ap.announced = True
        self._publish(ap.added_event())

    async def _remove_ap(self, ap: ErAp) -> None:
        if self.aps.pop(ap.id, None) is None:
            return
        if ap.ap_settings is not None:
            self._settings_cache[ap.uuid] = ap.ap_settings
        if ap.expiry is not None:
            ap.expiry.cancel()
        if ap.task is not None and ap.task is not asyncio.current_task():
            ap.task.cancel()
        for sta in list(ap.enrollees.values()):
            self.runs.drop_enrollee(ap, sta)
        if ap.announced:
            self._publish(ErApRemoved(ap.uuid))
        if ap.link is not None:
            self._closing.add(ap.source)  # UNSUBSCRIBE may still go there
            try:
                await asyncio.wait_for(ap.link.close(), 2.0)
            except asyncio.TimeoutError:
                log.debug("ER: UNSUBSCRIBE at %s timed out", ap.source)
            finally:
                self._closing.discard(ap.source)

    # -- selected registrar ----------------------------------------------------------------------------------

    def _announce_selected(self) -> None:
        if not self.running:
            return
        sel = self.policy.selected_registrar(self._now())
        message = set_selected_registrar_message(sel, self._device_info().uuid)
        for ap in self.aps.values():
            if not ap.announced or (sel.ap_uuid is not None and ap.uuid != sel.ap_uuid):
                continue
            if ap.busy:
                log.debug("ER: AP %s busy: SetSelectedRegistrar skipped", ap.source)
                continue
            self._publish(ErSetSelectedRegistrar(ap.uuid, SelRegState.START, sel.selected, sel.dev_password_id,
                                                 sel.config_methods))
            self._spawn(self._set_selected(ap, message), f"SetSelectedRegistrar at {ap.source}")

    async def _set_selected(self, ap: ErAp, message: bytes) -> None:
        from .upnp import UpnpFailure

        try:
            await ap.link.set_selected_registrar(message)
        except UpnpFailure as e:
            log.info("ER: SetSelectedRegistrar at %s failed: %s", ap.source, e)
            self._publish(ErSetSelectedRegistrar(ap.uuid, SelRegState.FAILED))
            return
        self._publish(ErSetSelectedRegistrar(ap.uuid, SelRegState.DONE))

    def _arm_policy_timer(self, delay: float) -> None:
        if self._policy_timer is not None:
            self._policy_timer.cancel()
        self._policy_timer = asyncio.get_running_loop().call_later(delay + 0.05, self._policy_tick)

    def _policy_tick(self) -> None:
        if self.policy.expire(self._now()):
            self._announce_selected()
        pending = [p.expires for p in self.policy.pins] + ([self.policy.pbc_until] if self.policy.pbc_until else [])
        if pending:
            self._arm_policy_timer(max(0.0, min(pending) - self._now()))

    # -- plumbing ----------------------------------------------------------------------------------------

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def _spawn(self, coro, what: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(self._guarded(coro, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: coro.close())  # a task cancelled before it ran never started coro
        return task

    @staticmethod
    async def _guarded(coro, what: str) -> None:
        # The daemon's edge for everything a LAN peer can trigger: one line in the log, the ER goes on.
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.error("ER: %s failed: %r", what, e)
            log.debug("ER: %s failed", what, exc_info=True)
