"""What a radio tells about itself and its link, in wpa_supplicant's terms: SIGNAL_POLL's link figures,
PKTCNT_POLL's counters, the hardware modes of GET_CAPABILITY channels/freq, DRIVER_FLAGS(2). Only the nl80211
driver makes them and only the control commands that print them read them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


class DriverFlag2(enum.IntFlag):
    """wpa_supplicant's second flag word, WPA_DRIVER_FLAGS2_* (src/drivers/driver.h, hostap_2_10)."""

    CONTROL_PORT_RX = 1 << 0
    CONTROL_PORT_TX_STATUS = 1 << 1
    SEC_LTF = 1 << 2
    SEC_RTT = 1 << 3
    PROT_RANGE_NEG = 1 << 4
    BEACON_RATE_HE = 1 << 5
    BEACON_PROTECTION_CLIENT = 1 << 6
    OCV = 1 << 7
    AP_SME = 1 << 8

    @property
    def text(self) -> str:
        """The name DRIVER_FLAGS2 prints: 2.10's driver_flag2_to_string knows only the first two, the others
        print as UNKNOWN."""
        assert self.name is not None
        return self.name if self in (DriverFlag2.CONTROL_PORT_RX, DriverFlag2.CONTROL_PORT_TX_STATUS) else "UNKNOWN"


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
    tx_rate_kbps: int = 0  # the same rate unrounded (CTRL-EVENT-SIGNAL-CHANGE's txrate)


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
    """One of wpa_supplicant's hardware modes ("B", "G", "A", "AD"), its channels and what the radio can do in
    it: HT and VHT capability info (0: none), the station's HE PHY capabilities (None: no HE)."""

    mode: str
    channels: list[Channel] = field(default_factory=list)
    ht_capab: int = 0
    vht_capab: int = 0
    he_phy: bytes | None = None
