"""An eap=WSC network's settings as the WSC method reads them when an authenticator proposes it: the EAP
identity picks the role, phase1 says how to prove it (`pin=`, `pbc=1`) and, for a registrar, which settings to
give the AP (`new_ssid= new_auth= new_encr= new_key=`).

The rules are hostap's eap_wsc_init and eap_wsc_new_ap_settings (src/eap_peer/eap_wsc.c), the way wpa_supplicant
also runs its own WPS_PIN / WPS_PBC / WPS_REG networks: each option is found anywhere in phase1 (a substring
search), a value runs to the next space, auth and encr names match by prefix. Whatever makes hostap's method
refuse to start is a `MethodRefused` here; the run then answers the proposal with a Nak and the authenticator
ends it with EAP-Failure. Pure functions: no I/O.

Where pywps refuses what hostap would run, on purpose: the NFC forms (pin=nfc-pw, dev_pw_id=7, pkhash=; pywps has
no NFC) and a registrar without a PIN (pywps's registrar always proves the AP's PIN, as WPS_REG does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..cnumbers import c_atoi
from .credential import Credential
from .defs import AuthType, DevicePasswordId, EncrType
from .eap import IDENTITY_ENROLLEE as ENROLLEE_TEXT
from .eap import IDENTITY_REGISTRAR as REGISTRAR_TEXT

# a network's identity is bytes (hex forms allowed), compared byte for byte as hostap does
IDENTITY_ENROLLEE = ENROLLEE_TEXT.encode()
IDENTITY_REGISTRAR = REGISTRAR_TEXT.encode()
SSID_MAX = 32
KEY_MAX = 64

# new_auth / new_encr names, tried in this order by prefix (eap_wsc_new_ap_settings); WEP is a testing-only
# option in hostap and WSC 2.0 forbids it, so it is refused like an unknown name.
_AUTH = (("OPEN", AuthType.OPEN), ("WPAPSK", AuthType.WPAPSK), ("WPA2PSK", AuthType.WPA2PSK))
_ENCR = (("NONE", EncrType.NONE), ("TKIP", EncrType.TKIP), ("CCMP", EncrType.AES))


class WscRole(Enum):
    ENROLLEE = "enrollee"
    REGISTRAR = "registrar"


class MethodRefused(ValueError):
    """The WSC method would not start with these settings (hostap: eap_wsc_init returns NULL)."""


@dataclass(frozen=True)
class WscMethodConfig:
    role: WscRole
    pin: str | None = field(default=None, repr=False)  # None: push button
    dev_password_id: int = DevicePasswordId.DEFAULT
    new_settings: Credential | None = field(default=None, repr=False)  # registrar: configure the AP, not only learn


def role_of(identity: bytes | None) -> WscRole | None:
    """The role an EAP identity asks for; None for any other identity (exact bytes, as hostap compares)."""
    if identity == IDENTITY_ENROLLEE:
        return WscRole.ENROLLEE
    if identity == IDENTITY_REGISTRAR:
        return WscRole.REGISTRAR
    return None


def is_pin_enrollee(identity: bytes | None, phase1: str | None) -> bool:
    """hostap's eap_is_wps_pin_enrollee: a failed run of such a network keeps trying (wpas_wps_eapol_cb)."""
    return identity == IDENTITY_ENROLLEE and phase1 is not None and "pin=" in phase1


def is_pbc_enrollee(identity: bytes | None, phase1: str | None) -> bool:
    return identity == IDENTITY_ENROLLEE and phase1 is not None and "pbc=1" in phase1


def _value(text: str, name: str) -> str | None:
    """The value after the first `name` anywhere in `text`, up to the next space; None when absent."""
    pos = text.find(name)
    if pos < 0:
        return None
    return text[pos + len(name):].split(" ", 1)[0]


def _hex_field(text: str, name: str, limit: int) -> bytes | None:
    value = _value(text, name)
    if value is None:
        return None
    if len(value) % 2 or len(value) > 2 * limit or not all(c in "0123456789abcdefABCDEF" for c in value):
        raise MethodRefused(f"invalid {name[:-1]}")
    return bytes.fromhex(value)


def _named(text: str, name: str, table: tuple) -> int:
    pos = text.find(name)
    if pos < 0:
        raise MethodRefused(f"missing {name[:-1]}")
    rest = text[pos + len(name):]
    for prefix, value in table:
        if rest.startswith(prefix):
            return value
    raise MethodRefused(f"unknown {name[:-1]}")


def new_ap_settings(phase1: str) -> Credential | None:
    """The registrar's settings for the AP: None without new_ssid (learn only) or without new_key (hostap
    then also only learns); MethodRefused for a bad value or a missing new_auth / new_encr."""
    ssid = _hex_field(phase1, "new_ssid=", SSID_MAX)
    if ssid is None:
        return None
    auth = _named(phase1, "new_auth=", _AUTH)
    encr = _named(phase1, "new_encr=", _ENCR)
    key = _hex_field(phase1, "new_key=", KEY_MAX)
    if key is None:
        return None
    return Credential(ssid, AuthType(auth), EncrType(encr), key)


def method_config(identity: bytes | None, phase1: str | None) -> WscMethodConfig:
    """What the WSC method does with a network's identity and phase1 (eap_wsc_init's checks, in its order);
    MethodRefused when it would not start."""
    role = role_of(identity)
    if role is None:
        raise MethodRefused("unexpected identity")
    if phase1 is None:
        raise MethodRefused("phase1 not set")
    pin = _value(phase1, "pin=")
    pbc = pin is None and "pbc=1" in phase1
    if pin == "nfc-pw":
        raise MethodRefused("NFC password tokens are not supported")
    dev_pw_id = DevicePasswordId.DEFAULT
    named_id = _value(phase1, "dev_pw_id=")
    if named_id is not None:
        number = c_atoi(named_id) & 0xFFFF  # atoi() into hostap's u16 dev_pw_id
        if number == DevicePasswordId.NFC_CONNECTION_HANDOVER:
            raise MethodRefused("NFC connection handover is not supported")
        if pin is not None:
            dev_pw_id = number
    if pin is None and not pbc:
        raise MethodRefused("PIN or PBC not set in phase1")
    if " pkhash=" in phase1:
        raise MethodRefused("pkhash (NFC) is not supported")
    settings = new_ap_settings(phase1)
    if role is WscRole.REGISTRAR and pin is None:
        # hostap's registrar would run a push-button registration; pywps's WPS_REG always proves an AP PIN
        raise MethodRefused("a registrar needs the AP's PIN")
    return WscMethodConfig(role, pin, DevicePasswordId.PUSHBUTTON if pbc else dev_pw_id, settings)
