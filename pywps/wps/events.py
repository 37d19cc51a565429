"""Events the core hands to its user: the public vocabulary of a WPS run (aioquic's events.py style)."""

from __future__ import annotations

from dataclasses import dataclass

from .credential import Credential
from .defs import ConfigError, DevicePasswordId, ErrorIndication, MsgType
from .device import PeerDevice


class WpsEvent:
    """Base class of every event."""


@dataclass
class CredentialReceived(WpsEvent):
    """A credential from M8 (station enrollee), or an AP's current settings from M7 (learn-only registrar).

    `credential.raw` is the Credential attribute as wpa_supplicant prints it in WPS-CRED-RECEIVED.
    """

    credential: Credential
    from_ap_settings: bool = False


@dataclass
class M2DReceived(WpsEvent):
    """A registrar answered M1 with M2D: it has no password for us (yet)."""

    dev_password_id: DevicePasswordId | int
    config_error: ConfigError | int
    registrar: PeerDevice


@dataclass
class Success(WpsEvent):
    """The registration succeeded, with the peer at `peer_mac`."""

    peer_mac: bytes | None = None


@dataclass
class Failure(WpsEvent):
    """The run ended without success. `msg` is the WSC message type wpa_supplicant reports in WPS-FAIL."""

    msg: MsgType | int
    config_error: ConfigError | int
    reason: ErrorIndication = ErrorIndication.NONE
    description: str = ""


@dataclass
class PeerIdentified(WpsEvent):
    """M1 (or M2) told us who the peer is: used for logs, PBC overlap and brute-force bookkeeping."""

    device: PeerDevice
    dev_password_id: DevicePasswordId | int


@dataclass
class MessageDropped(WpsEvent):
    """Bytes that could not be read as the expected message were ignored; the run goes on."""

    reason: str


# -- the EAP layer's (pywps.wps.eap makes them) ------------------------------------------------------------------


@dataclass
class EapStarted(WpsEvent):
    """The authenticator sent its first EAP-Request (CTRL-EVENT-EAP-STARTED)."""

    authenticator: bytes | None = None


@dataclass
class EapMethodProposed(WpsEvent):
    """EAP-WSC was proposed (CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1)."""


@dataclass
class EapMethodRefused(WpsEvent):
    """EAP-WSC was proposed but the method could not start with our settings (an unexpected identity, no PIN or
    PBC in phase1, registrar settings without new_auth ...): answered with a Nak (wpa_supplicant's "EAP: Failed
    to initialize EAP method"); the authenticator's EAP-Failure follows."""

    why: str = ""


@dataclass
class EapFailureReceived(WpsEvent):
    """EAP-Failure: the normal end of every WPS run (CTRL-EVENT-EAP-FAILURE)."""


@dataclass
class EapSuccessReceived(WpsEvent):
    """EAP-Success from the authenticator (a WPS run itself always ends in EAP-Failure)."""
