"""What a WPS run asks of the station, shared by the run policy, the station and the WPS service."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..wps.credential import Credential


class RunKind(Enum):
    PIN = "pin"
    PBC = "pbc"
    REG = "reg"


@dataclass(frozen=True)
class RunRequest:
    kind: RunKind
    bssid: bytes | None = None  # None: whichever authenticator answers (a wired PAE group address too)
    pin: str | None = field(default=None, repr=False)
    new_settings: Credential | None = field(default=None, repr=False)  # WPS_REG: configure, not only learn
    # -- a configured eap=WSC network (station/profile.py) runs as wpa_supplicant runs its own WPS networks:
    network_id: int | None = None  # that network (None: a command's run, in a network of its own)
    identity: bytes | None = None  # its EAP identity (None: the role's own)
    refusal: str | None = None  # why the WSC method will not start with its settings: the proposal gets a Nak
    dev_password_id: int = 0
    key_mgmt_wps: bool = True  # False for key_mgmt=IEEE8021X: plain 802.1X around the EAP, no WPS bookkeeping
    pin_enrollee: bool | None = None  # hostap's eap_is_wps_pin_enrollee (None: kind is PIN): a failure retries

    @property
    def keeps_trying(self) -> bool:
        """After an EAP-Failure without success the run goes on (wpas_wps_eapol_cb's PIN enrollee rule)."""
        return self.kind is RunKind.PIN if self.pin_enrollee is None else self.pin_enrollee


class PbcOverlap(Exception):
    """More than one AP has a push-button registrar active: WSC forbids choosing."""
