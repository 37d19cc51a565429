"""The driver interface: what the daemon needs from a link, and the data types it gets back.

A driver knows frames and scan results, nothing of WPS. The daemon registers callbacks and awaits the
coroutines; a driver never blocks the event loop.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

PAE_GROUP_ADDR = bytes.fromhex("0180c2000003")  # IEEE 802.1X PAE group address (wired EAPOL)
ETH_P_PAE = 0x888E


class DriverError(Exception):
    """A link-level failure the daemon reports to the user (missing interface, interface down, lost socket)."""


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


# -- what a radio tells about itself and its link (wpa_supplicant's view: SIGNAL_POLL, DRIVER_FLAGS, ...) --------


class DriverFlag(enum.IntFlag):
    """wpa_supplicant's WPA_DRIVER_FLAGS_* bits (src/drivers/driver.h), named as DRIVER_FLAGS prints them."""

    DRIVER_IE = 1 << 0
    SET_KEYS_AFTER_ASSOC = 1 << 1
    DFS_OFFLOAD = 1 << 2
    FOUR_WAY_HANDSHAKE_8021X = 1 << 3
    WIRED = 1 << 4
    SME = 1 << 5
    AP = 1 << 6
    SET_KEYS_AFTER_ASSOC_DONE = 1 << 7
    HT_2040_COEX = 1 << 8
    P2P_CONCURRENT = 1 << 9
    P2P_DEDICATED_INTERFACE = 1 << 10
    P2P_CAPABLE = 1 << 11
    AP_TEARDOWN_SUPPORT = 1 << 12
    P2P_MGMT_AND_NON_P2P = 1 << 13
    VALID_ERROR_CODES = 1 << 14
    OFFCHANNEL_TX = 1 << 15
    EAPOL_TX_STATUS = 1 << 16
    DEAUTH_TX_STATUS = 1 << 17
    BSS_SELECTION = 1 << 18
    TDLS_SUPPORT = 1 << 19
    TDLS_EXTERNAL_SETUP = 1 << 20
    PROBE_RESP_OFFLOAD = 1 << 21
    AP_UAPSD = 1 << 22
    INACTIVITY_TIMER = 1 << 23
    AP_MLME = 1 << 24
    SAE = 1 << 25
    OBSS_SCAN = 1 << 26
    IBSS = 1 << 27
    RADAR = 1 << 28
    DEDICATED_P2P_DEVICE = 1 << 29
    QOS_MAPPING = 1 << 30
    AP_CSA = 1 << 31
    MESH = 1 << 32
    ACS_OFFLOAD = 1 << 33
    KEY_MGMT_OFFLOAD = 1 << 34
    TDLS_CHANNEL_SWITCH = 1 << 35
    HT_IBSS = 1 << 36
    VHT_IBSS = 1 << 37
    SUPPORT_HW_MODE_ANY = 1 << 38
    OFFCHANNEL_SIMULTANEOUS = 1 << 39
    FULL_AP_CLIENT_STATE = 1 << 40
    P2P_LISTEN_OFFLOAD = 1 << 41
    SUPPORT_FILS = 1 << 42
    BEACON_RATE_LEGACY = 1 << 43
    BEACON_RATE_HT = 1 << 44
    BEACON_RATE_VHT = 1 << 45
    MGMT_TX_RANDOM_TA = 1 << 46
    MGMT_TX_RANDOM_TA_CONNECTED = 1 << 47
    SCHED_SCAN_RELATIVE_RSSI = 1 << 48
    HE_CAPABILITIES = 1 << 49
    FILS_SK_OFFLOAD = 1 << 50
    OCE_STA = 1 << 51
    OCE_AP = 1 << 52
    OCE_STA_CFON = 1 << 53
    MFP_OPTIONAL = 1 << 54
    SELF_MANAGED_REGULATORY = 1 << 55
    FTM_RESPONDER = 1 << 56
    FOUR_WAY_HANDSHAKE_PSK = 1 << 57
    CONTROL_PORT = 1 << 58
    VLAN_OFFLOAD = 1 << 59
    UPDATE_FT_IES = 1 << 60
    SAFE_PTK0_REKEYS = 1 << 61
    BEACON_PROTECTION = 1 << 62
    EXTENDED_KEY_ID = 1 << 63

    @property
    def text(self) -> str:
        """The name wpa_supplicant prints (Python names cannot start with a digit)."""
        assert self.name is not None
        return self.name.replace("FOUR_WAY", "4WAY")


class ChannelWidth(enum.IntEnum):
    """The operating channel's width (nl80211's numbering)."""

    W20_NOHT = 0
    W20 = 1
    W40 = 2
    W80 = 3
    W80P80 = 4
    W160 = 5
    W5 = 6
    W10 = 7


@dataclass(frozen=True)
class SignalInfo:
    """The link to the AP: signals in dBm (0: not reported), tx rate in Mbit/s, noise None when unknown."""

    signal: int
    tx_rate_mbps: int
    noise: int | None
    freq: int
    width: ChannelWidth | None = None
    center_freq1: int = 0
    center_freq2: int = 0
    avg_signal: int = 0
    avg_beacon_signal: int = 0


@dataclass(frozen=True)
class PacketCounters:
    """Frames to and from the AP as the kernel counts them (PKTCNT_POLL)."""

    tx_packets: int
    tx_failed: int
    rx_packets: int


@dataclass(frozen=True)
class Channel:
    freq: int
    chan: int
    disabled: bool = False
    no_ir: bool = False
    radar: bool = False


@dataclass
class HwMode:
    """One of wpa_supplicant's hardware modes ("B", "G", "A", "AD") and its channels."""

    mode: str
    channels: list[Channel] = field(default_factory=list)


# -- what a link does on its own: the driver's events --------------------------------------------------


class DriverEvent:
    """Base class of what a driver reports without being asked."""


@dataclass(frozen=True)
class ScanStarted(DriverEvent):
    """The kernel started a scan (ours or anybody's)."""


@dataclass(frozen=True)
class LinkConnected(DriverEvent):
    bssid: bytes


@dataclass(frozen=True)
class LinkDisconnected(DriverEvent):
    """The link went down: the AP left us, we asked, or (wired) the interface went away."""

    bssid: bytes | None = None
    reason: int = 0
    locally_generated: bool = False


@dataclass(frozen=True)
class DriverFailed(DriverEvent):
    """The interface or the kernel socket went away: the daemon cannot work on this link any more."""

    error: str


@dataclass(frozen=True)
class LinkCrypto:
    """What the kernel must know to associate with an RSN/WPA network: suite selectors as 32-bit values
    (00-0F-AC:4 is 0x000FAC04) and the WPA version bit (1: WPA, 2: WPA2)."""

    wpa_versions: int
    pairwise: int
    group: int
    akm: int


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
    @abc.abstractmethod
    def own_addr(self) -> bytes:
        """This interface's MAC address (valid after start())."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        """Send one EAPOL PDU (version, type, length, body) to `dst`."""

    async def scan(self, extra_ies: bytes = b"", ssids: list[bytes] | None = None) -> list[ScanEntry]:
        """Trigger a scan (with `extra_ies` in the probe requests) and return its results."""
        raise NotSupported(f"{self.name} driver cannot scan")

    async def abort_scan(self) -> None:
        """Stop the running scan: scan() then returns what it found so far."""
        raise NotSupported(f"{self.name} driver cannot scan")

    async def scan_results(self) -> list[ScanEntry]:
        """The kernel's current BSS table, without triggering a scan."""
        raise NotSupported(f"{self.name} driver cannot scan")

    async def associate(self, bssid: bytes, ssid: bytes, freq: int, extra_ies: bytes = b"",
                        crypto: LinkCrypto | None = None, privacy: bool = False) -> None:
        """Associate (open system authentication) and return once associated; DriverError if refused.
        `privacy` says the BSS advertises the Privacy capability (a WPS run to a WPA2 AP).
        `extra_ies` go into the association request (the WPS IE for WPS runs, the RSN IE for WPA2); with
        `crypto` the controlled port stays closed until `authorize_port`."""
        raise NotSupported(f"{self.name} driver cannot associate")

    async def disconnect(self, reason: int = 3) -> None:
        """Leave the current BSS; a no-op on links without association."""

    async def install_pairwise_key(self, bssid: bytes, key: bytes, cipher: int) -> None:
        raise NotSupported(f"{self.name} driver cannot install keys")

    async def install_group_key(self, index: int, key: bytes, cipher: int, rsc: bytes) -> None:
        raise NotSupported(f"{self.name} driver cannot install keys")

    async def authorize_port(self, bssid: bytes) -> None:
        raise NotSupported(f"{self.name} driver has no controlled port")

    async def signal_info(self) -> SignalInfo:
        """The current link's signal, rate and channel; DriverError when not associated."""
        raise NotSupported(f"{self.name} driver has no signal")

    async def packet_counters(self) -> PacketCounters:
        """The current link's frame counters; DriverError when not associated."""
        raise NotSupported(f"{self.name} driver has no packet counters")

    async def hw_modes(self) -> list[HwMode]:
        """The radio's modes and channels."""
        raise NotSupported(f"{self.name} driver has no channels")

    async def driver_flags(self) -> DriverFlag:
        """What the kernel driver can do, as wpa_supplicant's flags."""
        raise NotSupported(f"{self.name} driver reports no flags")
