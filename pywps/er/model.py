"""What the ER knows about APs and the enrollees behind them, and how it reads an AP's WLANEvent; sans-IO."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import IntEnum

from ..wps.attributes import Attributes, parse_attrs
from ..wps.credential import Credential
from ..wps.defs import AttrType, MsgType
from ..wps.errors import ParseError
from ..wps.registrar import Registrar
from .events import ErApAdded, ErEnrolleeAdded, ErEnrolleeRemoved

A = AttrType
NO_DEV_TYPE = bytes(8)
MAX_TEXT = 128  # characters kept of any name an AP or enrollee gives (UPnP allows 64 for friendlyName)


class WlanEventType(IntEnum):
    """The first byte of a WLANEvent (WFA WLANConfig service)."""

    PROBE_REQUEST = 1
    EAP = 2


class WlanEventError(ValueError):
    pass


@dataclass(frozen=True)
class WlanEvent:
    kind: WlanEventType
    mac: bytes
    body: bytes


def parse_wlan_event(data: bytes) -> WlanEvent:
    """type (1 byte) | the station's MAC as 17 characters "xx:xx:xx:xx:xx:xx" | its WSC TLVs."""
    if len(data) < 18:
        raise WlanEventError(f"WLANEvent of {len(data)} bytes is too short")
    try:
        kind = WlanEventType(data[0])
    except ValueError:
        raise WlanEventError(f"unknown WLANEventType {data[0]}") from None
    text = data[1:18].decode("ascii", "replace")
    parts = text.split(":")
    if len(parts) != 6 or any(len(p) != 2 for p in parts):
        raise WlanEventError("WLANEventMAC is not a MAC address")
    try:
        mac = bytes.fromhex("".join(parts))
    except ValueError:
        raise WlanEventError("WLANEventMAC is not a MAC address") from None
    return WlanEvent(kind, mac, data[18:])


def clean_text(value: bytes | str | None) -> str:
    """A peer's name as event text: printable, no '|' (the field separator) and bounded. wpa_supplicant prints
    these raw; a name with a newline or '|' could then forge fields for scripts reading the event."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return "".join(c if c.isprintable() and c != "|" else "?" for c in value[:MAX_TEXT])


@dataclass
class ErEnrollee:
    mac: bytes
    uuid: bytes = bytes(16)
    m1_received: bool = False
    config_methods: int = 0
    dev_password_id: int = 0
    primary_device_type: bytes = NO_DEV_TYPE
    device_name: str = ""
    manufacturer: str = ""
    model_name: str = ""
    model_number: str = ""
    serial_number: str = ""
    session: Registrar | None = None
    password: bytes | None = None
    expiry: asyncio.TimerHandle | None = None

    def update(self, attrs: Attributes, from_probe: bool) -> None:
        """wpa_supplicant's rule: once M1 arrived, a probe request no longer changes what M1 said."""
        if not from_probe or not self.m1_received:
            if (v := attrs.get(A.CONFIG_METHODS)) is not None and len(v) == 2:
                self.config_methods = int.from_bytes(v, "big")
            if (v := attrs.get(A.UUID_E)) is not None and len(v) == 16:
                self.uuid = v
            if (v := attrs.get(A.PRIMARY_DEV_TYPE)) is not None and len(v) == 8:
                self.primary_device_type = v
            if (v := attrs.get(A.DEV_PASSWORD_ID)) is not None and len(v) == 2:
                self.dev_password_id = int.from_bytes(v, "big")
        for attr, name in ((A.MANUFACTURER, "manufacturer"), (A.MODEL_NAME, "model_name"),
                           (A.MODEL_NUMBER, "model_number"), (A.SERIAL_NUMBER, "serial_number"),
                           (A.DEV_NAME, "device_name")):
            if (v := attrs.get(attr)) is not None:
                setattr(self, name, clean_text(v))

    def added_event(self) -> ErEnrolleeAdded:
        return ErEnrolleeAdded(self.uuid, self.mac, self.m1_received, self.config_methods, self.dev_password_id,
                               self.primary_device_type, self.device_name, self.manufacturer, self.model_name,
                               self.model_number, self.serial_number)

    def removed_event(self) -> ErEnrolleeRemoved:
        return ErEnrolleeRemoved(self.uuid, self.mac)


@dataclass
class ErAp:
    """One AP found over SSDP. It is announced (WPS-ER-AP-ADD) once its description, M1 and event
    subscription all worked; until then, or after a failure, it only holds its place until max-age ends."""

    id: int
    source: str
    location: str
    uuid: bytes
    link: object | None = None  # upnp.ApLink
    mac: bytes = bytes(6)
    wps_state: int = 0
    primary_device_type: bytes = NO_DEV_TYPE
    friendly_name: str = ""
    manufacturer: str = ""
    model_description: str = ""
    model_name: str = ""
    manufacturer_url: str = ""
    model_url: str = ""
    announced: bool = False
    failed: bool = False
    busy: bool = False  # a learn/config run or SetSelectedRegistrar is using the AP's control URL
    ap_settings: Credential | None = None
    enrollees: dict[bytes, ErEnrollee] = field(default_factory=dict)
    expiry: asyncio.TimerHandle | None = None
    task: asyncio.Task | None = None

    def take_m1(self, m1: bytes) -> None:
        """What the AP's M1 (from GetDeviceInfo) says about it; raises ParseError/WlanEventError if it is not one."""
        attrs = parse_attrs(m1)
        if attrs.get(A.MSG_TYPE) != bytes([MsgType.M1]):
            raise ParseError("GetDeviceInfo did not return an M1", A.MSG_TYPE)
        uuid_e = attrs.get(A.UUID_E)
        if uuid_e != self.uuid:
            raise WlanEventError(f"M1's UUID-E {uuid_e.hex() if uuid_e else None} is not the advertised {self.uuid.hex()}")
        if (v := attrs.get(A.MAC_ADDR)) is not None and len(v) == 6:
            self.mac = v
        if (v := attrs.get(A.WPS_STATE)) is not None and len(v) == 1:
            self.wps_state = v[0]
        if (v := attrs.get(A.PRIMARY_DEV_TYPE)) is not None and len(v) == 8:
            self.primary_device_type = v

    def added_event(self) -> ErApAdded:
        return ErApAdded(self.uuid, self.mac, self.primary_device_type, self.wps_state, self.friendly_name,
                         self.manufacturer, self.model_description, self.model_name, self.manufacturer_url,
                         self.model_url)
