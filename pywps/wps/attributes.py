"""WSC attribute codec: TLVs (type u16, length u16, value), the WFA vendor extension, strict length rules.

Parsing only reads bytes into an ordered multi-map and checks each attribute's length against the spec; which
attributes a message must carry is `messages.py`'s business, and cryptographic checks are the state machines'.
Unknown attribute types are kept, in order, so a message re-serializes byte for byte.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .defs import WFA_VENDOR_ID, WPS_VERSION2, AttrType, WfaSubelem, members
from .errors import ParseError

A = members(AttrType)  # the members, without EnumType's slow attribute lookup

# Fixed lengths from WSC 2.0 section 12 (what hostap's wps_attr_parse.c enforces too).
FIXED_LEN: dict[int, int] = {
    A.AP_CHANNEL: 2, A.ASSOC_STATE: 2, A.AUTH_TYPE: 2, A.AUTH_TYPE_FLAGS: 2, A.AUTHENTICATOR: 8,
    A.CONFIG_METHODS: 2, A.CONFIG_ERROR: 2, A.CONN_TYPE_FLAGS: 1, A.ENCR_TYPE: 2, A.ENCR_TYPE_FLAGS: 2,
    A.DEV_PASSWORD_ID: 2, A.E_HASH1: 32, A.E_HASH2: 32, A.E_SNONCE1: 16, A.E_SNONCE2: 16,
    A.ENROLLEE_NONCE: 16, A.KEY_WRAP_AUTH: 8, A.MAC_ADDR: 6, A.MSG_TYPE: 1, A.NETWORK_INDEX: 1,
    A.NETWORK_KEY_INDEX: 1, A.OS_VERSION: 4, A.PUBLIC_KEY: 192, A.REGISTRAR_NONCE: 16, A.REQUEST_TYPE: 1,
    A.RESPONSE_TYPE: 1, A.RF_BANDS: 1, A.R_HASH1: 32, A.R_HASH2: 32, A.R_SNONCE1: 16, A.R_SNONCE2: 16,
    A.SELECTED_REGISTRAR: 1, A.WPS_STATE: 1, A.UUID_E: 16, A.UUID_R: 16, A.VERSION: 1,
    A.SELECTED_REGISTRAR_CONFIG_METHODS: 2, A.PRIMARY_DEV_TYPE: 8, A.AP_SETUP_LOCKED: 1,
    A.PUBKEY_HASH: 20, A.KEY_ID: 16, A.MSG_COUNTER: 8, A.PORTABLE_DEV: 1, A.POWER_LEVEL: 1,
}
# Upper bounds on variable-length attributes.
MAX_LEN: dict[int, int] = {
    A.DEV_NAME: 32, A.MANUFACTURER: 64, A.MODEL_NAME: 32, A.MODEL_NUMBER: 32, A.SERIAL_NUMBER: 32,
    A.SSID: 32, A.NETWORK_KEY: 64, A.VENDOR_EXT: 1024, A.SECONDARY_DEV_TYPE_LIST: 128,
}
MIN_LEN: dict[int, int] = {
    A.ENCR_SETTINGS: 32,  # IV (16) and at least one AES block
    A.VENDOR_EXT: 3,  # the vendor id
}
MAX_MESSAGE = 65535
_TL = struct.Struct(">HH")
_pack_tl = _TL.pack
_VENDOR_EXT = int(A.VENDOR_EXT)  # a plain int: enum member lookups cost in the parse loop


def attr_name(attr: int) -> str:
    try:
        return AttrType(attr).name
    except ValueError:
        return f"0x{attr:04x}"


class Attribute(NamedTuple):
    # A tuple, not a dataclass: a registration parses ~300 of these and a frozen dataclass costs 4x to build.
    type: int
    value: bytes
    offset: int = 0  # where its TLV started in the parsed buffer


class Attributes:
    """An ordered multi-map of attributes, as received. Lookups return the first occurrence."""

    __slots__ = ("_first", "_items", "_raw")

    def __init__(self, items: Iterable[Attribute] = ()) -> None:
        self._items: list[Attribute] | None = [a if type(a) is Attribute else Attribute(*a) for a in items]
        self._raw: list[tuple[int, bytes, int]] = self._items  # Attribute is a (type, value, offset) tuple
        self._first: dict[int, bytes] = {}
        for a in reversed(self._items):
            self._first[a.type] = a.value

    @classmethod
    def _parsed(cls, raw: list[tuple[int, bytes, int]], first: dict[int, bytes]) -> Attributes:
        """parse_attrs' constructor: plain (type, value, offset) tuples and the first-occurrence map, built
        while parsing; the Attribute objects are made only if someone asks for `items`."""
        self = cls.__new__(cls)
        self._raw = raw
        self._first = first
        self._items = None
        return self

    @property
    def items(self) -> list[Attribute]:
        if self._items is None:
            self._items = [Attribute(*t) for t in self._raw]
        return self._items

    @property
    def has_repeats(self) -> bool:
        """Whether any attribute type occurs more than once."""
        return len(self._first) != len(self._raw)

    @property
    def last_type(self) -> int | None:
        return self._raw[-1][0] if self._raw else None

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, attr: int) -> bool:
        return attr in self._first

    def count(self, attr: int) -> int:
        return sum(1 for a in self._raw if a[0] == attr)

    def get(self, attr: int, default: bytes | None = None) -> bytes | None:
        return self._first.get(attr, default)

    def get_all(self, attr: int) -> list[bytes]:
        return [a[1] for a in self._raw if a[0] == attr]

    def require(self, attr: int) -> bytes:
        value = self._first.get(attr)
        if value is None:
            raise ParseError("missing attribute", attr)
        return value

    def get_int(self, attr: int, default: int = 0) -> int:
        value = self._first.get(attr)
        return default if value is None else int.from_bytes(value, "big")

    def require_int(self, attr: int) -> int:
        return int.from_bytes(self.require(attr), "big")

    def wfa_ext(self) -> dict[int, bytes]:
        """Sub-elements of the first WFA vendor extension (empty when there is none)."""
        for value in self.get_all(A.VENDOR_EXT):
            if value[:3] == WFA_VENDOR_ID:
                return parse_wfa_subelems(value[3:])
        return {}

    def to_bytes(self) -> bytes:
        return build_attrs([(a[0], a[1]) for a in self._raw])

    def __repr__(self) -> str:
        return "Attributes(" + ", ".join(f"{attr_name(a[0])}={a[1].hex()}" for a in self._raw) + ")"


def check_length(attr: int, length: int, offset: int) -> None:
    fixed = FIXED_LEN.get(attr)
    if fixed is not None and length != fixed:
        raise ParseError(f"length {length}, expected {fixed}", attr, offset)
    if length > MAX_LEN.get(attr, MAX_MESSAGE):
        raise ParseError(f"length {length} exceeds {MAX_LEN[attr]}", attr, offset)
    if length < MIN_LEN.get(attr, 0):
        raise ParseError(f"length {length} is below {MIN_LEN[attr]}", attr, offset)


def _valid_lengths() -> frozenset[int]:
    """Every (type << 16 | length) the tables allow, for bounded attributes up to 1 KiB: parse_attrs checks a
    TLV with one set lookup and asks check_length only about the rest (unbounded types, long values). Built on
    the first parse, not at import (a millisecond off the daemon's start path)."""
    global _VALID_LENGTHS
    valid = {attr << 16 | length for attr, length in FIXED_LEN.items()}
    for attr in MAX_LEN.keys() | MIN_LEN.keys():
        if attr not in FIXED_LEN:
            valid.update(attr << 16 | n for n in range(MIN_LEN.get(attr, 0), min(MAX_LEN.get(attr, 1024), 1024) + 1))
    _VALID_LENGTHS = frozenset(valid)
    return _VALID_LENGTHS


_VALID_LENGTHS: frozenset[int] = frozenset()


def parse_attrs(data: bytes, nested_in: int | None = None) -> Attributes:
    """Parse a sequence of TLVs. Any malformation raises ParseError naming the attribute and offset."""
    end = len(data)
    if end > MAX_MESSAGE:
        raise ParseError(f"{end} bytes exceed the largest WSC message", nested_in)
    if type(data) is not bytes:
        data = bytes(data)  # slices of bytes are bytes: values need no copy below
    raw: list[tuple[int, bytes, int]] = []
    first: dict[int, bytes] = {}
    append = raw.append
    valid = _VALID_LENGTHS or _valid_lengths()
    unpack = _TL.unpack_from
    at = 0
    while at < end:  # the hot loop of every received message: kept to the bone (a try costs nothing in 3.11)
        try:
            attr, length = unpack(data, at)
        except struct.error:  # fewer than 4 bytes left
            raise ParseError(f"truncated attribute header ({end - at} bytes left)", nested_in, at) from None
        start = at + 4
        stop = start + length
        if stop > end:
            raise ParseError(f"length {length} runs past the end of the data", attr, at)
        if (attr << 16 | length) not in valid:
            check_length(attr, length, at)  # raises unless the type is unbounded or the value long
        value = data[start:stop]
        if attr == _VENDOR_EXT and value[:3] == WFA_VENDOR_ID and value not in _valid_wfa_ext:
            _check_wfa_ext(value, at)
        append((attr, value, at))
        if attr not in first:
            first[attr] = value
        at = stop
    return Attributes._parsed(raw, first)


def _check_wfa_ext(value: bytes, offset: int) -> None:
    try:
        parse_wfa_subelems(value[3:])
    except ParseError as e:
        raise ParseError(f"bad WFA vendor extension: {e}", A.VENDOR_EXT, offset) from None
    _remember_valid_wfa_ext(value)


# Every WSC message carries a WFA vendor extension, nearly always one of a few values (Version2, plus
# RequestToEnroll in M1): the ones that passed the checks once are not parsed again. Bounded: a peer sending
# endless variants only refills it.
_valid_wfa_ext: set[bytes] = set()


def _remember_valid_wfa_ext(value: bytes) -> None:
    if len(_valid_wfa_ext) >= 64:
        _valid_wfa_ext.clear()
    _valid_wfa_ext.add(value)


def build_attr(attr: int, value: bytes) -> bytes:
    if len(value) > 0xFFFF:
        raise ValueError(f"{attr_name(attr)} value of {len(value)} bytes does not fit a TLV")
    return _pack_tl(attr, len(value)) + value


def build_attrs(items: Iterable[tuple[int, bytes]]) -> bytes:
    if not isinstance(items, (list, tuple)):
        items = list(items)
    try:
        return b"".join([_pack_tl(t, len(v)) + v for t, v in items])
    except struct.error:  # a value longer than 0xFFFF: build_attr says which
        return b"".join([build_attr(t, v) for t, v in items])


# -- WFA vendor extension ------------------------------------------------------------------------------

WFA_SUBELEM_LEN: dict[int, int] = {
    WfaSubelem.VERSION2: 1,
    WfaSubelem.NETWORK_KEY_SHAREABLE: 1,
    WfaSubelem.REQUEST_TO_ENROLL: 1,
    WfaSubelem.SETTINGS_DELAY_TIME: 1,
    WfaSubelem.REGISTRAR_CONFIGURATION_METHODS: 2,
    WfaSubelem.MULTI_AP: 1,
}


def parse_wfa_subelems(data: bytes) -> dict[int, bytes]:
    subs: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        if len(data) - pos < 2:
            raise ParseError("truncated WFA sub-element", A.VENDOR_EXT, pos)
        sid, length = data[pos], data[pos + 1]
        if pos + 2 + length > len(data):
            raise ParseError(f"WFA sub-element {sid} runs past the end", A.VENDOR_EXT, pos)
        value = bytes(data[pos + 2 : pos + 2 + length])
        fixed = WFA_SUBELEM_LEN.get(sid)
        if fixed is not None and length != fixed:
            raise ParseError(f"WFA sub-element {sid} length {length}, expected {fixed}", A.VENDOR_EXT, pos)
        if sid == WfaSubelem.AUTHORIZED_MACS and (length == 0 or length % 6):
            raise ParseError(f"AuthorizedMACs length {length} is not a multiple of 6", A.VENDOR_EXT, pos)
        subs.setdefault(sid, value)
        pos += 2 + length
    return subs


def build_wfa_ext(subelems: Iterable[tuple[int, bytes]]) -> bytes:
    """The value of a Vendor Extension attribute carrying WFA sub-elements."""
    return WFA_VENDOR_ID + b"".join(bytes([sid, len(v)]) + v for sid, v in subelems)


def version2_ext(extra: Iterable[tuple[int, bytes]] = ()) -> tuple[int, bytes]:
    """The (type, value) of the vendor extension every WSC 2.0 message carries, Version2 first."""
    if not extra:
        return _VERSION2_EXT
    return (A.VENDOR_EXT, build_wfa_ext([(WfaSubelem.VERSION2, bytes([WPS_VERSION2])), *extra]))


_VERSION2_EXT = (A.VENDOR_EXT, build_wfa_ext([(WfaSubelem.VERSION2, bytes([WPS_VERSION2]))]))


def u8(v: int) -> bytes:
    return v.to_bytes(1, "big")


def u16(v: int) -> bytes:
    return v.to_bytes(2, "big")


def u32(v: int) -> bytes:
    return v.to_bytes(4, "big")
