"""What a WPS run or a SCAN command asks of the station, shared by the run policy, the station, the WPS service
and the commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..driver.base import WILDCARD_SSID
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
    multi_ap: bool = False  # M1 asks for a Multi-AP backhaul's credential (WPS_PBC multi_ap=1, phase1 multi_ap=1)
    backhaul_sta: bool = False  # the association request carries the Multi-AP element (multi_ap_backhaul_sta)
    # a command's run: the phase1 wpa_supplicant gives the run's network (`pin=... dev_pw_id=0`, `pbc=1`, ...)
    phase1: str | None = field(default=None, repr=False)

    @property
    def keeps_trying(self) -> bool:
        """After an EAP-Failure without success the run goes on (wpas_wps_eapol_cb's PIN enrollee rule)."""
        return self.kind is RunKind.PIN if self.pin_enrollee is None else self.pin_enrollee


class PbcOverlap(Exception):
    """More than one AP has a push-button registrar active: WSC forbids choosing."""


@dataclass(frozen=True)
class ScanOptions:
    """What a scan asks beyond the channels: a SCAN command's (wpa_supplicant's manual scan parameters), or
    ours."""

    ssids: tuple[bytes, ...] = (WILDCARD_SSID,)  # probed for; none: passive=1
    bssid: bytes | None = None  # bssid=: probe requests to that BSS only
    only_new: bool = False  # only_new=1: the kernel's cached results are dropped first
    scan_id: int | None = None  # use_id=1: the id the scan's two events carry
    manual: bool = False  # a SCAN command's: not tried again when it fails
    select: bool = True  # the results are chosen from (NETWORK-NOT-FOUND, a join); not after SCAN TYPE=ONLY
    # a WPS run's network exists as the scan starts, though the scan is not the run's own (which it would not
    # choose from): its probe requests say the run, as wpa_supplicant's do while a WPS network is there
    announces: RunRequest | None = None


PLAIN_SCAN = ScanOptions()
