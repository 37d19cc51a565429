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


class PbcOverlap(Exception):
    """More than one AP has a push-button registrar active: WSC forbids choosing."""
