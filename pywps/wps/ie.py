"""The WPS information element of 802.11 management frames: parse it from beacons and probe responses, build it
for our probe and association requests.

The WPS IE is a vendor-specific element (OUI 00:50:F2, type 4) whose body is a run of WSC attributes; a long
one is split over several consecutive elements and must be joined before parsing. Which registrar mode an AP
advertises follows hostap's wps.c rules (Device Password ID rather than the often wrong Selected Registrar
Config Methods), so pywps shows the same flags and events as wpa_supplicant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from .attributes import parse_attrs, u8, u16, build_attrs, version2_ext
from .defs import (
    WPS_OUI_TYPE,
    WPS_VERSION,
    AssocState,
    AttrType,
    ConfigError,
    DevicePasswordId,
    RequestType,
    WfaSubelem,
)
from .device import DeviceInfo
from .errors import ParseError

EID_SSID = 0
EID_VENDOR = 221
BROADCAST = b"\xff" * 6
MAX_VENDOR_BODY = 255 - len(WPS_OUI_TYPE)


def iter_elements(ies: bytes) -> Iterator[tuple[int, bytes]]:
    """(element id, body) pairs; a truncated last element ends the walk (the kernel already hands us what the
    AP sent, and a broken tail must not hide the elements before it)."""
    pos = 0
    while pos + 2 <= len(ies):
        eid, length = ies[pos], ies[pos + 1]
        if pos + 2 + length > len(ies):
            return
        yield eid, ies[pos + 2 : pos + 2 + length]
        pos += 2 + length


def find_element(ies: bytes, eid: int) -> bytes | None:
    return next((body for e, body in iter_elements(ies) if e == eid), None)


def find_vendor_element(ies: bytes, oui_type: bytes) -> bytes | None:
    """The first vendor element with this 4-byte OUI+type, header included (as wpa_supplicant passes it on)."""
    return next((body for e, body in iter_elements(ies) if e == EID_VENDOR and body.startswith(oui_type)), None)


def wps_ie_payload(ies: bytes) -> bytes | None:
    """The WSC attributes of all WPS vendor elements joined, or None when the BSS has no WPS IE."""
    parts = [body[4:] for e, body in iter_elements(ies) if e == EID_VENDOR and body.startswith(WPS_OUI_TYPE)]
    return b"".join(parts) if parts else None


class RegistrarMode(Enum):
    """What an AP's WPS IE says about its registrar, from our point of view (hostap's order of tests)."""

    PBC = "PBC"  # a registrar in push-button mode
    AUTH = "AUTH"  # a registrar that authorized our MAC address or everyone (AuthorizedMACs)
    PIN = "PIN"  # a PIN registrar that has not authorized us
    NONE = ""  # WPS capable, no active registrar


@dataclass(frozen=True)
class WpsIeInfo:
    """The fields of an AP's WPS IE that scans show and AP selection uses."""

    version2: int | None
    wps_state: int | None
    ap_setup_locked: bool
    selected_registrar: bool
    dev_password_id: int | None
    sel_reg_config_methods: int | None
    authorized_macs: tuple[bytes, ...]
    uuid_e: bytes | None
    primary_device_type: bytes | None
    device_name: bytes | None
    config_methods: int | None

    @property
    def pbc_active(self) -> bool:
        return self.selected_registrar and self.dev_password_id == DevicePasswordId.PUSHBUTTON

    @property
    def pin_active(self) -> bool:
        return self.selected_registrar and self.dev_password_id != DevicePasswordId.PUSHBUTTON

    def authorizes(self, addr: bytes, ver1_compat: bool = False) -> bool:
        """Our address (or the broadcast address) is in AuthorizedMACs; a WSC 1.0 AP (no Version2) has no
        such list, so with `ver1_compat` an active PIN registrar counts, as in wpa_supplicant's AP choice."""
        if self.version2 is None and ver1_compat:
            return self.pin_active
        return any(mac in (addr, BROADCAST) for mac in self.authorized_macs)

    def mode_for(self, addr: bytes) -> RegistrarMode:
        if self.pbc_active:
            return RegistrarMode.PBC
        if self.authorizes(addr):
            return RegistrarMode.AUTH
        if self.pin_active:
            return RegistrarMode.PIN
        return RegistrarMode.NONE

    def flag_text(self, addr: bytes) -> str:
        mode = self.mode_for(addr)
        return f"[WPS-{mode.value}]" if mode is not RegistrarMode.NONE else "[WPS]"


def parse_wps_ie(payload: bytes) -> WpsIeInfo:
    """Parse the joined WPS IE attributes; ParseError when they are not well-formed TLVs."""
    attrs = parse_attrs(payload)
    ext = attrs.wfa_ext()

    def maybe_int(attr: AttrType) -> int | None:
        return attrs.get_int(attr) if attr in attrs else None

    macs = ext.get(WfaSubelem.AUTHORIZED_MACS, b"")
    version2 = ext.get(WfaSubelem.VERSION2)
    return WpsIeInfo(
        version2=version2[0] if version2 else None,
        wps_state=maybe_int(AttrType.WPS_STATE),
        ap_setup_locked=bool(attrs.get_int(AttrType.AP_SETUP_LOCKED)),
        selected_registrar=bool(attrs.get_int(AttrType.SELECTED_REGISTRAR)),
        dev_password_id=maybe_int(AttrType.DEV_PASSWORD_ID),
        sel_reg_config_methods=maybe_int(AttrType.SELECTED_REGISTRAR_CONFIG_METHODS),
        authorized_macs=tuple(macs[i : i + 6] for i in range(0, len(macs) - len(macs) % 6, 6)),
        uuid_e=attrs.get(AttrType.UUID_E),
        primary_device_type=attrs.get(AttrType.PRIMARY_DEV_TYPE),
        device_name=attrs.get(AttrType.DEV_NAME),
        config_methods=maybe_int(AttrType.CONFIG_METHODS),
    )


def wps_info_from_ies(ies: bytes) -> WpsIeInfo | None:
    """The WPS IE of a BSS, or None when it has none or a malformed one (treated as not WPS capable)."""
    payload = wps_ie_payload(ies)
    if payload is None:
        return None
    try:
        return parse_wps_ie(payload)
    except ParseError:
        return None


def _vendor_elements(payload: bytes) -> bytes:
    """Split WSC attributes over as many WPS vendor elements as their length needs."""
    out = bytearray()
    for i in range(0, max(len(payload), 1), MAX_VENDOR_BODY):
        chunk = payload[i : i + MAX_VENDOR_BODY]
        out += bytes([EID_VENDOR, len(WPS_OUI_TYPE) + len(chunk)]) + WPS_OUI_TYPE + chunk
    return bytes(out)


def probe_request_ie(device: DeviceInfo, request: RequestType = RequestType.ENROLLEE_INFO,
                     password_id: DevicePasswordId = DevicePasswordId.DEFAULT) -> bytes:
    """The WPS IE of our probe requests, as wpa_supplicant builds it (wps_build_probe_req_ie): the device as
    M1 describes it, the request type of the WPS run under way (ENROLLEE_INFO in other scans, as Debian's
    wpa_supplicant sends on a P2P-capable radio), and Request to Enroll while enrolling. APs log us from it
    (hostapd's WPS-ENROLLEE-SEEN), and a PBC registrar counts the devices pressing the button."""
    dev = device.as_sent()
    enrolling = request is RequestType.ENROLLEE_OPEN_8021X
    payload = build_attrs([
        (AttrType.VERSION, u8(WPS_VERSION)),
        (AttrType.REQUEST_TYPE, u8(request)),
        (AttrType.CONFIG_METHODS, u16(dev.config_methods)),
        (AttrType.UUID_E, dev.uuid),
        (AttrType.PRIMARY_DEV_TYPE, dev.primary_device_type),
        (AttrType.RF_BANDS, u8(dev.rf_bands)),
        (AttrType.ASSOC_STATE, u16(AssocState.NOT_ASSOC)),
        (AttrType.CONFIG_ERROR, u16(ConfigError.NO_ERROR)),
        (AttrType.DEV_PASSWORD_ID, u16(password_id)),
        (AttrType.MANUFACTURER, dev.manufacturer),
        (AttrType.MODEL_NAME, dev.model_name),
        (AttrType.MODEL_NUMBER, dev.model_number),
        (AttrType.DEV_NAME, dev.device_name),
        version2_ext([(WfaSubelem.REQUEST_TO_ENROLL, b"\x01")] if enrolling else ()),
    ])
    return _vendor_elements(payload)


def association_request_ie(registrar: bool = False) -> bytes:
    """The WPS IE of our association request: it is what makes a WPA2 AP admit us without an RSN IE, for
    the EAP-WSC exchange only."""
    request = RequestType.REGISTRAR if registrar else RequestType.ENROLLEE_OPEN_8021X
    payload = build_attrs([(AttrType.VERSION, u8(WPS_VERSION)), (AttrType.REQUEST_TYPE, u8(request)), version2_ext()])
    return _vendor_elements(payload)
