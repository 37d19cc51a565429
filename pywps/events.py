"""The shell's event vocabulary: what the station, the connector and the daemon tell the world.

With the WPS runs' (`pywps.runevents`), the core's (`pywps.wps.events`, `pywps.wps.eap`) and the driver's
(`pywps.driver.base`), these are everything a monitor can hear. They are plain data; `pywps.ctrl.events` is the
one place that turns them into wpa_ctrl text (and the one place that hides keys from logs).

Events and the policies' actions are plain dataclasses, as aioquic's events are, not frozen ones: frozen=True
compiles three more methods per class at import (a radio's start defines some 25 of them before its first PONG;
issue 13) and sets each field through object.__setattr__. Nothing hashes them; value types stay frozen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ShellEvent:
    """Base class of the shell's events."""


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
class Authenticating(ShellEvent):
    """An authentication with the AP goes out, on a radio whose kernel authenticates apart, where wpa_supplicant's
    own SME does it ("SME: Trying to authenticate with")."""

    bssid: bytes
    ssid: bytes
    freq: int


@dataclass
class AuthRejected(ShellEvent):
    """The AP refused our authentication (CTRL-EVENT-AUTH-REJECT), with what its frame said."""

    bssid: bytes
    auth_type: int
    transaction: int
    status: int
    ies: bytes = b""


@dataclass
class AssocRejected(ShellEvent):
    """The AP refused our association request (CTRL-EVENT-ASSOC-REJECT)."""

    bssid: bytes
    status: int


@dataclass
class RejectedAttemptNotLeft(ShellEvent):
    """After an association the AP refused, wpa_supplicant's SME asks the kernel to deauthenticate, which
    mac80211 refuses, there being nothing to leave; it says so ("SME: Deauth request to the driver failed"), and
    so does pywps on such a radio, for the monitors that expect the line."""


@dataclass
class Associating(ShellEvent):
    """An association request goes out ("Trying to associate with"): on a radio whose kernel authenticates
    apart, once the AP has accepted the authentication."""

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
class KeyNegotiated(ShellEvent):
    """The 4-way handshake (or a PTK rekey) put its keys in ("WPA: Key negotiation completed with ...");
    ciphers by wpa_supplicant's names (CCMP, TKIP)."""

    bssid: bytes
    pairwise: str
    group: str


@dataclass
class GroupRekeyCompleted(ShellEvent):
    """A group key handshake after the link was up ("WPA: Group rekeying completed with ...")."""

    bssid: bytes
    group: str


@dataclass
class RoamConsidered(ShellEvent):
    """Another BSS of the network was weighed against the current one by signal (CTRL-EVENT-DO-ROAM when
    `roam`, else CTRL-EVENT-SKIP-ROAM): levels in dBm, estimated throughputs in kbit/s."""

    roam: bool
    current: bytes
    current_freq: int
    current_level: int
    current_est: int
    selected: bytes
    selected_freq: int
    selected_level: int
    selected_est: int


@dataclass
class SignalChange(ShellEvent):
    """The signal monitor's threshold was crossed (CTRL-EVENT-SIGNAL-CHANGE), with the link as the kernel
    reports it then: signal and noise in dBm, the transmit rate in kbit/s (wpa_supplicant's fallbacks when
    it cannot say: -9999, 9999, 0)."""

    above: bool
    signal: int
    noise: int
    txrate: int


@dataclass
class IgtkKeyIdSwapped(ShellEvent):
    """The AP's IGTK came with its KeyID bytes swapped and was left out, the link kept ("WPA: Ignore IGTK
    configuration error due to invalid IGTK KeyID byte order")."""


@dataclass
class BigtkKeyIdInvalid(ShellEvent):
    """The AP's BIGTK came under a KeyID other than 6 or 7 ("WPA: Invalid BIGTK KeyID <n>", a warning)."""

    key_id: int


@dataclass
class KeyDataRefusal(ShellEvent):
    """An authentic message 3 or group message held what wpa_supplicant refuses, in its words (process_3_of_4,
    process_1_of_2_rsn, process_1_of_2_wpa): `refusal` names a pywps.wpa.Refusal, `value` is the length, KeyID or
    version refused, `cipher` the cipher it was checked for, `bssid` the AP, `room` the bytes of key the Key Data
    held."""

    refusal: str
    value: int
    cipher: str
    bssid: bytes
    room: int = 0


@dataclass
class KeyFrameNotice(ShellEvent):
    """What wpa_supplicant says of an EAPOL-Key frame from the AP that it drops, or takes with a tolerance of its
    own (wpa_sm_rx_eapol): `notice` names a pywps.wpa.Notice, `value` the version or length it names, `room` the
    bytes the frame held."""

    notice: str
    value: int = 0
    room: int = 0


@dataclass
class GroupKeyRefused(ShellEvent):
    """A group key of the AP's was not installed ("RSN: Failed to configure GTK", or IGTK: hostap words it so for
    every BIP key, a BIGTK too): after message 3 the association ends, after a group message the link goes on."""

    key: str = "IGTK"


@dataclass
class SaQueryNotSent(ShellEvent):
    """An SA Query Request could not be sent; its retry timer sends the next one (wpa_supplicant's sme.c says so
    to the monitors too: "SME: Failed to send SA Query Request")."""


@dataclass
class UnprotectedBeaconDropped(ShellEvent):
    """With beacon protection on, the kernel dropped a beacon of our AP whose protection was missing or wrong;
    the AP is told in a WNM Notification (CTRL-EVENT-UNPROT-BEACON <bssid>)."""

    bssid: bytes


@dataclass
class AuthTimedOut(ShellEvent):
    """The port did not open in time after the association, or after the AP's first EAPOL frame: the link is
    left ("Authentication with ... timed out.")."""

    bssid: bytes


@dataclass
class WrongKey(ShellEvent):
    """The 4-way handshake failed in a way that means a wrong passphrase."""


@dataclass
class SsidTempDisabled(ShellEvent):
    """A network is disabled for a while (CTRL-EVENT-SSID-TEMP-DISABLED): after a wrong key (WRONG_KEY), or after
    four connection attempts in a row that the AP refused or that timed out (CONN_FAILED)."""

    network_id: int
    ssid: bytes
    auth_failures: int
    duration: int
    reason: str = "WRONG_KEY"


@dataclass
class SsidReenabled(ShellEvent):
    """That back-off is over (CTRL-EVENT-SSID-REENABLED)."""

    network_id: int
    ssid: bytes


# -- the daemon --------------------------------------------------------------------------------------------


@dataclass
class ConfigUnreadable(ShellEvent):
    """SIGHUP or RECONFIGURE found a file it cannot read ("Failed to parse the configuration file '<path>' -
    <then>", at MSG_ERROR). wpa_supplicant says "exiting" after RECONFIGURE too, where it goes on with its old
    configuration, as pywps does; after SIGHUP it does exit, where pywps keeps its old configuration and says so."""

    path: str
    then: str


@dataclass
class Terminating(ShellEvent):
    """The daemon is going away (CTRL-EVENT-TERMINATING), sent before the control socket closes."""
