"""Scans, the BSS table, AP choice and association on a wireless link: the one owner of "which BSS we are on".

The daemon owns one `Station` when its driver can scan. A WPS run asks it for a link (`attach`): scan with our
WPS IE in the probe requests, pick an AP the way wpa_supplicant does (an AP whose registrar is active for our
method; a given BSSID only that one; two APs in PBC mode is a session overlap), associate with the WPS IE in
the association request, and hand back the AP's BSSID for EAPOL. The connector associates through it too.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable, Collection, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..driver.base import (
    MAX_SCAN_SSIDS,
    WILDCARD_SSID,
    AssociationRejected,
    AuthenticationRejected,
    Driver,
    DriverError,
    LinkCrypto,
    LinkDisconnected,
    OthersScanEnded,
    ScanEntry,
    ScanParams,
    ScanRefused,
    mac_str,
)
from ..events import (
    AssocRejected,
    Associated,
    Associating,
    Authenticating,
    AuthRejected,
    BssAdded,
    BssRemoved,
    NetworkNotFound,
    RegistrarSeen,
    ScanBegan,
    ScanFailed,
    ScanResultsReady,
    RejectedAttemptNotLeft,
    SubnetStatusUpdate,
    WpsApAvailable,
)
from ..wps.defs import DevicePasswordId, RequestType
from ..wps.device import DeviceInfo
from ..wps.ie import (
    RegistrarMode,
    association_request_ie,
    probe_request_ie,
)
from .bss import EXPIRATION_PERIOD, SCAN_RES_VALID_FOR_CONNECT, Bss, BssTable
from .ignorelist import IgnoreList, failure_rescan
from .macaddr import AddressChoice, AddressRequest
from .ranking import scan_order
from .types import PLAIN_SCAN, PbcOverlap, RunKind, RunRequest, ScanOptions

if TYPE_CHECKING:
    from ..driver.radio import HwMode

log = logging.getLogger("pywps.station")

SCAN_INTERVAL = 1.0  # seconds between scans while no suitable AP is found (hostap: 5 s backoff, then faster)
# A PIN run takes an AP without an active registrar for it only after this many scans and seconds (wpa_supplicant's
# WPS_PIN_SCAN_IGNORE_SEL_REG and WPS_PIN_TIME_IGNORE_SEL_REG: some APs' external registrars do not say they are on)
PLAIN_WPS_AFTER_SCANS = 3
PLAIN_WPS_AFTER_SECONDS = 5.0
REASON_DEAUTH_LEAVING = 3
_SEEN = ((RegistrarMode.PBC, RegistrarSeen.PBC), (RegistrarMode.AUTH, RegistrarSeen.AUTH),
         (RegistrarMode.PIN, RegistrarSeen.PIN), (RegistrarMode.NONE, RegistrarSeen.ANY))


class Busy(Exception):
    """A scan is already in progress."""


def probe_request_of(run: RunRequest | None) -> tuple[RequestType, DevicePasswordId]:
    """The request type and password ID our probe requests give for a WPS run, as wpa_supplicant's scans give
    them while its WPS network exists (wpas_wps_in_use): an enrollee's (PBC's password ID for a PBC run) or a
    registrar's; with no run, information only."""
    if run is None:
        return RequestType.ENROLLEE_INFO, DevicePasswordId.DEFAULT
    if run.kind is RunKind.REG:
        return RequestType.REGISTRAR, DevicePasswordId.DEFAULT
    pbc = run.kind is RunKind.PBC
    return RequestType.ENROLLEE_OPEN_8021X, DevicePasswordId.PUSHBUTTON if pbc else DevicePasswordId.DEFAULT


class WpsSearch:
    """What a WPS run's search for its AP keeps from one association to the next (wpa_supplicant keeps these per
    interface, and a run starts them afresh): when the run began and the scans since (scan_runs and
    wps_pin_start_time: see PLAIN_WPS_AFTER_SCANS), and the attempts that failed in a row
    (consecutive_conn_failures: how long the scan after a refused association waits)."""

    __slots__ = ("started", "scans", "failures")  # a plain class: the station's module is on a radio's start path

    def __init__(self, started: float) -> None:
        self.started = started
        self.scans = 0
        self.failures = 0

    def any_wps_ap(self, now: float) -> bool:
        """A PIN run may take an AP without an active registrar now."""
        return self.scans >= PLAIN_WPS_AFTER_SCANS and now - self.started >= PLAIN_WPS_AFTER_SECONDS


def first_scan_freqs(table: BssTable, request: RunRequest, ignored: Collection[bytes] = ()) -> list[int]:
    """The channels (MHz) a WPS run scans before it scans them all; none: it starts with all of them.
    A run for a BSSID the table knows scans that BSS's channel first, as wpa_supplicant does (known_wps_freq).
    Beyond wpa_supplicant, a PIN run for any AP first scans the channels of the WPS APs the table holds (their
    IEs there may be stale, the registrar's state is what the scan is for): with its AP among them, a run
    skips the ~40 other channels of a dual-band radio. A push-button run for any AP always scans every channel:
    a session overlap on a channel it skipped would go unseen."""
    if request.bssid is not None:
        known = table.get(request.bssid)
        return [known.entry.freq] if known is not None and known.entry.freq else []
    if request.kind is not RunKind.PIN:
        return []
    return sorted({b.entry.freq for b in table if b.wps is not None and b.entry.freq and b.bssid not in ignored})


def choose_ap(table: Iterable[Bss], request: RunRequest, own_addr: bytes, any_wps_ap: bool,
              ignored: Collection[bytes] = ()) -> Bss | None:
    """The AP a WPS run should use, as wpa_supplicant picks it; PbcOverlap when two registrars push the button.
    BSSIDs whose ignore list entries count (`ignored`) are not chosen. `any_wps_ap`: a PIN run may take an AP
    whose registrar is not active for it (WpsSearch.any_wps_ap)."""
    candidates = [b for b in table if b.wps is not None and b.ssid and b.bssid not in ignored]
    if request.bssid is not None:
        candidates = [b for b in candidates if b.bssid == request.bssid]
    if request.kind is RunKind.REG:
        return candidates[0] if candidates else None
    if request.kind is RunKind.PBC:
        pbc = [b for b in candidates if b.wps.pbc_active]
        if not pbc:
            return None
        chosen = max(pbc, key=lambda b: b.level)
        others = {b.wps.uuid_e for b in pbc if b.bssid != chosen.bssid and b.wps.uuid_e != chosen.wps.uuid_e}
        if others or (len(pbc) > 1 and chosen.wps.uuid_e is None):
            # The same UUID on two BSSes is one dual-band AP, not an overlap.
            raise PbcOverlap(", ".join(mac_str(b.bssid) for b in pbc))
        return chosen

    def rank(b: Bss) -> int:
        if b.wps.authorizes(own_addr, ver1_compat=True):
            return 2
        return 1 if b.wps.pin_active else 0

    usable = [b for b in candidates if not b.wps.pbc_active]
    if not any_wps_ap:
        usable = [b for b in usable if rank(b) > 0]
    if not usable:
        return None
    return max(usable, key=lambda b: (rank(b), b.level))


class Station:
    def __init__(self, driver: Driver, publish: Callable[[object], None], device_info: Callable[[], DeviceInfo],
                 clock: Callable[[], float], hidden_ssids: Callable[[], Sequence[bytes]] = lambda: (),
                 user_disconnected: Callable[[], bool] = lambda: False,
                 network_found: Callable[[], bool | None] = lambda: None,
                 wps_searching: Callable[[], bool] = lambda: False,
                 default_freqs: Callable[[], Sequence[int]] = lambda: (),
                 preassoc: Callable[[], tuple[int, int]] = lambda: (0, 60)) -> None:
        self.driver = driver
        self.preassoc = preassoc  # preassoc_mac_addr and rand_addr_lifetime: the address of scans while unassociated
        self.default_freqs = default_freqs  # the channels of a scan that names none (the global freq_list)
        # a WPS run is on: every scan's results are ordered for it, a SCAN command's and another program's too
        # (wpa_supplicant_get_scan_results asks wpas_wps_searching, whoever scanned)
        self.wps_searching = wps_searching
        # after a scan of ours: whether its results offer a network to join (None: no choice is made)
        self.network_found = network_found
        self.user_disconnected = user_disconnected  # DISCONNECT holds until RECONNECT (the connector's policy)
        # the SSIDs of the enabled networks with scan_ssid=1: scans outside a WPS run probe for them (and the
        # wildcard), as wpa_supplicant_scan adds them
        self.hidden_ssids = hidden_ssids
        self.publish = publish
        self.device_info = device_info
        self.clock = clock
        self.table = BssTable()
        # wpa_supplicant's BSSID ignore list: APs a connection failed with, and BSSID_IGNORE's (a WPS run skips
        # every entry that counts; the connection policy weighs the counts)
        self.ignored = IgnoreList()
        self._associated: Bss | None = None
        self._four_addr = False  # a Multi-AP backhaul link turned the interface's 4-address mode on
        self._associating = False  # the kernel is taking an association of ours (wpa_state ASSOCIATING)
        self.addresses = AddressChoice(driver.permanent_addr)  # mac_addr's random addresses
        self._scanning = False
        # resolved when the scan under way ends: with the DriverError it failed with, or None
        self._scan_over: asyncio.Future[DriverError | None] | None = None
        # resolved once the kernel has answered the trigger of the scan under way: True if it took it
        self._scan_taken: asyncio.Future[bool] | None = None
        self.radio_modes: list[HwMode] | None = None  # the radio's bands and HT/VHT/HE abilities, once read
        self.scans_done = 0  # scans of ours that completed (STATUS: INACTIVE once one found nothing to do)
        self._scan_id: int | None = None  # the id of our scan under way (SCAN use_id=1)
        self._clear_cache = False  # BSS_FLUSH or FLUSH emptied the table: the next scan drops the kernel's cache
        self._others: set[asyncio.Task] = set()  # reading another program's scan results
        self._leaving: asyncio.Task | None = None
        self._left: bytes | None = None  # the BSS we asked to leave: its disconnect event is no news
        self._expiry = asyncio.get_running_loop().call_later(EXPIRATION_PERIOD, self._expire)
        # set while the interface is up: scans and associations wait for it, as wpa_supplicant skips them while
        # its interface is disabled and scans once it is enabled again
        self._enabled = asyncio.Event()
        self._forget: asyncio.TimerHandle | None = None  # the table of a disabled interface, once too old
        if driver.enabled:
            self._enabled.set()

    @property
    def associated(self) -> Bss | None:
        return self._associated

    @property
    def scanning(self) -> bool:
        return self._scanning

    @property
    def enabled(self) -> bool:
        return self._enabled.is_set()

    def set_enabled(self, enabled: bool) -> None:
        if self._forget is not None:
            self._forget.cancel()
            self._forget = None
        if enabled:
            self._enabled.set()
            return
        self._enabled.clear()
        # wpa_supplicant forgets a disabled interface's BSS table once its last results are too old to connect
        # from (wpas_clear_disabled_interface): each entry removed (CTRL-EVENT-BSS-REMOVED), the kernel's cache
        # dropped with the next scan
        updated = self.table.updated_at
        age = SCAN_RES_VALID_FOR_CONNECT if updated is None else self.clock() - updated
        delay = SCAN_RES_VALID_FOR_CONNECT if age >= SCAN_RES_VALID_FOR_CONNECT else SCAN_RES_VALID_FOR_CONNECT - age
        self._forget = asyncio.get_running_loop().call_later(delay, self.flush_table, 0)

    # -- scans -----------------------------------------------------------------------------------------

    async def scan(self, freqs: Sequence[int] = (), run: RunRequest | None = None,
                   ssids: Sequence[bytes] | None = None) -> None:
        """`ssids`: probe for these alone (a background scan's network), not the wildcard and hidden ones."""
        await self.start_scan(freqs, run, PLAIN_SCAN if ssids is None else ScanOptions(ssids=tuple(ssids)))

    def start_scan(self, freqs: Sequence[int] = (), run: RunRequest | None = None,
                   options: ScanOptions = PLAIN_SCAN) -> Coroutine[Any, Any, None]:
        """Mark the radio busy now and return the scan (of `freqs` MHz, or every channel) to run: a SCAN command
        arriving before the task that runs it has started is FAIL-BUSY, as wpa_supplicant answers a second
        SCAN. Busy if one is running. `run`: the WPS run the scan is for, which its probe requests announce."""
        if self._scanning:
            raise Busy()
        self._scanning = True
        self._scan_id = options.scan_id
        self._scan_over = asyncio.get_running_loop().create_future()
        self._scan_taken = asyncio.get_running_loop().create_future()
        return self._scan(freqs, run, options)

    async def scan_running(self) -> bool:
        """Whether a scan of ours is under way once the kernel has answered its trigger. wpa_supplicant
        triggers a scan synchronously, so a control command never sees one the kernel is about to refuse (a
        retry of a refused scan, every second); ours awaits the kernel, and a command waits for that answer."""
        if not self._scanning or self._scan_taken is None:
            return False
        return await asyncio.shield(self._scan_taken)

    async def finish_scan_under_way(self) -> bool:
        """Wait for the scan under way to end (True: what it found is in the table by then); False if none is
        under way. The DriverError it failed with, if it did: a waiter then sees a failed scan, not results."""
        if not self._scanning or self._scan_over is None:
            return False
        if (failure := await asyncio.shield(self._scan_over)) is not None:
            raise failure
        return True

    async def _scan(self, freqs: Sequence[int], run: RunRequest | None, options: ScanOptions) -> None:
        freqs = freqs or tuple(self.default_freqs())  # wpa_supplicant_scan's last word on the channels
        ssids = options.ssids
        if ssids == PLAIN_SCAN.ssids and run is None:  # hidden networks answer only a probe for their SSID
            ssids = (*self.hidden_ssids()[:MAX_SCAN_SSIDS - 1], WILDCARD_SSID)
        announced = probe_request_of(run or options.announces)
        params = ScanParams(freqs, ssids, probe_request_ie(self.device_info(), *announced),
                            options.bssid, flush=options.only_new or self._clear_cache)
        failure: DriverError | None = None
        try:
            await self._enabled.wait()
            await self._scan_address()
            results = await self.driver.scan(params)
            entries = await self._in_wpa_supplicant_order(results.entries)
        except DriverError as e:
            log.debug("scan failed: %s", e)
            failure = e
            code = e.code if isinstance(e, ScanRefused) else 1
            # wpas_trigger_scan_cb: tried again unless asked for by SCAN, after DISCONNECT or unsupported
            retry = not (options.manual or self.user_disconnected() or code == errno.EOPNOTSUPP)
            self.publish(ScanFailed(-code, retry))
            raise
        finally:
            self._scanning = False
            self._scan_id = None
            if self._scan_over is not None and not self._scan_over.done():
                # waiters wake after this method has put the results in the table: it does not await again
                self._scan_over.set_result(failure)
            if self._scan_taken is not None and not self._scan_taken.done():
                # no scan-started event (a driver without one): a scan that found something ran
                self._scan_taken.set_result(failure is None)
        self._clear_cache = False
        self.scans_done += 1
        self._fold(entries, None if results.aborted else freqs, ssids, options.scan_id)
        if run is None and options.select and self.network_found() is False:
            self.publish(NetworkNotFound())

    async def permanent_address_again(self) -> None:
        """The permanent address back on the interface (wpas_restore_permanent_mac_addr)."""
        await self._set_address(self.addresses.permanent, 0)

    async def _set_address(self, address: bytes, style: int) -> None:
        """Give the interface `address`, chosen for mac_addr style `style`, and remember it."""
        await self.driver.set_mac_addr(address)
        self.addresses.took(address, style, self.clock())
        log.debug("using %s MAC address %s", "the permanent" if address == self.addresses.permanent else "a random",
                  mac_str(address))

    async def _scan_address(self) -> None:
        """preassoc_mac_addr: a random address for a scan while not associated (wpas_trigger_scan_cb), nor
        associating: the address goes with the interface down for a moment."""
        if self._associated is not None or self._associating:
            return
        style, lifetime = self.preassoc()
        try:
            address = self.addresses.for_scan(style, lifetime, self.clock())
        except ValueError as e:
            raise DriverError(f"no random MAC address for the scan: {e}") from None
        if address is not None:
            await self._set_address(address, style)

    def scan_began(self) -> None:
        """The kernel says a scan started: ours (with its id, if it has one) or another program's."""
        self.publish(ScanBegan(self._scan_id if self._scanning else None))
        if self._scanning and self._scan_taken is not None and not self._scan_taken.done():
            self._scan_taken.set_result(True)

    def others_scan_ended(self, event: OthersScanEnded) -> None:
        """Another program's scan ended: its results go into the table as wpa_supplicant takes them (misses
        counted, unless it was aborted), with CTRL-EVENT-SCAN-RESULTS and WPS-AP-AVAILABLE*; a WPS run or the
        connector does not act on them (wpa_supplicant selects no network from them)."""
        task = asyncio.get_running_loop().create_task(self._take_others_scan(event))
        self._others.add(task)
        task.add_done_callback(self._others.discard)

    async def _take_others_scan(self, event: OthersScanEnded) -> None:
        try:
            entries = await self._in_wpa_supplicant_order(await self.driver.scan_results())
        except DriverError as e:
            log.debug("another program's scan results could not be read: %s", e)
            return
        self._fold(entries, None if event.aborted else event.freqs, event.ssids)

    async def _in_wpa_supplicant_order(self, entries: list[ScanEntry]) -> list[ScanEntry]:
        """The results in the order wpa_supplicant folds them in (ranking.py): it numbers new BSSes in it. During
        a WPS run, the WPS search order. Fewer than two results have no order to decide: no need of the radio's
        modes (reading them is a wiphy dump, ~0.15 s under emulation, before a first WPS run's scan). The
        radio's keys are known before any result goes on: which networks can join a BSS depends on them (one
        that needs management frame protection), and wpa_supplicant reads them before its first scan."""
        if len(entries) < 2:
            ordered = list(entries)
        else:
            try:
                modes = await self.read_radio_modes()  # on nl80211 the same dump tells the keys
            except DriverError:
                modes = []  # est_throughput from the legacy rates alone, this time
            ordered = scan_order(entries, modes, self.wps_searching())
        if ordered:
            try:
                await self.driver.read_ciphers()
            except DriverError as e:
                log.debug("the radio's keys could not be read: %s", e)
        return ordered

    def _fold(self, entries: list[ScanEntry], scanned: Sequence[int] | None, probed: Sequence[bytes],
              scan_id: int | None = None) -> None:
        """A scan's results into the table (`scanned`, `probed`: what it covered, for the misses; None: no
        misses), told as wpa_supplicant tells them: the table's changes, CTRL-EVENT-SCAN-RESULTS,
        WPS-AP-AVAILABLE*."""
        keep = self._associated.bssid if self._associated else None
        self._table_changed(*self.table.update(entries, self.clock(), keep=keep, scanned=scanned, probed=probed))
        self.publish(ScanResultsReady(scan_id))
        self._notify_wps_available()

    async def read_radio_modes(self) -> list[HwMode]:
        """The radio's bands and HT/VHT/HE abilities (BSS est_throughput): read once, they do not change; a
        failed read is not kept."""
        if self.radio_modes is None:
            self.radio_modes = await self.driver.hw_modes()
        return self.radio_modes

    async def warm_up(self) -> None:
        """Read the radio's modes while the daemon is idle (the daemon's warm-up), so that a first WPS run or
        SCAN does not wait for them before it orders its results."""
        try:
            await self.read_radio_modes()
        except DriverError as e:
            log.debug("the radio's modes could not be read ahead: %s", e)

    async def take_kernel_cache(self) -> bool:
        """The results the kernel kept (from before we started, or another program's scans): into the table,
        without a scan's events. False when the kernel would not give them."""
        try:
            entries = await self._in_wpa_supplicant_order(await self.driver.scan_results())
        except DriverError as e:
            log.debug("no cached scan results: %s", e)
            return False
        self._table_changed(*self.table.update(entries, self.clock(), scanned=None))
        return True

    def flush_table(self, older_than: float, keep: bytes | None = None) -> None:
        """BSS_FLUSH, FLUSH, the daemon's end: drop what was not seen for `older_than` seconds (0: all), never
        `keep`. After a flush of all, the next scan asks the kernel to drop its cache too (wpa_bss_flush), so
        that an AP gone a moment ago does not come back from it."""
        if not older_than:
            self._clear_cache = True
        self._table_changed([], self.table.flush(older_than, self.clock(), keep))

    def _expire(self) -> None:
        """The table's age rule, every EXPIRATION_PERIOD seconds as wpa_supplicant's wpa_bss_timeout applies it
        (never to the BSS we are on)."""
        keep = self._associated.bssid if self._associated else None
        self._table_changed([], self.table.expire(self.clock(), keep))
        self._expiry = asyncio.get_running_loop().call_later(EXPIRATION_PERIOD, self._expire)

    def close(self) -> None:
        """The daemon ends: no more ageing, no more results taken."""
        self._expiry.cancel()
        if self._forget is not None:
            self._forget.cancel()
        for task in self._others:
            task.cancel()

    def _table_changed(self, added: list[Bss], removed: list[Bss]) -> None:
        """Tell monitors, as wpa_supplicant does: a scan's additions, then what left the table."""
        for bss in added:
            self.publish(BssAdded(bss.id, bss.bssid))
        for bss in removed:
            self.publish(BssRemoved(bss.id, bss.bssid))

    def _notify_wps_available(self) -> None:
        """One WPS-AP-AVAILABLE* event per scan, for the most useful registrar seen (hostap's precedence); none
        while associated or after DISCONNECT (wpas_wps_notify_scan_results)."""
        if self._associated is not None or self.user_disconnected():
            return
        own = self.driver.own_addr
        modes = {b.wps.mode_for(own) for b in self.table if b.wps is not None}
        for mode, seen in _SEEN:
            if mode in modes:
                self.publish(WpsApAvailable(seen))
                return

    # -- association -----------------------------------------------------------------------------------

    async def attach(self, request: RunRequest, address: AddressRequest | None = None,
                     search: WpsSearch | None = None) -> bytes:
        """Scan until an AP fits, associate for WPS (`address`: the run network's mac_addr), return its BSSID;
        loops until cancelled (walk time). PbcOverlap when two push-button registrars are seen. `search`: what
        the run's earlier searches left (its scans and failed attempts); a refused association puts the AP in the
        ignore list, and the next scan waits as wpas_connection_failed's does."""
        search = search if search is not None else WpsSearch(self.clock())
        if len(self.table) == 0:  # nothing heard yet: the kernel's cache may know where the WPS APs are
            await self.take_kernel_cache()
        freqs = first_scan_freqs(self.table, request, self.ignored.counted(self.clock()))
        while True:
            started = self.clock()
            try:
                await self.scan(freqs, request)
                search.scans += 1
            except (DriverError, Busy) as e:
                log.debug("scan for WPS failed: %s", e)
            found: Iterable[Bss] = self.table
            if freqs:  # only what this scan heard: the table's other entries are older than the run
                found = [b for b in self.table if b.entry.freq in freqs and b.last_update >= started]
            bss = self._choose_for_run(list(found), request, search)
            wait = SCAN_INTERVAL
            if bss is not None:
                try:
                    ies = association_request_ie(registrar=request.kind is RunKind.REG)
                    if request.backhaul_sta:  # the run's network is a backhaul station's (wpas_wps_start_pbc)
                        from .multiap import multi_ap_element

                        ies += multi_ap_element()
                    await self.associate(bss, ies, backhaul_sta=request.backhaul_sta, wps_run=True, address=address)
                    return bss.bssid
                except DriverError as e:
                    log.info("%s", e)
                    wait = self.attempt_failed(bss.bssid, search)
            if freqs:  # the channels first scanned are scanned once; every channel from now on
                log.debug("no AP joined on %s MHz: scanning every channel", ",".join(map(str, freqs)))
                freqs = []
                if bss is None:
                    continue
            await asyncio.sleep(wait)

    def attempt_failed(self, bssid: bytes, search: WpsSearch) -> float:
        """A WPS run's association refused (wpas_connection_failed), or its attempt ended without success and it
        goes on (wpas_wps_eapol_cb): the AP goes in the ignore list, which the next scan's choice clears again if
        that leaves no AP, and one more failure counts in a row. The seconds the next scan waits after a refusal."""
        self.ignored.add(bssid, self.clock())
        search.failures += 1
        return failure_rescan(search.failures)

    def _choose_for_run(self, found: list[Bss], request: RunRequest, search: WpsSearch) -> Bss | None:
        """choose_ap skipping the APs in the ignore list; when that leaves none, the list is cleared and the choice
        made again (wpa_supplicant_pick_network: "No APs found - clear BSSID ignore list and try again")."""
        own, now = self.driver.own_addr, self.clock()
        any_wps_ap = search.any_wps_ap(now)
        bss = choose_ap(found, request, own, any_wps_ap, self.ignored.counted(now))
        if bss is None and self.ignored:
            log.debug("No APs found - clear BSSID ignore list and try again")
            self.ignored.clear()
            bss = choose_ap(found, request, own, any_wps_ap)
        return bss

    async def associate(self, bss: Bss, ies: bytes, crypto: LinkCrypto | None = None,
                        backhaul_sta: bool = False, wps_run: bool = False,
                        address: AddressRequest | None = None, prev_bssid: bytes | None = None) -> None:
        """Associate with `bss` (`ies` in the request), leaving the current BSS first as wpa_supplicant does
        (the kernel refuses a second association with EALREADY). DriverError when the AP or kernel refuses.
        `backhaul_sta`: as a Multi-AP backhaul station (`ies` carry its element), which the AP's answer must
        take, then with 4-address frames (multi_ap_set_4addr_mode); left again when it does not. `address`:
        the network's mac_addr, which may give the interface a random address first. `prev_bssid`: the BSS
        of the link, when it is one of the same network: a reassociation from it, without leaving it first
        (the kernel drops that link as it authenticates with the new BSS, and tells no disconnect)."""
        if prev_bssid is not None and self._associated is not None and self._associated.bssid == prev_bssid:
            self._associated = None
        else:
            prev_bssid = None
            await self.leave()
        await self._enabled.wait()
        if address is not None:
            await self._take_address(address)
        if self._four_addr:  # wpa_supplicant_mark_disassoc turns it off with the link it was for
            self._four_addr = False
            await self.driver.set_4addr(False)
        await self._associate(bss, ies, crypto, prev_bssid)
        self._associated = bss
        self.publish(Associated(bss.bssid))
        self.publish(SubnetStatusUpdate(0))  # after each association, as wpa_supplicant's EVENT_ASSOC says it
        if backhaul_sta:
            await self._backhaul_link(wps_run)

    async def _associate(self, bss: Bss, ies: bytes, crypto: LinkCrypto | None, prev_bssid: bytes | None) -> None:
        """The driver's association, told as wpa_supplicant tells it: on a radio whose kernel authenticates apart
        (where its SME does), "SME: Trying to authenticate with" first and "Trying to associate with" once the AP
        accepted the authentication; the AP's refusal of either (CTRL-EVENT-AUTH-REJECT, -ASSOC-REJECT)."""
        apart, told = self.driver.authenticates_apart, False

        def authenticated() -> None:
            nonlocal told
            told = True
            self.publish(Associating(bss.bssid, bss.ssid, bss.entry.freq))

        if apart:
            self.publish(Authenticating(bss.bssid, bss.ssid, bss.entry.freq))
        else:
            authenticated()
        self._associating = True
        try:
            await self.driver.associate(bss.bssid, bss.ssid, bss.entry.freq, ies, crypto, privacy=bss.privacy,
                                        prev_bssid=prev_bssid, on_authenticated=authenticated if apart else None)
        except AuthenticationRejected as e:
            self.publish(AuthRejected(e.bssid, e.auth_type, e.transaction, e.status, e.ies))
            raise
        except AssociationRejected as e:
            if not told:  # the kernel said nothing of the authentication: it was taken all the same
                authenticated()
            self.publish(AssocRejected(e.bssid, e.status))
            if apart:
                self.publish(RejectedAttemptNotLeft())
            raise
        except asyncio.CancelledError:
            # given up half-way (a WPS run cancelled or ended): the kernel's attempt goes on unless it is told, and
            # the next association would meet it (EALREADY, then the AP's deauthentication). As wpa_supplicant
            # deauthenticates its pending BSSID, it is left; what the kernel then says of it is no news.
            self._left = bss.bssid
            self._leaving = asyncio.get_running_loop().create_task(self._disconnect(REASON_DEAUTH_LEAVING))
            raise
        finally:
            self._associating = False
        if not told:
            authenticated()

    async def _take_address(self, request: AddressRequest) -> None:
        """The address mac_addr asks for (wpa_supplicant_associate): a random one for another network, the
        permanent one again for mac_addr=0. DriverError when it cannot be had: no association then."""
        try:
            address = self.addresses.address_for(request, self.clock())
        except ValueError as e:
            raise DriverError(str(e)) from None
        if address is not None:
            await self._set_address(address, request.style)
        self.addresses.associating(request)

    async def _backhaul_link(self, wps_run: bool) -> None:
        from .multiap import backhaul_link, multi_ap_of

        try:
            if backhaul_link(multi_ap_of(self.driver.assoc_resp_ies), wps_run):
                await self.driver.set_4addr(True)
                self._four_addr = True
        except (ValueError, DriverError) as e:
            log.info("Multi-AP: %s", e)
            await self.leave()
            raise DriverError(f"Multi-AP: {e}") from None

    async def leave(self, reason: int = REASON_DEAUTH_LEAVING) -> None:
        """Leave the current BSS; callers that come meanwhile wait for the same disconnect to finish. The
        disconnect is told at once, as wpa_supplicant tells its own deauthentication (wpa_supplicant_deauthenticate):
        what the kernel then says of that BSS is no news (`link_lost`), be it the echo of ours or the AP's
        deauthentication crossing it (after a WPS run hostapd sends one ~10 ms after its EAP-Failure)."""
        if self._associated is not None:
            bssid = self._left = self._associated.bssid
            self._associated = None
            self.publish(LinkDisconnected(bssid, reason, locally_generated=True))
            self._leaving = asyncio.get_running_loop().create_task(self._disconnect(reason))
        if self._leaving is not None:
            leaving = self._leaving
            await asyncio.wait([leaving])
            if self._leaving is leaving:
                self._leaving = None

    def link_lost(self, event: LinkDisconnected) -> bool:
        """The driver reported a disconnect. True when it is news: not the kernel's one word on a BSS we left
        (on nl80211 it can arrive after the next association has begun); leave() has told that already."""
        if self._left is not None and event.bssid in (self._left, None):
            self._left = None
            return False
        self._associated = None
        return True

    async def _disconnect(self, reason: int) -> None:
        try:
            await self.driver.disconnect(reason)
        except DriverError as e:
            self._left = None  # the kernel refused: no word on it will come
            log.warning("%s", e)
        if self._four_addr:
            self._four_addr = False
            try:
                await self.driver.set_4addr(False)
            except DriverError as e:
                log.warning("%s", e)
