"""The BSS table: what scans found, with stable ids and age-out (the texts clients see are in pywps.ctrl).

Pure bookkeeping: the caller passes the loop time in. Ids grow from 0 as entries appear, like wpa_supplicant's,
so `BSS NEXT-<id>` walks and `RANGE=` selections work the same. An entry leaves the table by either of
wpa_supplicant's two rules (bss.c): missing from `expiration_scans` scans that covered its channel
(wpa_bss_update_end), or not seen for `expiration_age` seconds, which the caller asks every EXPIRATION_PERIOD
seconds (wpa_bss_timeout). Defaults: bss_expiration_scan_count 2, bss_expiration_age 180 s.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from ..driver.base import WILDCARD_SSID, ScanEntry
from ..wps.ie import EID_SSID, WpsIeInfo, find_element, find_vendor_element, wps_info_from_ies

EXPIRATION_AGE = 180.0
EXPIRATION_PERIOD = 10.0  # seconds between two applications of the age rule (WPA_BSS_EXPIRATION_PERIOD)
FRESH_SECONDS = 10.0  # results younger than this are used to join a network without scanning again
SCAN_RES_VALID_FOR_CONNECT = 5.0  # wpa_supplicant's default: how long its last results answer a request to connect
EXPIRATION_SCANS = 2
MAX_SSID_LEN = 32
CAP_ESS, CAP_IBSS, CAP_PRIVACY = 0x0001, 0x0002, 0x0010
EID_RSN = 48
WPA_OUI_TYPE = b"\x00\x50\xf2\x01"


def has_wpa_element(ies: bytes) -> bool:
    """Whether the elements hold an RSN or a WPA (version 1) element: what makes a BSS a WPA one to
    wpa_supplicant's ordering of results and its choice of a network."""
    return find_element(ies, EID_RSN) is not None or find_vendor_element(ies, WPA_OUI_TYPE) is not None


@dataclass
class Bss:
    """One BSS of the table: its latest scan entry, when it was last seen, its parsed WPS IE."""

    id: int
    entry: ScanEntry
    last_update: float
    last_scan: int  # the scan counter when last seen
    misses: int = 0  # scans of its channel since, that did not list it
    wps: WpsIeInfo | None = field(init=False)

    def __post_init__(self) -> None:
        self.wps = wps_info_from_ies(self.entry.ies)

    @property
    def bssid(self) -> bytes:
        return self.entry.bssid

    @property
    def ssid(self) -> bytes:
        return find_element(self.entry.ies, EID_SSID) or b""

    @property
    def level(self) -> int:
        return self.entry.level

    @property
    def privacy(self) -> bool:
        return bool(self.entry.capability & CAP_PRIVACY)

    @property
    def has_wpa(self) -> bool:
        return has_wpa_element(self.entry.ies)

    @property
    def rsn_element(self) -> bytes | None:
        """The RSN element's body, if the BSS sent one."""
        return find_element(self.entry.ies, EID_RSN)

    @property
    def wpa_element(self) -> bytes | None:
        """The WPA (version 1) vendor element's body, if the BSS sent one."""
        return find_vendor_element(self.entry.ies, WPA_OUI_TYPE)


class BssTable:
    """Entries by (BSSID, SSID), as wpa_supplicant keeps them: a hidden AP is one entry for its beacons (SSID
    empty or zeroed) and one for its answers to a probe for its SSID. They are held in the order they were last
    updated (wpa_supplicant's `bss` list), in which they leave; clients see them in id order."""

    def __init__(self) -> None:
        self._entries: dict[tuple[bytes, bytes], Bss] = {}
        self._next_id = 0
        self.scans = 0
        self.updated_at: float | None = None  # when the last results came in (wpa_supplicant's last_scan)
        self.expiration_age = EXPIRATION_AGE  # BSS_EXPIRE_AGE
        self.expiration_scans = EXPIRATION_SCANS  # BSS_EXPIRE_COUNT

    def __iter__(self) -> Iterator[Bss]:
        return iter(sorted(self._entries.values(), key=lambda b: b.id))

    def __len__(self) -> int:
        return len(self._entries)

    def update(self, entries: list[ScanEntry], now: float, keep: bytes | None = None,
               scanned: Collection[int] | None = (), probed: Collection[bytes] = ()) -> tuple[list[Bss], list[Bss]]:
        """Fold results in (wpa_bss_update_scan_res: one without an SSID element, or with a longer one than
        32 bytes, is left out). `scanned`: the channels (MHz) of the scan they come from, empty for every
        channel; None when no complete scan made them (the kernel's cache, an aborted scan): such results count
        no miss. `probed`: the SSIDs the scan asked for, if it asked for named ones only. An entry the scan
        covered (its channel and SSID) that the results lack has missed a scan, and leaves after
        `expiration_scans` misses (never one of `keep`, the BSS we are on). Returns the entries added and those
        dropped, in the order wpa_supplicant announces them."""
        self.scans += 1
        self.updated_at = now
        added = []
        for entry in entries:
            ssid = find_element(entry.ies, EID_SSID)
            if ssid is None or len(ssid) > MAX_SSID_LEN:
                continue
            seen = now - entry.age_ms / 1000
            old = self._entries.pop((entry.bssid, ssid), None)  # back in at the end: the latest update
            if old is None:
                bss = self._entries[entry.bssid, ssid] = Bss(self._next_id, entry, seen, self.scans)
                added.append(bss)
                self._next_id += 1
            else:
                self._entries[entry.bssid, ssid] = Bss(old.id, entry, max(seen, old.last_update), self.scans)
        removed = []
        if scanned is None:
            return added, removed
        for key, bss in list(self._entries.items()):
            if bss.bssid == keep or bss.last_scan == self.scans or not _covered(bss, scanned, probed):
                continue
            bss.misses += 1
            if bss.misses >= self.expiration_scans:
                removed.append(self._entries.pop(key))
        return added, removed

    def expire(self, now: float, keep: bytes | None = None) -> list[Bss]:
        """The age rule: drop what was not seen for `expiration_age` seconds (never `keep`); returns them."""
        return self.flush(self.expiration_age, now, keep)

    def last_results_valid(self, now: float) -> bool:
        """Whether the last results came in at most SCAN_RES_VALID_FOR_CONNECT seconds ago and some are still in
        the table (a BSS_FLUSH takes them out): wpa_supplicant's fast associate then chooses from them."""
        if self.updated_at is None or now - self.updated_at > SCAN_RES_VALID_FOR_CONNECT:
            return False
        return bool(self.last_results())

    def last_results(self) -> list[Bss]:
        """The entries the last results updated that are still here (wpa_supplicant's last_scan_res)."""
        return [bss for bss in self._entries.values() if bss.last_scan == self.scans]

    def seen_lately(self, ssids: set[bytes], now: float) -> bool:
        """Whether one of these SSIDs was seen less than FRESH_SECONDS ago."""
        return any(now - bss.last_update <= FRESH_SECONDS and bss.ssid in ssids for bss in self._entries.values())

    def get(self, bssid: bytes, ssid: bytes | None = None) -> Bss | None:
        """The entry of this BSSID and SSID (wpa_bss_get); without an SSID, the entry of this BSSID updated last
        (wpa_bss_get_bssid), as `BSS <bssid>` shows it."""
        if ssid is not None:
            return self._entries.get((bssid, ssid))
        found = [bss for bss in self._entries.values() if bss.bssid == bssid]
        return found[-1] if found else None

    def flush(self, older_than: float, now: float, keep: bytes | None = None) -> list[Bss]:
        """BSS_FLUSH: drop entries not seen for more than `older_than` seconds (0: all), never `keep`; returns
        them. By age, the walk ends at the first entry seen since, as wpa_bss_flush_by_age's does: it takes
        the update order for the order of sightings."""
        removed = []
        for key, bss in list(self._entries.items()):
            if bss.bssid == keep:
                continue
            if older_than and now - bss.last_update <= older_than:
                break
            removed.append(self._entries.pop(key))
        return removed


def _covered(bss: Bss, scanned: Collection[int], probed: Collection[bytes]) -> bool:
    """Whether a scan would have heard `bss` (wpa_bss_included_in_scan): its channel was scanned, and the scan
    was passive, probed the wildcard SSID, or probed this BSS's."""
    if scanned and bss.entry.freq not in scanned:
        return False
    return not probed or WILDCARD_SSID in probed or bss.ssid in probed
