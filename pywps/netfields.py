"""Network block fields as wpa_supplicant 2.10 parses, checks and writes them (config.c's parsers, config_file.c's
writer), one codec per field: `parse(text) -> canonical text` raises ValueError for what wpa_supplicant answers
FAIL to; the canonical text is what SAVE_CONFIG writes after `field=` and what GET_NETWORK answers (keys: `*`).

Every rule here was observed against Debian wpa_supplicant 2.10 (tests/test_diff_config.py runs them side by
side). Where wpa_supplicant stores part of a refused value (a token list with one bad token keeps the good ones;
an int past its range is clamped), pywps stores nothing: a refused SET_NETWORK never changes the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .cnumbers import c_int_array, c_strtol_int
from .configline import reads_back

SSID_MAX_LEN = 32
WEP_KEY_MAX_LEN = 16


# -- strings: "quoted", P"printf-escaped", or hex ----------------------------------------------------------


def printf_decode(text: str) -> bytes:
    """hostap's printf_decode: \\\\ \\" \\n \\r \\t \\e \\xHH and octal \\NNN; any other escaped char stands for itself,
    and a backslash at the end for nothing."""
    data = text.encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    simple = {ord("\\"): 0x5C, ord('"'): 0x22, ord("n"): 0x0A, ord("r"): 0x0D, ord("t"): 0x09, ord("e"): 0x1B}
    while i < len(data):
        b = data[i]
        i += 1
        if b != 0x5C:
            out.append(b)
            continue
        if i >= len(data):
            break
        c = data[i]
        i += 1
        if c in simple:
            out.append(simple[c])
        elif c == ord("x"):
            m = re.match(rb"[0-9a-fA-F]{1,2}", data[i:i + 2])
            if m:
                out.append(int(m[0], 16))
                i += len(m[0])
        elif ord("0") <= c <= ord("7"):
            m = re.match(rb"[0-7]{0,2}", data[i:i + 2])
            out.append(int(bytes([c]) + m[0], 8) & 0xFF)
            i += len(m[0])
        else:
            out.append(c)
    return bytes(out)


def printf_encode(data: bytes) -> str:
    """hostap's printf_encode (LIST_NETWORKS and event SSIDs): printable ASCII as is, the rest escaped."""
    escapes = {0x22: '\\"', 0x5C: "\\\\", 0x1B: "\\e", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
    return "".join(escapes.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in data)


def parse_string(value: str, printf: bool = True) -> bytes:
    """wpa_config_parse_string: "text" (first to last quote), P"escaped", or an even number of hex digits."""
    if value.startswith('"'):
        end = value.rfind('"')
        if end <= 0:
            raise ValueError("unterminated quoted string")
        return value[1:end].encode("utf-8", "surrogateescape")
    if printf and value.startswith('P"'):
        end = value.rfind('"')
        if end <= 1:
            raise ValueError("unterminated P\"\" string")
        return printf_decode(value[2:end])
    if len(value) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", value):
        raise ValueError("neither a quoted string nor hex")  # no value in the text: it may be a key
    return bytes.fromhex(value)


def write_string(data: bytes) -> str:
    """wpa_config_write_string: quoted unless a byte is a control character or not ASCII, then hex. Quotes and
    backslashes stay inside the quotes: the file parser takes the text up to the LAST quote, so they are safe;
    no newline or NUL can ever reach the file (the CVE-2016-4476/4477 class)."""
    if any(b < 0x20 or b >= 0x7F for b in data):
        return data.hex()
    return '"' + data.decode("ascii") + '"'


# -- one codec per field -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A network block field SET_NETWORK and GET_NETWORK know: its parser, its default, how it is written."""

    name: str
    parse: Callable[[str], str]  # the SET text -> canonical text, ValueError to refuse
    default: str | None  # GET_NETWORK's answer when unset (None: FAIL)
    omit: tuple[str, ...] = ()  # canonical values SAVE_CONFIG does not write (wpa_supplicant's defaults)
    secret: bool = False  # GET_NETWORK answers `*`
    nullable: bool = False  # SET_NETWORK's bare `NULL` unsets it (wpa_config_parse_str's rule for string fields)
    empty_unsets: bool = False  # a value that parses to nothing (`any`, no number, no address) unsets it
    integer: bool = False  # wpa_config_parse_int's: the value held already is taken before its range is checked


def _ssid(value: str) -> str:
    data = parse_string(value)
    if len(data) > SSID_MAX_LEN:
        raise ValueError(f"SSID of {len(data)} bytes (at most {SSID_MAX_LEN})")
    return write_string(data)


def _string(value: str) -> str:
    """A string field (wpa_config_parse_str): quoted, P"escaped" or hex; held as wpa_supplicant writes it."""
    return write_string(parse_string(value))


def _psk(value: str) -> str:
    if value.startswith('"'):
        end = value.rfind('"')
        if end <= 0:
            raise ValueError("unterminated quoted string")
        passphrase = value[1:end].encode("utf-8", "surrogateescape")
        if not 8 <= len(passphrase) <= 63:
            raise ValueError(f"passphrase of {len(passphrase)} characters (8..63 allowed)")
        if any(b < 0x20 or b == 0x7F for b in passphrase):
            raise ValueError("passphrase with control characters")
        return value[:end + 1]
    if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise ValueError("psk must be a quoted passphrase or 64 hex digits")
    return value.lower()


def _tokens(names: tuple[str, ...], aliases: dict[str, str] | None = None, empty_ok: bool = False,
            ignored: tuple[str, ...] = ()) -> Callable[[str], str]:
    """A space-separated set of names, written back in wpa_supplicant's fixed order."""

    def parse(value: str) -> str:
        seen = set()
        for token in value.split():
            token = (aliases or {}).get(token, token)
            if token in ignored:
                continue
            if token not in names:
                raise ValueError(f"unknown value {token[:20]!r}")
            seen.add(token)
        if not seen and not (empty_ok and value.split()):
            raise ValueError("no value")
        return " ".join(n for n in names if n in seen)

    return parse


def _int(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], str]:
    def parse(value: str) -> str:
        number = c_strtol_int(value)
        # wpa_config_parse_int checks a bound only when it is non-zero: `disabled=-1` is accepted.
        if minimum and number < minimum or maximum and number > maximum:
            raise ValueError(f"{number} is out of range {minimum}..{maximum}")
        return str(number)

    return parse


def _mac_prefix(text: str) -> tuple[str, str]:
    """hostap's hwaddr_parse: six colon-separated hex pairs at the start of `text`, lowercase, and the rest."""
    m = re.match(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", text)
    if not m:
        raise ValueError(f"not a MAC address: {text[:20]!r}")
    return m[0].lower(), text[m.end():]


def holds_number(held: str | None, value: str) -> bool:
    """Whether an int field's text `value` is the number it holds (wpa_config_parse_int then answers OK and
    changes nothing, in range or not: `ieee80211w 3` on a network that has the default 3)."""
    try:
        return held is not None and c_strtol_int(value) == int(held)
    except ValueError:
        return False


def _bssid(value: str) -> str:
    """bssid and bssid_hint (hwaddr_aton): whatever follows the address is not read (observed)."""
    if value in ("", '""', "any"):
        return ""
    return _mac_prefix(value)[0]


C_SPACE = " \t\n\v\f\r"  # C isspace()
ALL_ONES_MASK = "ff:ff:ff:ff:ff:ff"


def _masked_mac(text: str) -> str:
    """hwaddr_masked_aton: an address, then the end, a blank or `/mask` (anything may follow the mask)."""
    address, rest = _mac_prefix(text)
    mask = ALL_ONES_MASK
    if rest.startswith("/"):
        mask = _mac_prefix(rest[1:])[0]
    elif rest and rest[0] not in C_SPACE:
        raise ValueError(f"not a MAC address with an optional /mask: {text[:40]!r}")
    return address if mask == ALL_ONES_MASK else f"{address}/{mask}"


def _addr_list(value: str) -> str:
    """bssid_ignore, bssid_accept (wpa_config_parse_addr_list): addresses with optional masks, each after the
    next space; one that does not read refuses the whole value, a trailing space too (observed)."""
    entries = []
    pos = 0
    while pos < len(value):
        while value.startswith(" ", pos):
            pos += 1
        entries.append(_masked_mac(value[pos:]))
        pos = value.find(" ", pos)
        if pos < 0:
            break
    return " ".join(entries)


def freq_values(text: str | None) -> tuple[int, ...]:
    """The MHz of a scan_freq or freq_list as stored (canonical text); () when unset."""
    return tuple(int(word) for word in text.split()) if text else ()


def address_listed(address: bytes, text: str) -> bool:
    """Whether a bssid_ignore/bssid_accept list (canonical text) names `address`, each entry under its mask."""
    for entry in text.split():
        listed, _, mask = entry.partition("/")
        masks = bytes.fromhex((mask or ALL_ONES_MASK).replace(":", ""))
        wanted = bytes.fromhex(listed.replace(":", ""))
        if all(a & m == w & m for a, w, m in zip(address, wanted, masks)):
            return True
    return False


def _freqs(value: str) -> str:
    """scan_freq, freq_list: c_int_array's numbers, written back as C's %u; never refused, and nothing read
    unsets the field."""
    return " ".join(str(number & 0xFFFFFFFF) for number in c_int_array(value))


def _id_str(value: str) -> str:
    # A C string in wpa_supplicant: hex 00 in it ends it (observed: `id_str=6f0066` reads back as "o").
    return write_string(parse_string(value).split(b"\0")[0])


def _c_string(value: str) -> str:
    # a string wpa_supplicant keeps without its length (phase1): hex 00 ends it, as in id_str
    return write_string(parse_string(value).split(b"\0")[0])


def _wep_key(value: str) -> str:
    data = parse_string(value, printf=False)
    if len(data) > WEP_KEY_MAX_LEN:
        raise ValueError(f"WEP key of {len(data)} bytes (at most {WEP_KEY_MAX_LEN})")
    return write_string(data)


KEY_MGMT_NAMES = ("WPA-PSK", "WPA-EAP", "IEEE8021X", "NONE", "FT-PSK", "FT-EAP", "WPA-PSK-SHA256", "WPA-EAP-SHA256",
                  "WPS", "SAE", "FT-SAE", "OWE")
PSK_KEY_MGMT = ("WPA-PSK", "FT-PSK", "WPA-PSK-SHA256")  # wpa_key_mgmt_wpa_psk_no_sae: these need a psk to be saved
CIPHER_NAMES = ("CCMP-256", "GCMP-256", "CCMP", "GCMP", "TKIP", "NONE")
GROUP_NAMES = ("CCMP-256", "GCMP-256", "CCMP", "GCMP", "TKIP")
MGMT_GROUP_NAMES = ("AES-128-CMAC", "BIP-GMAC-128", "BIP-GMAC-256", "BIP-CMAC-256")  # WPA_ALLOWED_GROUP_MGMT_CIPHERS

# In config_file.c's write order, so a regenerated block reads like one wpa_supplicant wrote.
FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("ssid", _ssid, None, nullable=True),
    Field("scan_ssid", _int(0, 1), "0", omit=("0",), integer=True),
    Field("bssid", _bssid, None, empty_unsets=True),
    Field("bssid_hint", _bssid, None, empty_unsets=True),
    Field("bssid_ignore", _addr_list, None, empty_unsets=True),
    Field("bssid_accept", _addr_list, None, empty_unsets=True),
    Field("psk", _psk, None, secret=True),
    # SAE's password (STR_KEY): stored and saved for wpa_supplicant; pywps does no SAE, so it joins no SAE network
    Field("sae_password", _string, None, secret=True, nullable=True),
    Field("proto", _tokens(("WPA", "RSN", "OSEN"), {"WPA2": "RSN"}), "WPA RSN", omit=("WPA RSN",)),
    Field("key_mgmt", _tokens(KEY_MGMT_NAMES), "WPA-PSK WPA-EAP", omit=("WPA-PSK WPA-EAP",)),
    Field("pairwise", _tokens(CIPHER_NAMES), "CCMP TKIP", omit=("CCMP TKIP",)),
    # WEP40/WEP104 are taken and dropped, GTK_NOT_USED leaves an empty set that is not written (both observed).
    Field("group", _tokens(GROUP_NAMES, empty_ok=True, ignored=("WEP40", "WEP104", "GTK_NOT_USED")), "CCMP TKIP",
          omit=("CCMP TKIP", "")),
    # the management group ciphers a network takes from an AP that protects management frames (unset: any)
    Field("group_mgmt", _tokens(MGMT_GROUP_NAMES), "", omit=("",)),
    Field("auth_alg", _tokens(("OPEN", "SHARED", "LEAP")), None),
    # background scans while connected (pywps/station/bgscan.py: the simple module; others kept and saved)
    Field("bgscan", _string, None, nullable=True),
    Field("scan_freq", _freqs, None, empty_unsets=True),
    # wpa_supplicant 2.10 reads a network's freq_list but its SAVE_CONFIG drops it; pywps writes it here
    Field("freq_list", _freqs, None, empty_unsets=True),
    # EAP: WSC is pywps's only method (GET_CAPABILITY eap), so it is the only name taken
    Field("eap", _tokens(("WSC",)), None),
    Field("identity", _string, None, nullable=True),
    Field("phase1", _c_string, None, nullable=True),
    Field("eapol_flags", _int(), "3", omit=("3",), integer=True),
    *(Field(f"wep_key{i}", _wep_key, None, secret=True) for i in range(4)),
    Field("wep_tx_keyidx", _int(), "0", omit=("0",), integer=True),
    Field("priority", _int(), "0", omit=("0",), integer=True),
    # 0 infrastructure; 1 IBSS, 2 AP, 3 P2P GO, 4 P2P group formation, 5 mesh: a radio joins mode 0 alone
    Field("mode", _int(0, 5), "0", omit=("0",), integer=True),
    Field("frequency", _int(0, 70200), "0", omit=("0",), integer=True),
    # PMKSA caching for WPA-EAP (-1: the global's): stored and saved; pywps has no WPA-EAP to cache for
    Field("proactive_key_caching", _int(0, 1), "-1", omit=("-1",), integer=True),
    Field("disabled", _int(0, 2), "0", omit=("0",), integer=True),
    # 0 no management frame protection, 1 optional, 2 required, 3 (unset) the global `pmf`'s (0 in pywps)
    Field("ieee80211w", _int(0, 2), "3", omit=("3",), integer=True),
    Field("id_str", _id_str, None, nullable=True),
    # the interface's address for this network: 0 permanent, 1 random, 2 random with its OUI (-1: the global's)
    Field("mac_addr", _int(0, 2), "-1", omit=("-1",), integer=True),
    # EasyMesh: join as a Multi-AP backhaul station (the Multi-AP element in the association request, then 4-address
    # frames); set on the network a `WPS_PBC multi_ap=1` run stores, as wpa_supplicant keeps it on the run's block
    Field("multi_ap_backhaul_sta", _int(0, 1), "0", omit=("0",), integer=True),
    # beacon protection: the AP's BIGTK installed, so that the kernel checks its beacons (with a protected link)
    Field("beacon_prot", _int(0, 1), "0", omit=("0",), integer=True),
)}

FIELD_ORDER = {name: i for i, name in enumerate(FIELDS)}

# wpa_supplicant's older names, still read from files and commands; SAVE_CONFIG writes the new ones
ALIASES = {"bssid_blacklist": "bssid_ignore", "bssid_whitelist": "bssid_accept"}


def field_name(name: str) -> str:
    return ALIASES.get(name, name)


NULL = "NULL"  # the value that unsets a string field
# String fields of wpa_supplicant's EAP/802.1X networks that pywps never stores. wpa_gui's Add network and Edit
# send `SET_NETWORK <id> <field> NULL` for each one left empty, and wpa_supplicant answers OK (it unsets the
# string); pywps answers OK too and changes nothing, since it never stored one. Any other value stays refused:
# pywps would not keep it. Each name was observed answering OK to NULL (tests/test_diff_config.py, "null").
UNSTORED_STRING_FIELDS = frozenset({"anonymous_identity", "password", "ca_cert", "client_cert", "private_key",
                                    "phase2", "pcsc"})


STRING_FIELDS = frozenset({"ssid", "identity", "phase1", "id_str", "wep_key0", "wep_key1", "wep_key2", "wep_key3",
                           "sae_password", "bgscan"})


def file_text(name: str, text: str) -> str:
    """The text SAVE_CONFIG writes for a field's canonical text: a quoted string that wpa_supplicant's reader
    would cut (a `#` after a `"` in it) is written as hex, which it reads as the same bytes; wpa_supplicant
    itself writes it quoted (and GET_NETWORK answers it quoted in both), so its own file loses the rest."""
    if name in STRING_FIELDS and text.startswith('"') and not reads_back(text):
        return parse_string(text).hex()
    return text


def canonical(name: str, value: str) -> str:
    """The text wpa_supplicant would store for `name=value`; KeyError for a field pywps does not know."""
    return FIELDS[field_name(name)].parse(value)
