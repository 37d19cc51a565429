"""EasyMesh's Multi-AP element (a Wi-Fi Alliance vendor element, OUI type 0x1B): a backhaul station puts it in
its association requests (wpa_supplicant's add_multi_ap_ie, for networks with multi_ap_backhaul_sta=1 and the
run of `WPS_PBC multi_ap=1`); an AP says in it whether its BSS is a fronthaul, a backhaul or both."""

from __future__ import annotations

from enum import IntFlag

from ..wps.defs import MULTI_AP_BACKHAUL_STA

EID_VENDOR = 221
MULTI_AP_OUI_TYPE = bytes.fromhex("506f9a1b")
SUBELEM_MULTI_AP = 0x06


class MultiAp(IntFlag):
    TEAR_DOWN = 0x10
    FRONTHAUL_BSS = 0x20
    BACKHAUL_BSS = 0x40
    BACKHAUL_STA = MULTI_AP_BACKHAUL_STA  # the bit M1 carries too


def multi_ap_element(value: MultiAp = MultiAp.BACKHAUL_STA) -> bytes:
    """The element with its one sub-element, as wpa_supplicant 2.10 builds it (no profile sub-element)."""
    return bytes([EID_VENDOR, 7]) + MULTI_AP_OUI_TYPE + bytes([SUBELEM_MULTI_AP, 1, value])


def multi_ap_of(ies: bytes) -> MultiAp | None:
    """The Multi-AP bits of the first Multi-AP element in `ies`, None when there is none or it has no Multi-AP
    sub-element (multi_ap_process_assoc_resp's reading)."""
    at = 0
    while at + 2 <= len(ies):
        eid, length = ies[at], ies[at + 1]
        body = ies[at + 2:at + 2 + length]
        if eid == EID_VENDOR and body[:4] == MULTI_AP_OUI_TYPE:
            sub = body[4:]
            pos = 0
            while pos + 2 <= len(sub):
                if sub[pos] == SUBELEM_MULTI_AP and sub[pos + 1] >= 1 and pos + 2 < len(sub):
                    return MultiAp(sub[pos + 2])
                pos += 2 + sub[pos + 1]
            return None
        at += 2 + length
    return None


def backhaul_link(ap_bits: MultiAp | None, wps_run: bool) -> bool:
    """Whether a backhaul station's new link takes 4-address frames (True) or stays as it is (False, a WPS run
    on a fronthaul-only BSS); ValueError says why the link must be left (multi_ap_set_4addr_mode's rules)."""
    if ap_bits is None:
        raise ValueError("AP does not include valid Multi-AP element")
    if MultiAp.BACKHAUL_BSS in ap_bits:
        return True
    if MultiAp.FRONTHAUL_BSS in ap_bits and wps_run:
        return False  # "WPS active, accepting fronthaul-only BSS"
    raise ValueError("AP doesn't support backhaul BSS")
