"""Scanning and AP choice for WPS on a wireless link: the BSS table, its events, and the association a run needs.

The daemon owns one `Station` when its driver can scan. A WPS run asks it for a link (`attach`): scan with our
WPS IE in the probe requests, pick an AP the way wpa_supplicant does (an AP whose registrar is active for our
method; a given BSSID only that one; two APs in PBC mode is a session overlap), associate with the WPS IE in
the association request, and hand back the AP's BSSID for EAPOL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .bss import Bss, BssTable, ssid_text
from .ctrl import events as ev
from .driver.base import Driver, DriverError, LinkCrypto, mac_str
from .wps.defs import DevicePasswordId
from .wps.device import DeviceInfo
from .wps.ie import RegistrarMode, association_request_ie, probe_request_ie
from .wpsrun import PbcOverlap, RunKind, RunRequest

log = logging.getLogger("pywps.station")

SCAN_INTERVAL = 1.0  # seconds between scans while no suitable AP is found (hostap: 5 s backoff, then faster)
PLAIN_WPS_AFTER_SCANS = 2  # PIN runs also try an AP without an active registrar after this many scans


class Busy(Exception):
    """A scan is already in progress."""


class Station:
    def __init__(self, driver: Driver, publish: Callable[[str], None], device_info: Callable[[], DeviceInfo],
                 clock: Callable[[], float]) -> None:
        self.driver = driver
        self.publish = publish
        self.device_info = device_info
        self.clock = clock
        self.table = BssTable()
        self.associated: Bss | None = None
        self._scanning = False
        self._leaving: asyncio.Task | None = None

    # -- scans -----------------------------------------------------------------------------------------

    @property
    def scanning(self) -> bool:
        return self._scanning

    async def scan(self, password_id: DevicePasswordId = DevicePasswordId.DEFAULT) -> None:
        if self._scanning:
            raise Busy()
        self._scanning = True
        try:
            entries = await self.driver.scan(probe_request_ie(self.device_info(), password_id))
        except DriverError as e:
            self.publish(f"CTRL-EVENT-SCAN-FAILED ret=-1 ({e})")
            raise
        finally:
            self._scanning = False
        keep = self.associated.bssid if self.associated else None
        self.table.update(entries, self.clock(), keep=keep)
        self.publish(ev.SCAN_RESULTS)
        if self.associated is None:
            self._notify_wps_available()

    def _notify_wps_available(self) -> None:
        """One WPS-AP-AVAILABLE* event per scan, for the most useful registrar seen (hostap's precedence)."""
        own = self.driver.own_addr
        modes = {b.wps.mode_for(own) for b in self.table if b.wps is not None}
        for mode, text in ((RegistrarMode.PBC, ev.WPS_AP_AVAILABLE_PBC), (RegistrarMode.AUTH, ev.WPS_AP_AVAILABLE_AUTH),
                           (RegistrarMode.PIN, ev.WPS_AP_AVAILABLE_PIN), (RegistrarMode.NONE, ev.WPS_AP_AVAILABLE)):
            if mode in modes:
                self.publish(text)
                return

    # -- AP choice -------------------------------------------------------------------------------------

    def choose(self, request: RunRequest, scans_done: int) -> Bss | None:
        candidates = [b for b in self.table if b.wps is not None and b.ssid]
        if request.bssid is not None:
            candidates = [b for b in candidates if b.bssid == request.bssid]
        own = self.driver.own_addr
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
            if b.wps.authorizes(own, ver1_compat=True):
                return 2
            return 1 if b.wps.pin_active else 0

        usable = [b for b in candidates if not b.wps.pbc_active]
        if scans_done < PLAIN_WPS_AFTER_SCANS:
            usable = [b for b in usable if rank(b) > 0]
        if not usable:
            return None
        return max(usable, key=lambda b: (rank(b), b.level))

    # -- association -----------------------------------------------------------------------------------

    async def attach(self, request: RunRequest) -> bytes:
        """Scan until an AP fits, associate for WPS, return its BSSID; loops until cancelled (walk time)."""
        password_id = DevicePasswordId.PUSHBUTTON if request.kind is RunKind.PBC else DevicePasswordId.DEFAULT
        scans = 0
        while True:
            try:
                await self.scan(password_id)
                scans += 1
            except (DriverError, Busy) as e:
                log.debug("scan for WPS failed: %s", e)
            bss = self.choose(request, scans)  # PbcOverlap propagates: the run ends
            if bss is not None:
                try:
                    await self.associate(bss, association_request_ie(registrar=request.kind is RunKind.REG))
                    return bss.bssid
                except DriverError as e:
                    log.info("%s", e)
            await asyncio.sleep(SCAN_INTERVAL)

    async def associate(self, bss: Bss, ies: bytes, crypto: LinkCrypto | None = None) -> None:
        """Associate with `bss` (`ies` in the request), with wpa_supplicant's two progress messages; both WPS
        runs and the connector come through here. DriverError when the AP or the kernel refuses."""
        self.publish(f"Trying to associate with {mac_str(bss.bssid)} (SSID='{ssid_text(bss.ssid)}' "
                     f"freq={bss.entry.freq} MHz)")
        await self.driver.associate(bss.bssid, bss.ssid, bss.entry.freq, ies, crypto, privacy=bss.privacy)
        self.associated = bss
        self.publish(f"Associated with {mac_str(bss.bssid)}")

    async def detach(self, reason: int = 3) -> None:
        """Leave the BSS of a WPS run; callers that come later wait for the same disconnect to finish."""
        if self.associated is not None:
            self.associated = None
            self._leaving = asyncio.get_running_loop().create_task(self._disconnect(reason))
        if self._leaving is not None:
            await asyncio.wait([self._leaving])

    async def _disconnect(self, reason: int) -> None:
        try:
            await self.driver.disconnect(reason)
        except DriverError as e:
            log.warning("%s", e)
