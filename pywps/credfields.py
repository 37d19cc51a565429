"""Interworking credential (`cred={...}`) fields as Debian wpa_supplicant 2.10 parses, answers and writes them
(config.c wpa_config_set_cred / wpa_config_get_cred_no_key, config_file.c wpa_config_write_cred): one codec per
field. pywps never uses a credential (it has no Interworking); it stores them so that SET_CRED, GET_CRED,
LIST_CREDS and SAVE_CONFIG answer and write as wpa_supplicant does, and so that the file loads in both.

A value is held parsed (int, bytes, a list for the fields that may repeat); `parse` takes SET_CRED's text (the
same text a file line holds), `get` makes GET_CRED's answer (None: FAIL), `lines` the file lines. Every rule was
observed against Debian wpa_supplicant 2.10 (tests/test_diff_creds.py). Where wpa_supplicant writes a line its
own reader does not read back as written, pywps writes one that it does (see `string_text` and `password`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .cnumbers import c_atoi
from .configline import reads_back
from .netfields import printf_decode, printf_encode

# wpa_supplicant reads a cred block line into a 256-byte buffer (fgets, 255 bytes): what does not fit is cut off
# and the block refused. With the tab before it, `name=value` may have 254 bytes (the newline may be the part
# cut off); 255 is refused (both observed, tests/test_diff_creds.py).
LINE_MAX = 254
MAX_ROAMING_CONS = 36  # config.h
MAX_ROAMING_CONS_OI_LEN = 15
SSID_MAX_LEN = 32
FQDN_MAX = 127  # struct roaming_partner: char fqdn[128]
DEFAULT_SIM_NUM = 1  # DEFAULT_USER_SELECTED_SIM

# The EAP methods Debian's build registers (GET_CAPABILITY eap): `eap=` takes exactly these names.
EAP_METHODS = ("MD5", "TLS", "WFA-UNAUTH-TLS", "MSCHAPV2", "PEAP", "TTLS", "GTC", "OTP", "SIM", "LEAP", "PSK",
               "AKA", "AKA'", "FAST", "PAX", "SAKE", "GPSK", "WSC", "IKEV2", "TNC", "PWD", "EKE")


def parse_string(value: str) -> bytes:
    """wpa_config_parse_string: "text" (the closing quote must end the value), P"printf-escaped", or hex
    (an even number of hex digits, none at all giving the empty string). ValueError where it returns NULL."""
    if value.startswith('"'):
        if len(value) < 2 or not value.endswith('"'):
            raise ValueError("a quoted string must end with its quote")
        return value[1:-1].encode("utf-8", "surrogateescape")
    if value.startswith('P"'):
        if len(value) < 3 or not value.endswith('"'):
            raise ValueError('a P"" string must end with its quote')
        return printf_decode(value[2:-1])
    if len(value) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", value):
        raise ValueError("neither a quoted string nor hex")
    return bytes.fromhex(value)


def c_string(data: bytes) -> bytes:
    """A value wpa_supplicant keeps as a C string ends at its first NUL."""
    return data.split(b"\0", 1)[0]


def text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def string_text(data: bytes) -> str:
    """A string field's file text. wpa_supplicant writes `"%s"` whatever it holds; where that would not read
    back as the same bytes (a `#` after a quote starts a comment for its reader) or would not be UTF-8 text
    (pywps reads the file as UTF-8), pywps writes hex, which wpa_supplicant reads as the same string."""
    quoted = '"' + text(data) + '"'
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.hex()
    if not reads_back(quoted) or any(b < 0x20 and b != 0x09 or b == 0x7F for b in data):
        return data.hex()
    return quoted


# -- one codec per field -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredField:
    name: str
    parse: Callable[[str, Any], Any]  # (SET_CRED text, current value) -> new value; ValueError to refuse
    get: Callable[[Any], str | None] | None  # GET_CRED's answer; None: wpa_supplicant has no getter (FAIL)
    lines: Callable[[str, Any], list[str]]  # the `name=value` lines SAVE_CONFIG writes for a value
    default: Any = None  # a new credential's value (None: unset)


def _int(minimum: int | None = None, maximum: int | None = None) -> Callable[[str, Any], int]:
    def parse(value: str, _old: Any) -> int:
        number = c_atoi(value)
        if minimum is not None and number < minimum or maximum is not None and number > maximum:
            raise ValueError(f"{number} is out of range {minimum}..{maximum}")
        return number

    return parse


def _int_lines(unsigned: bool = False, skip: int = 0) -> Callable[[str, int], list[str]]:
    def lines(name: str, value: int) -> list[str]:
        if value == skip:
            return []
        return [f"{name}={value & 0xFFFFFFFF if unsigned else value}"]

    return lines


def _int_get(value: int) -> str:
    return str(value)


def _no_newline(data: bytes) -> bytes:
    data = c_string(data)
    if b"\n" in data or b"\r" in data:
        raise ValueError("a newline in the value")
    return data


def _string(value: str, _old: Any) -> bytes:
    return _no_newline(parse_string(value))


def _string_get(value: bytes | None) -> str | None:
    return None if value is None else text(value)


def _secret_get(value: Any) -> str | None:
    return None if value is None else "*"


def _string_lines(name: str, value: bytes | None) -> list[str]:
    return [] if value is None else [f"{name}={string_text(value)}"]


def _append_string(value: str, old: list[bytes] | None) -> list[bytes]:
    return [*(old or []), _no_newline(parse_string(value))]


GET_LIST_BUF = 4000  # wpa_config_get_cred_no_key builds a repeated field's answer in a 4000-byte buffer


def _list_get(each: Callable[[Any], str], sep: str = "\n", cut: bool = True) -> Callable[[list | None], str | None]:
    def get(values: list | None) -> str | None:
        if not values:
            return None
        joined = sep.join(each(v) for v in values)
        if not cut:
            return joined
        # snprintf into the buffer: an entry that does not fit is cut short and ends the answer (observed)
        return text(joined.encode("utf-8", "surrogateescape")[:GET_LIST_BUF - 1])

    return get


def _list_lines(each: Callable[[Any], str]) -> Callable[[str, list | None], list[str]]:
    def lines(name: str, values: list | None) -> list[str]:
        return [f"{name}={each(v)}" for v in values or []]

    return lines


@dataclass(frozen=True)
class Password:
    """`password`: a string, or `ext:NAME` naming an external password (kept with its `ext:`)."""

    value: bytes
    external: bool


def _password(value: str, _old: Any) -> Password:
    if value.startswith("ext:"):
        data = value.encode("utf-8", "surrogateescape")
        if b"\n" in data or b"\r" in data:
            raise ValueError("a newline in the value")
        # wpa_supplicant writes `password=ext:` before a value that already starts with `ext:`, so each save
        # and load adds one more; pywps writes the value as set, which wpa_supplicant reads back as set. A value
        # its line reader would cut (a trailing blank, a comment) could not come back: refused.
        if not reads_back(f"password={value}"):
            raise ValueError("this external password name does not survive the file")
        return Password(c_string(data), True)
    return Password(_no_newline(parse_string(value)), False)


def _password_lines(name: str, value: Password | None) -> list[str]:
    if value is None:
        return []
    return [f"{name}={text(value.value)}" if value.external else f"{name}={string_text(value.value)}"]


def _eap(value: str, _old: Any) -> str:
    if value not in EAP_METHODS:
        raise ValueError(f"unknown EAP method {value[:20]!r}")
    return value


def _consortium(value: str, _old: Any) -> bytes:
    data = parse_string(value)
    if not 3 <= len(data) <= 15:
        raise ValueError(f"roaming consortium of {len(data)} bytes (3..15)")
    return data


def _consortiums(value: str, _old: Any) -> list[bytes]:
    """A comma-separated list of OIs in hex, each 1..15 bytes, at most 36 (an empty value clears it)."""
    listed = text(c_string(parse_string(value)))
    out: list[bytes] = []
    pos = 0
    while True:
        end = listed.find(",", pos)
        item = listed[pos:] if end < 0 else listed[pos:end]
        if end < 0 and not item:
            break
        if not item or len(item) % 2 or len(item) // 2 > MAX_ROAMING_CONS_OI_LEN or \
                not re.fullmatch(r"[0-9a-fA-F]+", item):
            raise ValueError("not a list of hex OIs")
        out.append(bytes.fromhex(item))
        if end < 0:
            break
        if len(out) >= MAX_ROAMING_CONS:
            raise ValueError("too many OIs")
        pos = end + 1
    return out


def _consortiums_lines(name: str, values: list[bytes]) -> list[str]:
    return [f'{name}="' + ",".join(v.hex() for v in values) + '"'] if values else []


def _excluded_ssid(value: str, old: list[bytes] | None) -> list[bytes]:
    data = parse_string(value)
    if len(data) > SSID_MAX_LEN:
        raise ValueError(f"SSID of {len(data)} bytes")
    return [*(old or []), data]


@dataclass(frozen=True)
class RoamingPartner:
    fqdn: bytes
    exact_match: int
    priority: int  # a u8 in wpa_supplicant
    country: bytes

    def text(self) -> str:
        return f"{text(self.fqdn)},{self.exact_match},{self.priority},{text(self.country)}"


def _roaming_partner(value: str, old: list[RoamingPartner] | None) -> list[RoamingPartner]:
    """`fqdn,exact_match,priority,country` (atoi for the numbers, the country at most 2 bytes)."""
    data = _no_newline(parse_string(value))
    parts = data.split(b",", 3)
    if len(parts) < 4:
        raise ValueError("roaming_partner is fqdn,exact_match,priority,country")
    fqdn, exact, prio, country = parts
    if len(fqdn) > FQDN_MAX or len(country) > 2:
        raise ValueError("roaming_partner FQDN or country too long")
    partner = RoamingPartner(fqdn, c_atoi(text(exact)), c_atoi(text(prio)) & 0xFF, country)
    return [*(old or []), partner]


@dataclass(frozen=True)
class ConnCapab:
    proto: int  # a u8 in wpa_supplicant
    ports: tuple[int, ...] | None  # None: no `:` given

    def text(self) -> str:
        ports = "" if not self.ports else ":" + ",".join(str(p) for p in self.ports)
        return f"{self.proto}{ports}"


def _req_conn_capab(value: str, old: list[ConnCapab] | None) -> list[ConnCapab]:
    """`proto[:port,port...]`, read with atoi as wpa_supplicant reads it (the raw text, no quotes). A port of
    -1 is its list's end marker: what follows it is never shown or written."""
    proto = c_atoi(value) & 0xFF
    colon = value.find(":")
    ports: tuple[int, ...] | None = None
    if colon >= 0:
        found: list[int] = []
        pos = colon + 1
        while pos < len(value):
            found.append(c_atoi(value[pos:]))
            comma = value.find(",", pos)
            if comma < 0:
                break
            pos = comma + 1
        ports = tuple(found[:found.index(-1)] if -1 in found else found)
    return [*(old or []), ConnCapab(proto, ports)]


def _string_field(name: str, getter: bool = True, secret: bool = False) -> CredField:
    get = (_secret_get if secret else _string_get) if getter else None
    return CredField(name, _string, get, _string_lines)


def _int_field(name: str, getter: bool = True, unsigned: bool = False, parse=None, skip: int = 0,
               default: int = 0) -> CredField:
    return CredField(name, parse or _int(), _int_get if getter else None, _int_lines(unsigned, skip), default)


# In wpa_config_write_cred's order: SAVE_CONFIG writes the fields that are set in this order.
FIELDS: dict[str, CredField] = {f.name: f for f in (
    _int_field("priority"),
    _int_field("pcsc"),
    _string_field("realm"),
    _string_field("username"),
    CredField("password", _password, _secret_get, _password_lines),
    _string_field("ca_cert"),
    _string_field("client_cert"),
    _string_field("private_key"),
    _string_field("private_key_passwd", secret=True),
    _string_field("imsi"),
    _string_field("milenage", secret=True),
    CredField("domain", _append_string, _list_get(text), _list_lines(string_text)),
    _string_field("domain_suffix_match"),
    CredField("roaming_consortium", _consortium, lambda v: v.hex() if v else None,
              lambda n, v: [f"{n}={v.hex()}"] if v else []),
    CredField("eap", _eap, lambda v: v, lambda n, v: [f"{n}={v}"] if v else []),
    _string_field("phase1"),
    _string_field("phase2"),
    CredField("excluded_ssid", _excluded_ssid, _list_get(printf_encode), _list_lines(bytes.hex)),
    CredField("roaming_partner", _roaming_partner, _list_get(RoamingPartner.text),
              _list_lines(lambda p: string_text(p.text().encode("utf-8", "surrogateescape")))),
    _int_field("update_identifier"),
    _string_field("provisioning_sp"),
    _int_field("sp_priority", parse=_int(0, 255)),
    *(_int_field(f"min_{d}_bandwidth_{w}", unsigned=True) for w in ("home", "roaming") for d in ("dl", "ul")),
    _int_field("max_bss_load", unsigned=True),
    _int_field("ocsp"),
    CredField("req_conn_capab", _req_conn_capab, _list_get(ConnCapab.text), _list_lines(ConnCapab.text)),
    CredField("required_roaming_consortium", _consortium, lambda v: v.hex() if v else None,
              lambda n, v: [f"{n}={v.hex()}"] if v else []),
    CredField("roaming_consortiums", _consortiums, _list_get(bytes.hex, ",", cut=False),
              _consortiums_lines),
    _int_field("sim_num", getter=False, skip=DEFAULT_SIM_NUM, default=DEFAULT_SIM_NUM),
    _int_field("engine", getter=False),
    _string_field("engine_id", getter=False),
    _string_field("key_id", getter=False),
    _string_field("cert_id", getter=False),
    _string_field("ca_cert_id", getter=False),
    # never written: a temporary credential is not saved at all
    CredField("temporary", _int(), _int_get, lambda n, v: [], 0),
)}
# wpa_config_write_cred writes min_dl/min_ul home, then roaming: the generator above keeps that order.
