"""What a WPS run tells the world: the run events of the shell's vocabulary (`pywps.events`).

Apart from the station's and the connector's events, which a radio's start needs before its first PONG: these
load with the WPS service (issue 13: each dataclass costs the start three compiled methods).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .events import ShellEvent


@dataclass
class PinActive(ShellEvent):
    """A PIN run started (WPS-PIN-ACTIVE)."""


@dataclass
class PbcActive(ShellEvent):
    """A push-button run started (WPS-PBC-ACTIVE)."""


@dataclass
class RunCancelled(ShellEvent):
    """WPS_CANCEL stopped the run (WPS-CANCEL)."""


@dataclass
class RunTimedOut(ShellEvent):
    """Walk time ran out (WPS-TIMEOUT)."""


@dataclass
class PbcOverlapDetected(ShellEvent):
    """Two registrars in push-button mode: the run ends without registering (WPS-OVERLAP-DETECTED)."""


@dataclass
class CredentialForClient(ShellEvent):
    """wps_cred_processing 1 or 2: the credential goes to the client as a hexdump (WPS-CRED-RECEIVED)."""

    raw: bytes = field(repr=False)


@dataclass
class CredentialRefused(ShellEvent):
    """A received credential could not be stored: the run fails at M8 instead of succeeding (WPS-FAIL)."""

    msg: int
    why: str
    reason: int = 0  # WPS-FAIL's reason= (wps_error_indication): 2 for a WEP credential


@dataclass
class OpenNetworkDisabled(ShellEvent):
    """A registrar run (WPS_REG) brought the settings of an open network: stored disabled, as Debian's
    wpa_supplicant (CONFIG_WPS_REG_DISABLE_OPEN) stores them (WPS-OPEN-NETWORK)."""

    network_id: int


@dataclass
class RunFailed(ShellEvent):
    """A WPS_REG run ended without success, or a PBC run got its EAP-Failure without one: wpa_supplicant then
    says a bare WPS-FAIL (a PIN run goes on trying instead)."""


@dataclass
class RunSucceeded(ShellEvent):
    """The run is over and its credential was handled (WPS-SUCCESS)."""


@dataclass
class RunEnded(ShellEvent):
    """The run is over, after its last event: the station may rejoin a stored network. Not shown to clients."""

    succeeded: bool
    # Wireless: the run's last action leaves its link (ReleaseLink). wpas_clear_wps deauthenticates before it removes
    # the run's network, so the shell ends the run once that action is carried out.
    leaves_link: bool = False
