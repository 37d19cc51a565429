"""WSC messages: which attributes each must carry, how to read one, and how to build each of them.

Builders return the message body (the TLVs) without the Authenticator; the state machines append it because
only they hold the previous message and the AuthKey.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from .attributes import (
    Attributes,
    attr_name,
    build_attr,
    build_attrs,
    parse_attrs,
    u8,
    u16,
    u32,
    version2_ext,
)
from .defs import (
    WPS_VERSION,
    AssocState,
    AttrType,
    ConfigError,
    ConnTypeFlags,
    DevicePasswordId,
    MsgType,
    WfaSubelem,
    WpsState,
    members,
)
from .device import DeviceInfo, PeerDevice
from .errors import ParseError, ProtocolError

A = members(AttrType)  # the members, without EnumType's slow attribute lookup
M = members(MsgType)

_DEVICE_ATTRS = (
    A.AUTH_TYPE_FLAGS, A.ENCR_TYPE_FLAGS, A.CONN_TYPE_FLAGS, A.CONFIG_METHODS, A.MANUFACTURER, A.MODEL_NAME,
    A.MODEL_NUMBER, A.SERIAL_NUMBER, A.PRIMARY_DEV_TYPE, A.DEV_NAME, A.RF_BANDS, A.ASSOC_STATE,
)
_NONCES = (A.ENROLLEE_NONCE, A.REGISTRAR_NONCE)

# Mandatory attributes per message (WSC 2.0 section 8; hostap's wps_validate.c checks the same set).
REQUIRED: dict[MsgType, tuple[int, ...]] = {
    M.M1: (A.UUID_E, A.MAC_ADDR, A.ENROLLEE_NONCE, A.PUBLIC_KEY, *_DEVICE_ATTRS, A.WPS_STATE,
           A.DEV_PASSWORD_ID, A.CONFIG_ERROR, A.OS_VERSION),
    M.M2: (*_NONCES, A.UUID_R, A.PUBLIC_KEY, *_DEVICE_ATTRS, A.CONFIG_ERROR, A.DEV_PASSWORD_ID,
           A.AUTHENTICATOR),
    M.M2D: (*_NONCES, A.UUID_R, *_DEVICE_ATTRS, A.CONFIG_ERROR),
    M.M3: (A.REGISTRAR_NONCE, A.E_HASH1, A.E_HASH2, A.AUTHENTICATOR),
    M.M4: (A.ENROLLEE_NONCE, A.R_HASH1, A.R_HASH2, A.ENCR_SETTINGS, A.AUTHENTICATOR),
    M.M5: (A.REGISTRAR_NONCE, A.ENCR_SETTINGS, A.AUTHENTICATOR),
    M.M6: (A.ENROLLEE_NONCE, A.ENCR_SETTINGS, A.AUTHENTICATOR),
    M.M7: (A.REGISTRAR_NONCE, A.ENCR_SETTINGS, A.AUTHENTICATOR),
    M.M8: (A.ENROLLEE_NONCE, A.ENCR_SETTINGS, A.AUTHENTICATOR),
    M.WSC_ACK: _NONCES,
    M.WSC_NACK: (*_NONCES, A.CONFIG_ERROR),
    M.WSC_DONE: _NONCES,
}
# Attributes that may legitimately repeat; any other duplicate makes the message ambiguous, so it is refused.
REPEATABLE = frozenset({A.VENDOR_EXT, A.CREDENTIAL, A.SECONDARY_DEV_TYPE_LIST, A.APPLICATION_EXT})


class Message(NamedTuple):
    # A tuple rather than a frozen dataclass: one is built per received message, on the hot path.
    type: MsgType
    attrs: Attributes
    raw: bytes

    def nonce(self, attr: int) -> bytes:
        return self.attrs.require(attr)


_MSG_TYPES: dict[int, MsgType] = {int(m): m for m in MsgType}  # MsgType(n) is an Enum call: slow
_REQUIRED_KEYS: dict[MsgType, frozenset[int]] = {m: frozenset(int(a) for a in attrs) for m, attrs in REQUIRED.items()}
_VERSION, _MSG_TYPE, _AUTHENTICATOR = int(A.VERSION), int(A.MSG_TYPE), int(A.AUTHENTICATOR)
_new_message = tuple.__new__


def read_message(body: bytes) -> Message:
    """Parse a WSC message body. ParseError for bytes that are not a message at all; ProtocolError for a
    message of a known type that lacks a mandatory attribute or repeats one."""
    attrs = parse_attrs(body)
    first = attrs._first
    # hostapd and wpa_supplicant always start with Version; tolerate order but require presence.
    if _VERSION not in first:
        raise ParseError("no Version attribute", A.VERSION, 0)
    raw_type = first.get(_MSG_TYPE)
    if raw_type is None:
        raise ParseError("no Message Type attribute", A.MSG_TYPE)
    msg_type = _MSG_TYPES.get(raw_type[0])
    if msg_type is None:
        raise ParseError(f"unknown message type 0x{raw_type[0]:02x}", A.MSG_TYPE)
    required = _REQUIRED_KEYS.get(msg_type)
    if required is None:
        raise ParseError(f"{msg_type.name} is not a registration protocol message", A.MSG_TYPE)
    if not first.keys() >= required:
        names = ", ".join(AttrType(a).name for a in REQUIRED[msg_type] if a not in first)
        raise MalformedMessage(msg_type, f"{msg_type.name} lacks {names}")
    if attrs.has_repeats:
        seen: set[int] = set()
        for item in attrs.items:
            if item.type in seen and item.type not in REPEATABLE:
                raise MalformedMessage(msg_type, f"{msg_type.name} repeats {attr_name(item.type)}")
            seen.add(item.type)
    if _AUTHENTICATOR in first and attrs.last_type != _AUTHENTICATOR:
        raise MalformedMessage(msg_type, f"{msg_type.name}: Authenticator is not the last attribute")
    return _new_message(Message, (msg_type, attrs, body))


class MalformedMessage(ProtocolError):
    """A message of a known type that breaks its own rules; WPS-FAIL names that type."""

    def __init__(self, msg_type: MsgType, text: str) -> None:
        super().__init__(text)
        self.msg_type = msg_type


def peer_device(attrs: Attributes, uuid_attr: int) -> PeerDevice:
    return PeerDevice(
        uuid=attrs.get(uuid_attr, b""),
        mac_address=attrs.get(A.MAC_ADDR),
        device_name=attrs.get(A.DEV_NAME, b""),
        manufacturer=attrs.get(A.MANUFACTURER, b""),
        model_name=attrs.get(A.MODEL_NAME, b""),
        model_number=attrs.get(A.MODEL_NUMBER, b""),
        serial_number=attrs.get(A.SERIAL_NUMBER, b""),
        primary_device_type=attrs.get(A.PRIMARY_DEV_TYPE, b""),
        config_methods=attrs.get_int(A.CONFIG_METHODS),
    )


# -- builders ----------------------------------------------------------------------------------------------


# Version and Message Type, encoded once per message type.
_HEADER = {m: build_attrs([(A.VERSION, u8(WPS_VERSION)), (A.MSG_TYPE, u8(m))]) for m in MsgType}


# A daemon's runs describe an equal device every time: its 12 TLVs are encoded once (half of building M1/M2).
@lru_cache(maxsize=4)
def _device_tlvs(dev: DeviceInfo) -> tuple[bytes, bytes]:
    """The device's flags (Auth/Encr/Conn Type Flags, Config Methods), then its description (Manufacturer ..
    Association State): M2 sends them back to back, M1 puts the WPS State between them."""
    flags = build_attrs([
        (A.AUTH_TYPE_FLAGS, u16(dev.auth_type_flags)),
        (A.ENCR_TYPE_FLAGS, u16(dev.encr_type_flags)),
        (A.CONN_TYPE_FLAGS, u8(ConnTypeFlags.ESS)),
        (A.CONFIG_METHODS, u16(dev.config_methods)),
    ])
    description = build_attrs([
        (A.MANUFACTURER, dev.manufacturer),
        (A.MODEL_NAME, dev.model_name),
        (A.MODEL_NUMBER, dev.model_number),
        (A.SERIAL_NUMBER, dev.serial_number),
        (A.PRIMARY_DEV_TYPE, dev.primary_device_type),
        (A.DEV_NAME, dev.device_name),
        (A.RF_BANDS, u8(dev.rf_bands)),
        (A.ASSOC_STATE, u16(AssocState.NOT_ASSOC)),
    ])
    return flags, description


def build_m1(
    dev: DeviceInfo,
    enrollee_nonce: bytes,
    public_key: bytes,
    password_id: DevicePasswordId,
    wps_state: WpsState = WpsState.NOT_CONFIGURED,
    request_to_enroll: bool = False,
    multi_ap: int = 0,
) -> bytes:
    ext = [(WfaSubelem.REQUEST_TO_ENROLL, b"\x01")] if request_to_enroll else []
    if multi_ap:  # after the others, as wps_build_wfa_ext puts it
        ext.append((WfaSubelem.MULTI_AP, u8(multi_ap)))
    flags, description = _device_tlvs(dev)
    return b"".join((
        _HEADER[M.M1],
        build_attrs([
            (A.UUID_E, dev.uuid),
            (A.MAC_ADDR, dev.mac_address),
            (A.ENROLLEE_NONCE, enrollee_nonce),
            (A.PUBLIC_KEY, public_key),
        ]),
        flags,
        build_attr(A.WPS_STATE, u8(wps_state)),
        description,
        build_attrs([
            (A.DEV_PASSWORD_ID, u16(password_id)),
            (A.CONFIG_ERROR, u16(ConfigError.NO_ERROR)),
            (A.OS_VERSION, u32(dev.os_version)),
            version2_ext(ext),
        ]),
    ))


def build_m2(
    dev: DeviceInfo,
    enrollee_nonce: bytes,
    registrar_nonce: bytes,
    public_key: bytes | None,
    password_id: DevicePasswordId,
    config_error: ConfigError = ConfigError.NO_ERROR,
) -> bytes:
    """M2, or M2D when `public_key` is None (a registrar that has no password for this enrollee)."""
    items = [(A.ENROLLEE_NONCE, enrollee_nonce), (A.REGISTRAR_NONCE, registrar_nonce), (A.UUID_R, dev.uuid)]
    if public_key is not None:
        items.append((A.PUBLIC_KEY, public_key))
    closing = [(A.CONFIG_ERROR, u16(config_error))]
    if public_key is not None:
        closing.append((A.DEV_PASSWORD_ID, u16(password_id)))
    closing += [(A.OS_VERSION, u32(dev.os_version)), version2_ext()]
    flags, description = _device_tlvs(dev)
    header = _HEADER[M.M2 if public_key is not None else M.M2D]
    return b"".join((header, build_attrs(items), flags, description, build_attrs(closing)))


def build_encrypted_step(
    msg_type: MsgType, nonce_attr: int, nonce: bytes, encrypted: bytes, extra: list[tuple[int, bytes]] = ()
) -> bytes:
    """M3..M8 share a shape: the peer's nonce, message-specific attributes, Encrypted Settings, Version2."""
    items = [(nonce_attr, nonce), *extra]
    if encrypted:
        items.append((A.ENCR_SETTINGS, encrypted))
    items.append(version2_ext())
    return _HEADER[msg_type] + build_attrs(items)


def build_m3(registrar_nonce: bytes, e_hash1: bytes, e_hash2: bytes) -> bytes:
    return build_encrypted_step(M.M3, A.REGISTRAR_NONCE, registrar_nonce, b"", [(A.E_HASH1, e_hash1), (A.E_HASH2, e_hash2)])


def build_m4(enrollee_nonce: bytes, r_hash1: bytes, r_hash2: bytes, encrypted: bytes) -> bytes:
    return build_encrypted_step(M.M4, A.ENROLLEE_NONCE, enrollee_nonce, encrypted, [(A.R_HASH1, r_hash1), (A.R_HASH2, r_hash2)])


def build_closing(msg_type: MsgType, enrollee_nonce: bytes, registrar_nonce: bytes, config_error: int | None = None) -> bytes:
    """WSC_ACK, WSC_NACK (with Configuration Error) and WSC_Done."""
    items = [(A.ENROLLEE_NONCE, enrollee_nonce), (A.REGISTRAR_NONCE, registrar_nonce)]
    if msg_type is M.WSC_NACK:
        items.append((A.CONFIG_ERROR, u16(config_error or 0)))
    items.append(version2_ext())
    return _HEADER[msg_type] + build_attrs(items)
