"""Global configuration keys as GET / SET see them, with Debian wpa_supplicant 2.10's defaults and checks.

Only keys pywps knows are taken: an unknown key is refused (FAIL), like wpa_supplicant, so SAVE_CONFIG never
writes a key wpa_supplicant would refuse to load ("unknown global field"). Observed quirks kept on purpose:
GET of uuid, device_type and os_version answers FAIL even when they are set (wpa_supplicant has no getter for
them); a bound of 0 is not checked (`SET wps_cred_processing -1` is OK). Refused on purpose where wpa_supplicant
takes it: a device_type category or subcategory above 65535 (wpa_supplicant wraps it silently), and control
characters other than tab in strings (a newline would end the line in the file).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .cnumbers import c_int_array, c_strtol_int


@dataclass(frozen=True)
class GlobalKey:
    """A global setting SET and GET know: how its text is checked, what GET answers, whether the file holds it."""

    name: str
    check: Callable[[str], str]  # SET text -> the text stored (ValueError to refuse)
    default: str | None = None  # GET's answer when unset (None: FAIL)
    gettable: bool = True  # False: GET answers FAIL even when set (wpa_supplicant has no getter)
    runtime: bool = False  # SET takes it but the file never holds it (wpa_supplicant keeps it in memory only)
    empty_unsets: bool = False  # a value that reads as nothing removes the key


def _text(limit: int | None = None) -> Callable[[str], str]:
    def check(value: str) -> str:
        if any(ord(c) < 0x20 and c != "\t" or c == "\x7f" for c in value):
            raise ValueError("control characters")
        if limit is not None and len(value.encode("utf-8", "surrogateescape")) > limit:
            raise ValueError(f"longer than {limit} bytes")
        return value

    return check


def _int(minimum: int = 0, maximum: int = 0) -> Callable[[str], str]:
    def check(value: str) -> str:
        number = c_strtol_int(value)
        if minimum and number < minimum or maximum and number > maximum:  # a zero bound is not checked
            raise ValueError(f"{number} is out of range")
        return str(number)

    return check


def parse_uuid(text: str) -> bytes:
    """uuid_str2bin: 8-4-4-4-12 hex digits (the dashes are required)."""
    if not re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", text):
        raise ValueError(f"not a UUID: {text[:40]!r}")
    return bytes.fromhex(text.replace("-", ""))


def parse_device_type(text: str) -> bytes:
    """`category-OUI-subcategory`, e.g. 1-0050F204-1, as wpa_supplicant writes it."""
    m = re.fullmatch(r"(\d+)-([0-9a-fA-F]{8})-(\d+)", text)
    if not m or int(m[1]) > 0xFFFF or int(m[3]) > 0xFFFF:
        raise ValueError(f"not a device type (category-OUI-subcategory): {text[:40]!r}")
    return int(m[1]).to_bytes(2, "big") + bytes.fromhex(m[2]) + int(m[3]).to_bytes(2, "big")


def _checked(parser: Callable[[str], object]) -> Callable[[str], str]:
    def check(value: str) -> str:
        parser(value)
        return value

    return check


def _os_version(value: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{8}", value):
        raise ValueError("os_version is 8 hex digits")
    return value


def _country(value: str) -> str:
    """wpa_supplicant keeps the first two characters (`country=USA` is US) and refuses fewer."""
    if len(value) < 2:
        raise ValueError("country is two letters (ISO 3166-1 alpha-2)")
    return _text()(value[:2])


GLOBALS: dict[str, GlobalKey] = {k.name: k for k in (
    GlobalKey("ctrl_interface", _text()),
    GlobalKey("ctrl_interface_group", _text()),
    GlobalKey("ap_scan", _int(), "1"),
    GlobalKey("update_config", _int(), "0"),
    GlobalKey("uuid", _checked(parse_uuid), gettable=False),
    GlobalKey("auto_uuid", _int(0, 1), "0"),  # 1: a random UUID (once per process) when uuid is unset
    GlobalKey("device_name", _text(32)),
    GlobalKey("manufacturer", _text(64)),
    GlobalKey("model_name", _text(32)),
    GlobalKey("model_number", _text(32)),
    GlobalKey("serial_number", _text(32)),
    GlobalKey("device_type", _checked(parse_device_type), gettable=False),
    GlobalKey("os_version", _os_version, gettable=False),
    # Any text: wpa_supplicant takes unknown method names and ignores them when it builds M1.
    GlobalKey("config_methods", _text()),
    GlobalKey("wps_cred_processing", _int(0, 2), "0"),
    GlobalKey("wps_priority", _int(), "0"),
    GlobalKey("wps_cred_add_sae", _int(0, 1), "0"),  # a WPA2 passphrase credential also allows SAE (with PMF)
    GlobalKey("wps_fragment_size", _int(), runtime=True, gettable=False),
    # The version field of every EAPOL frame we send; 3 is taken because Debian builds CONFIG_MACSEC.
    GlobalKey("eapol_version", _int(1, 3), "1"),
    # autoscan module and its parameters (pywps/station/autoscan.py): any text, as wpa_supplicant keeps it
    GlobalKey("autoscan", _text()),
    # the interface's address (station/macaddr.py): 0 permanent, 1 random, 2 random with its OUI, for associations
    # and for scans while not associated (preassoc_mac_addr); a random one serves rand_addr_lifetime seconds
    GlobalKey("mac_addr", _int(), "0"),
    GlobalKey("rand_addr_lifetime", _int(), "60"),
    GlobalKey("preassoc_mac_addr", _int(), "0"),
    GlobalKey("country", _country),  # the regulatory domain asked of the kernel at start and when it changes
    # when the BSS table drops an entry: not seen for this long and in this many scans. Debian's SET takes any
    # number (observed: 9, 0), its BSS_EXPIRE_AGE / BSS_EXPIRE_COUNT commands at least 10 s / 1 scan
    GlobalKey("bss_expiration_age", _int(), "180"),
    GlobalKey("bss_expiration_scan_count", _int(), "2"),
    # management frame protection for networks without ieee80211w: pywps has none, so 1 counts as 0 (as in
    # wpa_supplicant on a driver without BIP) and 2 keeps such WPA networks from every AP
    GlobalKey("pmf", _int(), "0"),
    # the channels (MHz) of every scan that names none of its own: written as C's %d, no GET (observed)
    GlobalKey("freq_list", lambda value: " ".join(map(str, c_int_array(value))), gettable=False, empty_unsets=True),
)}


def check_global(key: str, value: str) -> str:
    """The text to store for `key=value`: KeyError for a key pywps does not take, ValueError for a bad value."""
    return GLOBALS[key].check(value)
