"""The driver interface: what the daemon needs from a link, and the data types it gets back.

A driver knows frames and scan results, nothing of WPS. The daemon registers callbacks and awaits the
coroutines; a driver never blocks the event loop.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

PAE_GROUP_ADDR = bytes.fromhex("0180c2000003")  # IEEE 802.1X PAE group address (wired EAPOL)
ETH_P_PAE = 0x888E

if TYPE_CHECKING:  # a radio's own data types load with the nl80211 driver, not on a wired daemon's start path
    from .radio import DriverFlag, DriverFlag2, HwMode, PacketCounters, SignalInfo


class DriverError(Exception):
    """A link-level failure the daemon reports to the user (missing interface, interface down, lost socket)."""


class AuthenticationRejected(DriverError):
    """The AP answered our authentication with a status other than success (`auth_type`, `transaction` and
    `ies` as its frame had them): wpa_supplicant's CTRL-EVENT-AUTH-REJECT."""

    def __init__(self, bssid: bytes, auth_type: int, transaction: int, status: int, ies: bytes = b"") -> None:
        super().__init__(f"authentication with {mac_str(bssid)} rejected (status {status})")
        self.bssid, self.auth_type, self.transaction, self.status, self.ies = bssid, auth_type, transaction, status, ies


class AssociationRejected(DriverError):
    """The AP answered our association request with a status other than success: CTRL-EVENT-ASSOC-REJECT."""

    def __init__(self, bssid: bytes, status: int) -> None:
        super().__init__(f"association with {mac_str(bssid)} rejected (status {status})")
        self.bssid, self.status = bssid, status


class ScanRefused(DriverError):
    """The kernel refused to start a scan; `code` is its errno (EBUSY: the radio is busy, EINVAL: a channel it
    does not have), which wpa_supplicant shows in CTRL-EVENT-SCAN-FAILED."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class NotSupported(DriverError):
    """The operation does not exist on this kind of link (for example a scan on a wired link)."""


def mac_str(addr: bytes) -> str:
    return ":".join(f"{b:02x}" for b in addr)


def mac_bytes(text: str) -> bytes:
    """`02:00:00:00:01:00` (either case) as 6 bytes; ValueError for anything else."""
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 and p.isascii() and _is_hex(p) for p in parts):
        raise ValueError(f"not a MAC address: {text!r}")
    return bytes(int(p, 16) for p in parts)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


@dataclass(frozen=True)
class ScanEntry:
    """One BSS as a scan reported it; `ies` are the raw information elements (beacon or probe response)."""

    bssid: bytes
    freq: int  # MHz
    signal_mbm: int  # signal in 1/100 dBm, as nl80211 reports it
    capability: int
    beacon_interval: int
    ies: bytes
    beacon_ies: bytes = b""
    tsf: int = 0
    age_ms: int = 0
    seen_at: float = 0.0  # loop time of the scan that reported it
    noise: int | None = None  # dBm on its channel (nl80211's survey), None when the kernel has none

    @property
    def level(self) -> int:
        """dBm, as wpa_supplicant's nl80211 driver divides the kernel's mBm (C's division: toward zero)."""
        return int(self.signal_mbm / 100)


WILDCARD_SSID = b""
MAX_SCAN_SSIDS = 16  # SSIDs one scan probes for, at most (wpa_supplicant's WPAS_MAX_SCAN_SSIDS)


@dataclass(frozen=True)
class ScanParams:
    """What a scan asks of the kernel, as wpa_supplicant's wpa_driver_scan_params."""

    freqs: Sequence[int] = ()  # MHz; empty: every channel
    ssids: Sequence[bytes] = (WILDCARD_SSID,)  # probed for; empty: a passive scan, no probe request
    extra_ies: bytes = b""  # added to the probe requests
    bssid: bytes | None = None  # probe requests to this BSSID only
    flush: bool = False  # the kernel forgets its cached results first (BSS_FLUSH, SCAN only_new=1)


@dataclass(frozen=True)
class ScanResults:
    """What a scan of ours found: the kernel's whole table, what the scan did not visit too."""

    entries: list[ScanEntry]
    aborted: bool = False  # ended early (ABORT_SCAN, or the kernel's): what it found so far


# -- what a link does on its own: the driver's events --------------------------------------------------


class DriverEvent:
    """Base class of what a driver reports without being asked."""


@dataclass
class ScanStarted(DriverEvent):
    """The kernel started a scan (ours or anybody's)."""


@dataclass
class OthersScanEnded(DriverEvent):
    """A scan another program asked for (`iw scan`) ended: its results are in the kernel's table."""

    freqs: tuple[int, ...]  # the channels it covered (MHz)
    ssids: tuple[bytes, ...]  # the SSIDs it probed for; empty: a passive scan
    aborted: bool


@dataclass
class LinkConnected(DriverEvent):
    """The kernel reports the link to `bssid` up."""

    bssid: bytes


@dataclass
class LinkDisconnected(DriverEvent):
    """The link went down: the AP left us, we asked, or (wired) the interface went away."""

    bssid: bytes | None = None
    reason: int = 0
    locally_generated: bool = False


@dataclass
class DriverFailed(DriverEvent):
    """The interface or the kernel socket went away: the daemon cannot work on this link any more."""

    error: str


@dataclass
class SignalCrossed(DriverEvent):
    """The kernel's signal monitor (SIGNAL_MONITOR, bgscan): the link's signal crossed its threshold, upward
    (`above`) or downward, by more than the hysteresis."""

    above: bool


@dataclass
class UnprotectedDisconnect(DriverEvent):
    """On a link whose management frames are protected, the kernel dropped a deauthentication (or
    disassociation) that came without protection, from `sa` with `reason`: wpa_supplicant's EVENT_UNPROT_DEAUTH
    and EVENT_UNPROT_DISASSOC."""

    sa: bytes
    reason: int


@dataclass
class UnprotectedBeacon(DriverEvent):
    """With a BIGTK installed, the kernel dropped a beacon from `sa` whose protection was missing or wrong:
    wpa_supplicant's EVENT_UNPROT_BEACON."""

    sa: bytes


@dataclass
class ActionReceived(DriverEvent):
    """An action frame of a kind we asked for (`send_action`'s answers) came from `sa`: its body (category,
    action, ...)."""

    sa: bytes
    body: bytes


@dataclass
class InterfaceToggled(DriverEvent):
    """The interface went down (`ip link set down`, an rfkill block) or is up again: wpa_supplicant's
    EVENT_INTERFACE_DISABLED and EVENT_INTERFACE_ENABLED."""

    enabled: bool


@dataclass(frozen=True)
class LinkCrypto:
    """What the kernel must know to associate with an RSN/WPA network: suite selectors as 32-bit values
    (00-0F-AC:4 is 0x000FAC04), the WPA version bit (1: WPA, 2: WPA2) and management frame protection (2: the
    link must use it, 1: it may, 0: not asked)."""

    wpa_versions: int
    pairwise: int
    group: int
    akm: int
    mfp: int = 0


EapolHandler = Callable[[bytes, bytes], None]  # (source MAC, EAPOL PDU without Ethernet header)
DriverEventHandler = Callable[[DriverEvent], None]


class Driver(abc.ABC):
    """One network interface. `start()` opens it, `stop()` releases everything it opened."""

    name: str = "base"
    can_scan: bool = False

    def __init__(self, ifname: str) -> None:
        self.ifname = ifname
        self.on_eapol: EapolHandler | None = None
        self.on_event: DriverEventHandler | None = None

    @property
    def enabled(self) -> bool:
        """False while the interface is down (a radio blocked by rfkill at the start, or taken down since):
        wpa_supplicant's INTERFACE_DISABLED; InterfaceToggled says when it changes."""
        return True

    @property
    @abc.abstractmethod
    def own_addr(self) -> bytes:
        """This interface's MAC address (valid after start())."""

    @property
    def permanent_addr(self) -> bytes:
        """The address the interface had at start(), which set_mac_addr(None) gives back (wpa_supplicant's
        perm_addr): the WPS UUID is made from it."""
        return self.own_addr

    @property
    def protects_management_frames(self) -> bool:
        """The radio takes BIP-CMAC-128 keys (wpa_supplicant's drv_enc & BIP), known once its capabilities were
        read (a radio's warm-up, the first scan's results, `read_ciphers`); never on a wire."""
        return False

    @property
    def cipher_suites(self) -> frozenset[int]:
        """The cipher suite selectors (0x000FAC04 for CCMP) the radio takes keys of, once read; none on a wire."""
        return frozenset()

    @property
    def protects_beacons(self) -> bool:
        """The kernel checks the AP's beacons with a BIGTK installed (NL80211_EXT_FEATURE_BEACON_PROTECTION or
        its _CLIENT form: wpa_supplicant's beacon_prot condition), known once the radio's keys were read."""
        return False

    @property
    def authenticates_apart(self) -> bool:
        """The kernel authenticates and associates in two steps it reports (its wiphy takes
        NL80211_CMD_AUTHENTICATE: wpa_supplicant's SME flag, with which it authenticates on its own and says
        "SME: Trying to authenticate with"); never on a wire."""
        return False

    async def read_ciphers(self) -> None:
        """Learn which keys the radio takes, if not known yet (`protects_management_frames`, `cipher_suites`,
        `protects_beacons`)."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        """Send one EAPOL PDU (version, type, length, body) to `dst`."""

    async def scan(self, params: ScanParams) -> ScanResults:
        """Trigger a scan and return its results once it ends."""
        raise NotSupported(f"{self.name} driver cannot scan")

    async def abort_scan(self) -> None:
        """Stop the running scan: scan() then returns what it found so far."""
        raise NotSupported(f"{self.name} driver cannot scan")

    async def scan_results(self) -> list[ScanEntry]:
        """The kernel's current BSS table, without triggering a scan."""
        raise NotSupported(f"{self.name} driver cannot scan")

    async def associate(self, bssid: bytes, ssid: bytes, freq: int, extra_ies: bytes = b"",
                        crypto: LinkCrypto | None = None, privacy: bool = False,
                        prev_bssid: bytes | None = None, on_authenticated: Callable[[], None] | None = None) -> None:
        """Associate (open system authentication) and return once associated; DriverError if refused
        (AuthenticationRejected, AssociationRejected: by the AP, with its status). `privacy` says the BSS
        advertises the Privacy capability (a WPS run to a WPA2 AP). `extra_ies` go into the association request
        (the WPS IE for WPS runs, the RSN IE for WPA2); with `crypto` the controlled port stays closed until
        `authorize_port`. `prev_bssid`: the BSS we are associated with, of the same SSID: a reassociation from it
        (the link to it ends without a disconnect event). `on_authenticated`: called when the AP has accepted
        the authentication, where the kernel says so (`authenticates_apart`)."""
        raise NotSupported(f"{self.name} driver cannot associate")

    async def disconnect(self, reason: int = 3) -> None:
        """Leave the current BSS; a no-op on links without association."""

    async def send_action(self, bssid: bytes, body: bytes) -> None:
        """Send an action frame (`body`: category, action, ...) to the BSS we are associated with, on its
        channel. SA Query Responses, the one kind of action frame pywps listens for, come as ActionReceived."""
        raise NotSupported(f"{self.name} driver cannot send action frames")

    @property
    def assoc_resp_ies(self) -> bytes:
        """The elements of the current association's response (none on links without association)."""
        return b""

    async def set_mac_addr(self, addr: bytes | None) -> None:
        """Give the interface `addr`, or its permanent address again (None): wpa_drv_set_mac_addr."""
        raise NotSupported(f"{self.name} driver cannot change the interface's address")

    async def set_4addr(self, on: bool) -> None:
        """Four-address frames on the link (a Multi-AP backhaul station's, wpa_drv_set_4addr_mode)."""
        raise NotSupported(f"{self.name} driver has no 4-address mode")

    async def set_country(self, alpha2: str) -> None:
        """Ask the kernel for this regulatory domain (`country=`); a no-op on links without one (wpa_supplicant's
        wired driver has no set_country either)."""

    async def install_pairwise_key(self, bssid: bytes, key: bytes, cipher: int) -> None:
        raise NotSupported(f"{self.name} driver cannot install keys")

    async def install_group_key(self, index: int, key: bytes, cipher: int, rsc: bytes) -> None:
        raise NotSupported(f"{self.name} driver cannot install keys")

    async def authorize_port(self, bssid: bytes) -> None:
        raise NotSupported(f"{self.name} driver has no controlled port")

    def set_operstate(self, up: bool) -> None:
        """Tell the kernel the link carries traffic (RFC 2863 operstate UP) or waits for its port (DORMANT): what
        DHCP clients and network managers watch. A no-op where there is no port (wpa_supplicant's wired driver
        has no set_operstate either)."""

    async def signal_info(self) -> SignalInfo:
        """The current link's signal, rate and channel; DriverError when not associated."""
        raise NotSupported(f"{self.name} driver has no signal")

    async def set_signal_monitor(self, threshold: int, hysteresis: int) -> None:
        """Report SignalCrossed when the link's signal crosses `threshold` dBm (`hysteresis` dB apart); 0 and 0
        turn it off."""
        raise NotSupported(f"{self.name} driver has no signal monitor")

    async def packet_counters(self) -> PacketCounters:
        """The current link's frame counters; DriverError when not associated."""
        raise NotSupported(f"{self.name} driver has no packet counters")

    async def hw_modes(self) -> list[HwMode]:
        """The radio's modes and channels."""
        raise NotSupported(f"{self.name} driver has no channels")

    async def driver_flags(self) -> DriverFlag:
        """What the kernel driver can do, as wpa_supplicant's flags."""
        raise NotSupported(f"{self.name} driver reports no flags")

    async def driver_flags2(self) -> DriverFlag2:
        """wpa_supplicant's second flag word for the kernel driver."""
        raise NotSupported(f"{self.name} driver reports no flags")
