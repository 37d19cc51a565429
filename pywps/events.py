"""The shell's event vocabulary: what WPS runs, the station, the connector and the daemon tell the world.

With the core's events (`pywps.wps.events`, `pywps.wps.eap`) and the driver's (`pywps.driver.base`), these are
everything a monitor can hear. They are plain data; `pywps.ctrl.events` is the one place that turns them into
wpa_ctrl text (and the one place that hides keys from logs).

Events and the policies' actions are plain dataclasses, as aioquic's events are, not frozen ones: frozen=True
compiles three more methods per class at import (a radio's start defines ~40 such classes before its first PONG;
issue 13) and sets each field through object.__setattr__. Nothing hashes them; value types stay frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ShellEvent:
    """Base class of the shell's events."""


# -- WPS runs ------------------------------------------------------------------------------------------------


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


# -- the station and the connector ----------------------------------------------------------------------------


class RegistrarSeen(Enum):
    """The most useful registrar state a scan found, in hostap's precedence (WPS-AP-AVAILABLE*)."""

    PBC = "-PBC"
    AUTH = "-AUTH"
    PIN = "-PIN"
    ANY = ""


@dataclass
class BssAdded(ShellEvent):
    """A BSS entered the table (CTRL-EVENT-BSS-ADDED): wpa_cli's completions and wpa_gui's Peers window follow
    these two events."""

    id: int
    bssid: bytes


@dataclass
class BssRemoved(ShellEvent):
    """A BSS left the table: aged out, flushed, or the daemon ends (CTRL-EVENT-BSS-REMOVED)."""

    id: int
    bssid: bytes


@dataclass
class ScanBegan(ShellEvent):
    """The kernel started a scan, ours or another program's (CTRL-EVENT-SCAN-STARTED)."""

    scan_id: int | None = None  # a `SCAN use_id=1` scan's id, which its two events carry


@dataclass
class ScanResultsReady(ShellEvent):
    """A scan is over, ours or another program's, and its results are in the table (CTRL-EVENT-SCAN-RESULTS)."""

    scan_id: int | None = None


@dataclass
class NetworkNotFound(ShellEvent):
    """A scan of ours heard no enabled network to join (CTRL-EVENT-NETWORK-NOT-FOUND)."""


@dataclass
class ScanFailed(ShellEvent):
    """A scan of ours could not start (CTRL-EVENT-SCAN-FAILED): `ret` the kernel's -errno (-1 for any other
    failure), `retry` when another follows in a second (not after a SCAN command's or after DISCONNECT)."""

    ret: int
    retry: bool


@dataclass
class WpsApAvailable(ShellEvent):
    """A scan saw an AP with WPS, the most useful registrar state named (WPS-AP-AVAILABLE*)."""

    seen: RegistrarSeen


@dataclass
class Associating(ShellEvent):
    """An association request goes out ("Trying to associate with")."""

    bssid: bytes
    ssid: bytes
    freq: int


@dataclass
class Associated(ShellEvent):
    """The kernel reports the association ("Associated with")."""

    bssid: bytes


@dataclass
class SubnetStatusUpdate(ShellEvent):
    """wpa_supplicant's CTRL-EVENT-SUBNET-STATUS-UPDATE after an association (status 0: unknown subnet)."""

    status: int = 0


@dataclass
class Connected(ShellEvent):
    """A stored network's link is up, its port open (CTRL-EVENT-CONNECTED)."""

    bssid: bytes
    network_id: int
    id_str: str = ""


@dataclass
class WrongKey(ShellEvent):
    """The 4-way handshake failed in a way that means a wrong passphrase."""


@dataclass
class SsidTempDisabled(ShellEvent):
    """A network is disabled for a while after a wrong key (CTRL-EVENT-SSID-TEMP-DISABLED)."""

    network_id: int
    ssid: bytes
    auth_failures: int
    duration: int


@dataclass
class SsidReenabled(ShellEvent):
    """That back-off is over (CTRL-EVENT-SSID-REENABLED)."""

    network_id: int
    ssid: bytes


# -- the daemon --------------------------------------------------------------------------------------------


@dataclass
class Terminating(ShellEvent):
    """The daemon is going away (CTRL-EVENT-TERMINATING), sent before the control socket closes."""
