"""The BSS table: what scans found, with stable ids, age-out, and wpa_supplicant's SCAN_RESULTS and BSS texts.

Pure bookkeeping: the caller passes the loop time in. Ids grow from 0 as BSSes appear, like wpa_supplicant's,
so `BSS NEXT-<id>` walks and `RANGE=` selections work the same. An entry leaves the table when it has not been
seen for `EXPIRATION_AGE` seconds and in the last `EXPIRATION_SCANS` scans (wpa_supplicant's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .driver.base import ScanEntry, mac_bytes, mac_str
from .wpa.rsn import scan_flags
from .wps.defs import WPS_OUI_TYPE
from .wps.ie import EID_SSID, WpsIeInfo, find_element, find_vendor_element, wps_info_from_ies

EXPIRATION_AGE = 180.0
EXPIRATION_SCANS = 2
CAP_ESS, CAP_IBSS, CAP_PRIVACY = 0x0001, 0x0002, 0x0010
EID_RSN = 48
WPA_OUI_TYPE = b"\x00\x50\xf2\x01"
SCAN_RESULTS_HEADER = "bssid / frequency / signal level / flags / ssid"



@dataclass
class Bss:
    id: int
    entry: ScanEntry
    last_update: float
    last_scan: int  # the scan counter when last seen
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
        return self.entry.signal_mbm // 100 if self.entry.signal_mbm else 0

    @property
    def privacy(self) -> bool:
        return bool(self.entry.capability & CAP_PRIVACY)

    def status_fields(self) -> dict[str, str]:
        """The STATUS lines that describe the BSS we are on."""
        return {"bssid": mac_str(self.bssid), "freq": str(self.entry.freq), "ssid": ssid_text(self.ssid)}

    def flags(self, own_addr: bytes) -> str:
        ies = self.entry.ies
        wpa = find_vendor_element(ies, WPA_OUI_TYPE)
        rsn = find_element(ies, EID_RSN)
        out = [scan_flags(rsn, wpa)]
        if self.wps is not None:
            out.append(self.wps.flag_text(own_addr))
        elif find_vendor_element(ies, WPS_OUI_TYPE) is not None:
            out.append("[WPS]")  # a WPS IE we could not parse still says "WPS capable"
        if wpa is None and rsn is None and self.privacy:
            out.append("[WEP]")
        if self.entry.capability & CAP_IBSS:
            out.append("[IBSS]")
        if self.entry.capability & CAP_ESS:
            out.append("[ESS]")
        return "".join(out)


def ssid_text(ssid: bytes) -> str:
    """wpa_supplicant's wpa_ssid_txt (printf_encode): printable ASCII as is, the rest escaped."""
    escapes = {0x22: '\\"', 0x5C: "\\\\", 0x1B: "\\e", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
    return "".join(escapes.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in ssid)


class BssTable:
    def __init__(self) -> None:
        self._by_bssid: dict[bytes, Bss] = {}
        self._next_id = 0
        self.scans = 0

    def __iter__(self):
        return iter(sorted(self._by_bssid.values(), key=lambda b: b.id))

    def __len__(self) -> int:
        return len(self._by_bssid)

    def update(self, entries: list[ScanEntry], now: float, keep: bytes | None = None) -> None:
        """Fold one scan's results in, then drop what has aged out (never `keep`, the BSS we are on)."""
        self.scans += 1
        for entry in entries:
            seen = now - entry.age_ms / 1000
            old = self._by_bssid.get(entry.bssid)
            if old is None:
                self._by_bssid[entry.bssid] = Bss(self._next_id, entry, seen, self.scans)
                self._next_id += 1
            else:
                self._by_bssid[entry.bssid] = Bss(old.id, entry, max(seen, old.last_update), self.scans)
        for bssid, bss in list(self._by_bssid.items()):
            stale = now - bss.last_update > EXPIRATION_AGE and self.scans - bss.last_scan >= EXPIRATION_SCANS
            if stale and bssid != keep:
                del self._by_bssid[bssid]

    def get(self, bssid: bytes) -> Bss | None:
        return self._by_bssid.get(bssid)

    def flush(self) -> None:
        self._by_bssid.clear()

    # -- control interface texts ---------------------------------------------------------------------------

    def scan_results_text(self, own_addr: bytes) -> str:
        rows = [SCAN_RESULTS_HEADER]
        for b in self:
            rows.append(f"{mac_str(b.bssid)}\t{b.entry.freq}\t{b.level}\t{b.flags(own_addr)}\t{ssid_text(b.ssid)}")
        return "\n".join(rows) + "\n"

    def select(self, arg: str) -> list[Bss]:
        """The BSSes a `BSS` command argument names: an index, a BSSID, FIRST, LAST, ID-n, NEXT-n, RANGE=."""
        ordered = list(self)
        by_id = {b.id: b for b in ordered}
        spec = arg.split()[0] if arg.split() else ""
        if spec.startswith("RANGE="):
            rng = spec[6:]
            if rng == "ALL":
                return ordered
            first, sep, last = rng.partition("-")
            if not sep:
                return []
            lo = int(first) if first.isdigit() else 0
            hi = int(last) if last.isdigit() else None
            return [b for b in ordered if b.id >= lo and (hi is None or b.id <= hi)]
        if spec == "FIRST":
            return ordered[:1]
        if spec == "LAST":
            return ordered[-1:]
        if spec.startswith("ID-") and spec[3:].isdigit():
            return [by_id[int(spec[3:])]] if int(spec[3:]) in by_id else []
        if spec.startswith("NEXT-") and spec[5:].isdigit():
            later = [b for b in ordered if b.id > int(spec[5:])]
            return later[:1] if int(spec[5:]) in by_id else []
        try:
            bss = self.get(mac_bytes(spec))
            return [bss] if bss else []
        except ValueError:
            pass
        if spec.isdigit() and int(spec) < len(ordered):
            return [ordered[int(spec)]]
        return []

    def bss_text(self, arg: str, own_addr: bytes, now: float) -> str:
        """The BSS command's reply: key=value lines per BSS (empty when none matches), "====" between BSSes of
        a RANGE when MASK asks for the delimiter (bit 17)."""
        mask = 0xFFFDFFFF
        for word in arg.split()[1:]:
            if word.startswith("MASK="):
                try:
                    mask = int(word[5:], 16) or mask
                except ValueError:
                    pass
        parts = []
        for b in self.select(arg):
            text = "".join(f"{line}\n" for line in bss_lines(b, own_addr, now, mask))
            if mask & (1 << 17):
                text += "====\n"
            parts.append(text)
        return "".join(parts)


def bss_lines(b: Bss, own_addr: bytes, now: float, mask: int) -> list[str]:
    e = b.entry
    fields = [
        (0, f"id={b.id}"), (1, f"bssid={mac_str(b.bssid)}"), (2, f"freq={e.freq}"),
        (3, f"beacon_int={e.beacon_interval}"), (4, f"capabilities=0x{e.capability:04x}"), (5, "qual=0"),
        (6, "noise=0"), (7, f"level={b.level}"), (8, f"tsf={e.tsf:016d}"), (9, f"age={int(now - b.last_update)}"),
        (10, f"ie={e.ies.hex()}"), (11, f"flags={b.flags(own_addr)}"), (12, f"ssid={ssid_text(b.ssid)}"),
    ]
    lines = [text for bit, text in fields if mask & (1 << bit)]
    if mask & (1 << 13) and b.wps is not None:
        lines += b.wps.bss_lines()
    return lines
