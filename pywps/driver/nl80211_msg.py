"""The nl80211 generic-netlink message as pywps sends and reads it, on pyroute2's marshalling.

pyroute2's own `nl80211cmd` leaves many attributes as `hex` text and parses the information elements of scan
results into a lossy dict (and would trip over a malformed element from a hostile AP). We keep its numbering
(the attribute table is positional) and retype what we use: raw bytes for MACs, IEs and key material,
nested key and SSID lists, flags as flags. What the kernel defines is in include/uapi/linux/nl80211.h.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from pyroute2.netlink import nla
from pyroute2.netlink.nl80211 import NL80211_NAMES, nl80211cmd

from .base import MAX_SCAN_SSIDS

CMD = {name[len("NL80211_CMD_"):]: value for name, value in NL80211_NAMES.items()}
CMD.setdefault("ABORT_SCAN", 114)  # nl80211.h has them; pyroute2's table stops before
CMD.setdefault("UNPROT_BEACON", 138)
SCAN_FLAG_FLUSH = 1 << 1  # enum nl80211_scan_flags: drop the cached results before the scan

_RETYPED = {
    "NL80211_ATTR_MAC": "cdata",
    "NL80211_ATTR_BSSID": "cdata",
    "NL80211_ATTR_PREV_BSSID": "cdata",
    "NL80211_ATTR_SSID": "cdata",
    "NL80211_ATTR_IE": "cdata",
    "NL80211_ATTR_REQ_IE": "cdata",
    "NL80211_ATTR_RESP_IE": "cdata",
    "NL80211_ATTR_FRAME": "cdata",
    "NL80211_ATTR_FRAME_TYPE": "uint16",
    "NL80211_ATTR_FRAME_MATCH": "cdata",
    "NL80211_ATTR_KEY": "key",
    "NL80211_ATTR_KEY_TYPE": "uint32",
    "NL80211_ATTR_STA_FLAGS2": "cdata",  # struct nl80211_sta_flag_update {u32 mask, set}
    "NL80211_ATTR_PRIVACY": "flag",
    "NL80211_ATTR_CONTROL_PORT": "flag",
    "NL80211_ATTR_DISCONNECTED_BY_AP": "flag",
    "NL80211_ATTR_TIMED_OUT": "flag",
    "NL80211_ATTR_STATUS_CODE": "uint16",
    "NL80211_ATTR_REASON_CODE": "uint16",
    "NL80211_ATTR_WPA_VERSIONS": "uint32",
    "NL80211_ATTR_CIPHER_SUITES_PAIRWISE": "cdata",  # u32 array
    "NL80211_ATTR_CIPHER_SUITE_GROUP": "uint32",
    "NL80211_ATTR_AKM_SUITES": "cdata",  # u32 array
    "NL80211_ATTR_USE_MFP": "uint32",  # enum nl80211_mfp
    "NL80211_ATTR_SCAN_SSIDS": "scan_ssids",
    "NL80211_ATTR_SCAN_FREQUENCIES": "cdata",  # a nest of u32, built by scan_frequencies()
    "NL80211_ATTR_BSS": "bss",
    "NL80211_ATTR_SCAN_FLAGS": "uint32",
    "NL80211_ATTR_4ADDR": "uint8",
    "NL80211_ATTR_CQM": "cqm",
    # nests and flags pywps parses itself (pywps/driver/nl80211_info.py): station counters, survey, the wiphy
    "NL80211_ATTR_STA_INFO": "cdata",
    "NL80211_ATTR_SURVEY_INFO": "cdata",
    "NL80211_ATTR_SPLIT_WIPHY_DUMP": "flag",
    **{f"NL80211_ATTR_{name}": "cdata" for name in (
        "WIPHY_BANDS", "SUPPORTED_IFTYPES", "SUPPORTED_COMMANDS", "OFFCHANNEL_TX_OK", "INTERFACE_COMBINATIONS",
        "SUPPORT_AP_UAPSD", "ROAM_SUPPORT", "TDLS_SUPPORT", "TDLS_EXTERNAL_SETUP", "DEVICE_AP_SME",
        "FEATURE_FLAGS", "PROBE_RESP_OFFLOAD", "WIPHY_SELF_MANAGED_REG", "EXT_FEATURES", "CIPHER_SUITES")},
}


class Nl80211Msg(nl80211cmd):
    nla_map = tuple((name, _RETYPED.get(name, kind), *rest) for name, kind, *rest in nl80211cmd.nla_map)

    class key(nla):
        """NL80211_ATTR_KEY: enum nl80211_key_attributes."""

        nla_map = (
            (1, "NL80211_KEY_DATA", "cdata"),
            (2, "NL80211_KEY_IDX", "uint8"),
            (3, "NL80211_KEY_CIPHER", "uint32"),
            (4, "NL80211_KEY_SEQ", "cdata"),
            (5, "NL80211_KEY_DEFAULT", "flag"),
            (7, "NL80211_KEY_TYPE", "uint32"),
        )

    class scan_ssids(nla):
        """NL80211_ATTR_SCAN_SSIDS: a nest of SSIDs (the attribute type is just an index); an empty SSID asks
        for a wildcard active scan."""

        nla_map = tuple((n, f"SSID{n}", "cdata") for n in range(1, MAX_SCAN_SSIDS + 1))

    class cqm(nla):
        """NL80211_ATTR_CQM: enum nl80211_attr_cqm, the signal monitor's setting and its events."""

        nla_map = (
            (1, "NL80211_ATTR_CQM_RSSI_THOLD", "int32"),
            (2, "NL80211_ATTR_CQM_RSSI_HYST", "uint32"),
            (3, "NL80211_ATTR_CQM_RSSI_THRESHOLD_EVENT", "uint32"),  # 0: low, 1: high
            (8, "NL80211_ATTR_CQM_BEACON_LOSS_EVENT", "flag"),
            (9, "NL80211_ATTR_CQM_RSSI_LEVEL", "int32"),
        )

    class bss(nla):
        """NL80211_ATTR_BSS: enum nl80211_bss, information elements kept as the raw bytes the AP sent."""

        nla_map = (
            (1, "NL80211_BSS_BSSID", "cdata"),
            (2, "NL80211_BSS_FREQUENCY", "uint32"),
            (3, "NL80211_BSS_TSF", "uint64"),
            (4, "NL80211_BSS_BEACON_INTERVAL", "uint16"),
            (5, "NL80211_BSS_CAPABILITY", "uint16"),
            (6, "NL80211_BSS_INFORMATION_ELEMENTS", "cdata"),
            (7, "NL80211_BSS_SIGNAL_MBM", "int32"),
            (8, "NL80211_BSS_SIGNAL_UNSPEC", "uint8"),
            (9, "NL80211_BSS_STATUS", "uint32"),
            (10, "NL80211_BSS_SEEN_MS_AGO", "uint32"),
            (11, "NL80211_BSS_BEACON_IES", "cdata"),
        )


def request(cmd: str, *attrs: tuple[str, object]) -> Nl80211Msg:
    msg = Nl80211Msg()
    msg["cmd"] = CMD[cmd]
    msg["version"] = 1
    msg["attrs"] = [list(a) for a in attrs]
    return msg


def scan_frequencies(freqs: Sequence[int]) -> bytes:
    """NL80211_ATTR_SCAN_FREQUENCIES' body: one u32 attribute per frequency (MHz), its type just an index."""
    return b"".join(struct.pack("=HHI", 8, index, freq) for index, freq in enumerate(freqs, 1))


def frequencies_of(body: bytes | None) -> tuple[int, ...]:
    """The frequencies of a NL80211_ATTR_SCAN_FREQUENCIES body (a scan event's); what does not parse ends it."""
    freqs = []
    at = 0
    while at + 8 <= len(body or b""):
        length, _, freq = struct.unpack_from("=HHI", body, at)
        if length < 8:
            break
        freqs.append(freq)
        at += (length + 3) & ~3
    return tuple(freqs)
