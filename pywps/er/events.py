"""What the External Registrar tells its user: typed events, formatted for wpa_ctrl in pywps/ctrl/events.py.

Field names follow wpa_supplicant's WPS-ER-* events (wps_supplicant.c); strings are already decoded text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..wps.credential import Credential
from ..wps.defs import ConfigError, ErrorIndication, MsgType


class ErEvent:
    """Base class of every External Registrar event."""


@dataclass
class ErApAdded(ErEvent):
    """An AP answered SSDP, served its description and M1 and accepted our event subscription."""

    uuid: bytes
    mac_address: bytes
    primary_device_type: bytes
    wps_state: int
    friendly_name: str = ""
    manufacturer: str = ""
    model_description: str = ""
    model_name: str = ""
    manufacturer_url: str = ""
    model_url: str = ""


@dataclass
class ErApRemoved(ErEvent):
    uuid: bytes


@dataclass
class ErEnrolleeAdded(ErEvent):
    """A station seen through an AP's WLANEvent: a probe request (m1_received False) or its M1."""

    uuid: bytes
    mac_address: bytes
    m1_received: bool
    config_methods: int
    dev_password_id: int
    primary_device_type: bytes
    device_name: str = ""
    manufacturer: str = ""
    model_name: str = ""
    model_number: str = ""
    serial_number: str = ""


@dataclass
class ErEnrolleeRemoved(ErEvent):
    uuid: bytes
    mac_address: bytes


@dataclass
class ErApSettings(ErEvent):
    """WPS_ER_LEARN got the AP's current settings from its M7."""

    uuid: bytes
    credential: Credential


class SelRegState(Enum):
    START = "START"
    DONE = "DONE"
    FAILED = "FAILED"


@dataclass
class ErSetSelectedRegistrar(ErEvent):
    """SetSelectedRegistrar sent to an AP (START), answered (DONE) or not (FAILED)."""

    uuid: bytes
    state: SelRegState
    selected: bool = False
    dev_password_id: int = 0
    config_methods: int = 0


@dataclass
class ErCredentialReceived(ErEvent):
    """WPS_ER_CONFIG: the AP confirmed (WSC_Done) the new settings it got in M8. wpa_supplicant then also
    stores them as a network, as after WPS_REG."""

    uuid: bytes
    credential: Credential


@dataclass
class ErSuccess(ErEvent):
    """A registration through the ER succeeded: the AP took new settings, or an enrollee got its credential."""

    peer_mac: bytes


@dataclass
class ErFailure(ErEvent):
    """A run with an AP (or an enrollee behind it) ended without success, as WPS-FAIL reports it."""

    msg: MsgType | int
    config_error: ConfigError | int
    reason: ErrorIndication | int = ErrorIndication.NONE


@dataclass
class ErPbcActive(ErEvent):
    """WPS_ER_PBC started push-button mode for walk time (wpa_supplicant's WPS-PBC-ACTIVE)."""


@dataclass
class ErPbcDisabled(ErEvent):
    """A push-button registration through the ER completed (WPS-PBC-DISABLE; a walk-time end prints nothing)."""
