"""wpa_supplicant's texts of the BSS table: the SCAN_RESULTS rows with their flags column and the BSS command's
key=value lines (ctrl_iface.c, wpa_supplicant_ctrl_iface_scan_result / print_bss_info), byte for byte."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..cnumbers import c_atoi
from ..driver.base import mac_bytes, mac_str
from ..station.bss import CAP_ESS, CAP_IBSS, Bss, BssTable
from ..station.throughput import entry_est_throughput, noise_floor, snr
from ..wps.defs import WPS_OUI_TYPE, WpsState
from ..wps.ie import WpsIeInfo, find_vendor_element
from .events import ssid_text

if TYPE_CHECKING:  # the radio's modes come from the driver, which loaded them: the command table goes without
    from ..driver.radio import HwMode

SCAN_RESULTS_HEADER = "bssid / frequency / signal level / flags / ssid"
DEFAULT_BSS_MASK = 0xFFFDFFFF  # every field but the "====" delimiter (bit 17)


def flags_text(b: Bss, own_addr: bytes) -> str:
    """The flags column: "[WPA2-PSK-CCMP][WPS-PBC][ESS]", as wpa_supplicant builds it."""
    from ..wpa.rsn import scan_flags  # a radio's texts: loaded with the station

    wpa, rsn = b.wpa_element, b.rsn_element
    out = [scan_flags(rsn, wpa)]
    if b.wps is not None:
        out.append(b.wps.flag_text(own_addr))
    elif find_vendor_element(b.entry.ies, WPS_OUI_TYPE) is not None:
        out.append("[WPS]")  # a WPS IE we could not parse still says "WPS capable"
    if wpa is None and rsn is None and b.privacy:
        out.append("[WEP]")
    if b.entry.capability & CAP_IBSS:
        out.append("[IBSS]")
    if b.entry.capability & CAP_ESS:
        out.append("[ESS]")
    return "".join(out)


def scan_results_text(table: BssTable, own_addr: bytes) -> str:
    rows = [SCAN_RESULTS_HEADER]
    for b in table:
        rows.append(f"{mac_str(b.bssid)}\t{b.entry.freq}\t{b.level}\t{flags_text(b, own_addr)}\t{ssid_text(b.ssid)}")
    return "\n".join(rows) + "\n"


def wps_lines(wps: WpsIeInfo) -> list[str]:
    """The `wps_*` lines of wpa_supplicant's BSS command output, in its order."""
    lines = []
    if wps.wps_state == WpsState.NOT_CONFIGURED:
        lines.append("wps_state=unconfigured")
    elif wps.wps_state == WpsState.CONFIGURED:
        lines.append("wps_state=configured")
    if wps.ap_setup_locked:
        lines.append("wps_ap_setup_locked=1")
    if wps.selected_registrar:
        lines.append("wps_selected_registrar=1")
    if wps.dev_password_id is not None:
        lines.append(f"wps_device_password_id={wps.dev_password_id}")
    if wps.sel_reg_config_methods is not None:
        lines.append(f"wps_selected_registrar_config_methods=0x{wps.sel_reg_config_methods:04x}")
    if wps.primary_device_type is not None:
        t = wps.primary_device_type
        lines.append(f"wps_primary_device_type={int.from_bytes(t[:2], 'big')}-{t[2:6].hex().upper()}-"
                     f"{int.from_bytes(t[6:], 'big')}")
    if wps.device_name is not None:
        # NULs and control characters become '_', as wpa_supplicant prints them
        name = "".join("_" if b < 0x20 or b == 0x7F else chr(b) for b in wps.device_name)
        lines.append(f"wps_device_name={name}")
    if wps.config_methods is not None:
        lines.append(f"wps_config_methods=0x{wps.config_methods:04x}")
    return lines


def bss_lines(b: Bss, own_addr: bytes, now: float, mask: int, modes: list[HwMode] | None = None) -> list[str]:
    """The BSS's key=value lines the mask asks for; `modes` are our radio's (est_throughput's HT/VHT/HE part)."""
    e = b.entry
    noise = noise_floor(e)
    fields = [
        (0, f"id={b.id}"), (1, f"bssid={mac_str(b.bssid)}"), (2, f"freq={e.freq}"),
        (3, f"beacon_int={e.beacon_interval}"), (4, f"capabilities=0x{e.capability:04x}"), (5, "qual=0"),
        (6, f"noise={noise}"), (7, f"level={b.level}"), (8, f"tsf={e.tsf:016d}"), (9, f"age={int(now - b.last_update)}"),
        (10, f"ie={e.ies.hex()}"), (11, f"flags={flags_text(b, own_addr)}"), (12, f"ssid={ssid_text(b.ssid)}"),
    ]
    lines = [text for bit, text in fields if mask & (1 << bit)]
    if mask & (1 << 13) and b.wps is not None:
        lines += wps_lines(b.wps)
    est = entry_est_throughput(e, modes or [])
    tail = [(19, f"snr={snr(e)}"), (20, f"est_throughput={est}"), (22, f"update_idx={b.last_scan}")]
    if e.beacon_ies:
        tail.append((23, f"beacon_ie={e.beacon_ies.hex()}"))
    lines += [text for bit, text in tail if mask & (1 << bit)]
    return lines


def select_bsses(table: BssTable, arg: str) -> list[Bss]:
    """The BSSes a `BSS` command argument names: an index, a BSSID, FIRST, LAST, ID-n, NEXT-n, RANGE=."""
    ordered = list(table)
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
        bss = table.get(mac_bytes(spec))
        return [bss] if bss else []
    except ValueError:
        pass
    index = c_atoi(spec)  # an index as atoi() reads it: `BSS ` alone is the first
    return ordered[index:index + 1] if index >= 0 else []


def bss_text(table: BssTable, arg: str, own_addr: bytes, now: float, modes: list[HwMode] | None = None) -> str:
    """The BSS command's reply: key=value lines per BSS (empty when none matches), "====" between BSSes of
    a RANGE when MASK asks for the delimiter (bit 17)."""
    mask = DEFAULT_BSS_MASK
    for word in arg.split()[1:]:
        if word.startswith("MASK="):
            try:
                mask = int(word[5:], 16) or mask
            except ValueError:
                pass
    parts = []
    for b in select_bsses(table, arg):
        text = "".join(f"{line}\n" for line in bss_lines(b, own_addr, now, mask, modes))
        if mask & (1 << 17):
            text += "====\n"
        parts.append(text)
    return "".join(parts)
