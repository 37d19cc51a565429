"""What the kernel tells about a radio and its link, read from nl80211's nested attributes (sans-IO).

The driver hands raw attribute payloads (bytes) to these parsers: the wiphy's bands and channels (a split
NL80211_CMD_GET_WIPHY dump arrives in pieces), a station's counters (NL80211_CMD_GET_STATION), the channel's
noise (NL80211_CMD_GET_SURVEY). The numbers are include/uapi/linux/nl80211.h's; the interpretation (which band
is which mode, how a frequency becomes a channel number) is wpa_supplicant's, so the control replies built on
it read as wpa_supplicant's do.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from .radio import Channel, DriverFlag, DriverFlag2, HwMode

NLA_TYPE_MASK = 0x3FFF  # without NLA_F_NESTED / NLA_F_NET_BYTEORDER


def attributes(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, payload) of each netlink attribute in `data`; a truncated tail ends the walk."""
    offset = 0
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("<HH", data, offset)
        if length < 4 or offset + length > len(data):
            return
        yield kind & NLA_TYPE_MASK, data[offset + 4:offset + length]
        offset += (length + 3) & ~3


def _u(payload: bytes) -> int:
    return int.from_bytes(payload[:4], "little") if payload else 0


def _s8(payload: bytes) -> int:
    return struct.unpack_from("b", payload)[0] if payload else 0


class StaInfo(IntEnum):
    """enum nl80211_sta_info (the ones pywps reads)."""

    SIGNAL = 7
    TX_BITRATE = 8
    RX_PACKETS = 9
    TX_PACKETS = 10
    TX_FAILED = 12
    SIGNAL_AVG = 13
    BEACON_SIGNAL_AVG = 30


class RateInfo(IntEnum):
    BITRATE = 1  # u16, 100 kbit/s
    BITRATE32 = 5  # u32, 100 kbit/s


class SurveyInfo(IntEnum):
    FREQUENCY = 1
    NOISE = 2


class BandAttr(IntEnum):
    FREQS = 1
    RATES = 2
    HT_CAPA = 4
    VHT_CAPA = 8
    IFTYPE_DATA = 9


class BandIftypeAttr(IntEnum):
    IFTYPES = 1
    HE_CAP_PHY = 3


class FreqAttr(IntEnum):
    FREQ = 1
    DISABLED = 2
    NO_IR = 3
    RADAR = 5


@dataclass(frozen=True)
class StationStats:
    """The link to our AP as the kernel counts it; signals in dBm (0: not reported), bitrate in 100 kbit/s."""

    signal: int = 0
    signal_avg: int = 0
    beacon_signal_avg: int = 0
    tx_bitrate: int = 0
    rx_packets: int = 0
    tx_packets: int = 0
    tx_failed: int = 0


def parse_station(sta_info: bytes) -> StationStats:
    """The payload of NL80211_ATTR_STA_INFO."""
    values: dict[int, bytes] = dict(attributes(sta_info))
    rate = 0
    if StaInfo.TX_BITRATE in values:
        rates = dict(attributes(values[StaInfo.TX_BITRATE]))
        if RateInfo.BITRATE in rates:  # wpa_supplicant 2.10 reads the 16-bit rate
            rate = int.from_bytes(rates[RateInfo.BITRATE][:2], "little")
        elif RateInfo.BITRATE32 in rates:
            rate = _u(rates[RateInfo.BITRATE32])
    return StationStats(
        signal=_s8(values.get(StaInfo.SIGNAL, b"")),
        signal_avg=_s8(values.get(StaInfo.SIGNAL_AVG, b"")),
        beacon_signal_avg=_s8(values.get(StaInfo.BEACON_SIGNAL_AVG, b"")),
        tx_bitrate=rate,
        rx_packets=_u(values.get(StaInfo.RX_PACKETS, b"")),
        tx_packets=_u(values.get(StaInfo.TX_PACKETS, b"")),
        tx_failed=_u(values.get(StaInfo.TX_FAILED, b"")),
    )


def survey_noises(surveys: Iterable[bytes]) -> dict[int, int]:
    """Noise (dBm) by frequency from NL80211_ATTR_SURVEY_INFO payloads (entries without noise are left out)."""
    noises = {}
    for survey in surveys:
        values = dict(attributes(survey))
        if SurveyInfo.FREQUENCY in values and SurveyInfo.NOISE in values:
            noises[_u(values[SurveyInfo.FREQUENCY])] = _s8(values[SurveyInfo.NOISE])
    return noises


def freq_to_chan(freq: int) -> int:
    """wpa_supplicant's ieee80211_freq_to_chan() for the bands a wiphy reports (0 where it has no number)."""
    if 2412 <= freq <= 2472:
        return (freq - 2407) // 5
    if freq == 2484:
        return 14
    if 4900 <= freq < 5000:
        return (freq - 4000) // 5
    if 5000 <= freq <= 5900:
        return (freq - 5000) // 5
    if freq == 5935:
        return 2
    if 5950 <= freq <= 7115:
        return (freq - 5950) // 5
    if 56160 + 2160 <= freq <= 56160 + 2160 * 6:
        return (freq - 56160) // 2160
    return 0


class WiphyBands:
    """The bands of a wiphy, merged from the messages of a split dump (a band's channels may be spread over
    several messages, each carrying the band under its index)."""

    def __init__(self) -> None:
        self._freqs: dict[int, list[Channel]] = {}
        self._rates: dict[int, list[int]] = {}
        self._caps: dict[int, dict[str, int | bytes | None]] = {}

    def add(self, wiphy_bands: bytes) -> None:
        """One message's NL80211_ATTR_WIPHY_BANDS payload."""
        for index, band in attributes(wiphy_bands):
            freqs = self._freqs.setdefault(index, [])
            rates = self._rates.setdefault(index, [])
            caps = self._caps.setdefault(index, {})
            for kind, payload in attributes(band):
                if kind == BandAttr.FREQS:
                    freqs += [_channel(dict(attributes(f))) for _, f in attributes(payload)]
                elif kind == BandAttr.RATES:
                    rates += [_u(dict(attributes(r)).get(1, b"")) for _, r in attributes(payload)]
                elif kind == BandAttr.HT_CAPA:
                    caps["ht_capab"] = _u(payload[:2])
                elif kind == BandAttr.VHT_CAPA:
                    caps["vht_capab"] = _u(payload)
                elif kind == BandAttr.IFTYPE_DATA:
                    for _, entry in attributes(payload):
                        values = dict(attributes(entry))
                        iftypes = {t for t, _ in attributes(values.get(BandIftypeAttr.IFTYPES, b""))}
                        if IfType.STATION in iftypes:  # HE as a station: wpa_supplicant's IEEE80211_MODE_INFRA
                            caps["he_phy"] = values.get(BandIftypeAttr.HE_CAP_PHY, b"")

    def modes(self) -> list[HwMode]:
        """wpa_supplicant's modes (wpa_driver_nl80211_postprocess_modes): a band below 2 GHz is dropped, the
        2.4 GHz band is "G" when it has an OFDM rate (above 20 Mbit/s) and "B" otherwise, above 50 GHz "AD",
        the rest "A"; a "G" without a "B" gets a "B" with the same channels, last."""
        modes = []
        for index, channels in self._freqs.items():
            if not channels or channels[0].freq < 2000:
                continue
            first = channels[0].freq
            if first < 4000:
                name = "G" if any(rate > 200 for rate in self._rates[index]) else "B"
            elif first > 50000:
                name = "AD"
            else:
                name = "A"
            modes.append(HwMode(name, list(channels), **self._caps.get(index, {})))  # type: ignore[arg-type]
        names = [m.mode for m in modes]
        if "B" not in names and "G" in names:
            modes.append(HwMode("B", list(modes[names.index("G")].channels)))
        return modes


def hw_modes(wiphy: dict[int, list[bytes]]) -> list[HwMode]:
    """The modes of a wiphy from its split dump (see `driver_flags` for `wiphy`)."""
    bands = WiphyBands()
    for payload in wiphy.get(Attr.WIPHY_BANDS, []):
        bands.add(payload)
    return bands.modes()


def _channel(values: dict[int, bytes]) -> Channel:
    freq = _u(values.get(FreqAttr.FREQ, b""))
    return Channel(freq=freq, chan=freq_to_chan(freq) & 0xFF, disabled=FreqAttr.DISABLED in values,
                   no_ir=FreqAttr.NO_IR in values, radar=FreqAttr.RADAR in values)


# -- DRIVER_FLAGS: what wpa_supplicant's driver_nl80211_capa.c derives from the wiphy --------------------------


class Attr(IntEnum):
    """enum nl80211_attrs: the wiphy attributes the flags (and the ciphers) come from."""

    WIPHY_BANDS = 22
    SUPPORTED_IFTYPES = 32
    SUPPORTED_COMMANDS = 50
    CIPHER_SUITES = 57
    OFFCHANNEL_TX_OK = 108
    INTERFACE_COMBINATIONS = 120
    SUPPORT_AP_UAPSD = 130
    ROAM_SUPPORT = 131
    TDLS_SUPPORT = 139
    TDLS_EXTERNAL_SETUP = 140
    DEVICE_AP_SME = 141
    FEATURE_FLAGS = 143
    PROBE_RESP_OFFLOAD = 144
    WIPHY_SELF_MANAGED_REG = 216
    EXT_FEATURES = 217


class IfType(IntEnum):
    ADHOC = 1
    STATION = 2
    AP = 3
    MESH_POINT = 7
    P2P_CLIENT = 8
    P2P_GO = 9
    P2P_DEVICE = 10


class Cmd(IntEnum):
    AUTHENTICATE = 37
    UPDATE_FT_IES = 96
    CHANNEL_SWITCH = 102
    SET_QOS_MAP = 104


# NL80211_FEATURE_* bit -> flag
FEATURE_FLAGS = {
    1 << 1: DriverFlag.HT_IBSS, 1 << 2: DriverFlag.INACTIVITY_TIMER, 1 << 5: DriverFlag.SAE,
    1 << 10: DriverFlag.OBSS_SCAN, 1 << 15: DriverFlag.FULL_AP_CLIENT_STATE,
    1 << 18: DriverFlag.HT_2040_COEX, 1 << 28: DriverFlag.TDLS_CHANNEL_SWITCH,
}
# enum nl80211_ext_feature_index -> flag
EXT_FEATURE_FLAGS = {
    0: DriverFlag.VHT_IBSS, 6: DriverFlag.BEACON_RATE_LEGACY, 7: DriverFlag.BEACON_RATE_HT,
    8: DriverFlag.BEACON_RATE_VHT, 9: DriverFlag.SUPPORT_FILS, 10: DriverFlag.MGMT_TX_RANDOM_TA,
    11: DriverFlag.MGMT_TX_RANDOM_TA_CONNECTED, 12: DriverFlag.SCHED_SCAN_RELATIVE_RSSI,
    14: DriverFlag.FILS_SK_OFFLOAD, 15: DriverFlag.FOUR_WAY_HANDSHAKE_PSK,
    16: DriverFlag.FOUR_WAY_HANDSHAKE_8021X, 21: DriverFlag.MFP_OPTIONAL, 25: DriverFlag.DFS_OFFLOAD,
    26: DriverFlag.CONTROL_PORT, 31: DriverFlag.SAFE_PTK0_REKEYS, 32: DriverFlag.FTM_RESPONDER,
    36: DriverFlag.EXTENDED_KEY_ID, 39: DriverFlag.VLAN_OFFLOAD, 41: DriverFlag.BEACON_PROTECTION,
}
# enum nl80211_ext_feature_index -> second-word flag (driver_nl80211_capa.c); AP_SME comes from DEVICE_AP_SME and
# SEC_LTF / SEC_RTT / PROT_RANGE_NEG are never set by 2.10's nl80211 driver
EXT_FEATURE_FLAGS2 = {
    42: DriverFlag2.CONTROL_PORT_RX, 46: DriverFlag2.BEACON_PROTECTION_CLIENT,
    48: DriverFlag2.CONTROL_PORT_TX_STATUS, 49: DriverFlag2.OCV, 54: DriverFlag2.BEACON_RATE_HE,
}
# Every cfg80211 driver has these in wpa_supplicant's eyes (it sets them without asking the kernel).
ALWAYS = (DriverFlag.VALID_ERROR_CODES | DriverFlag.SET_KEYS_AFTER_ASSOC_DONE | DriverFlag.EAPOL_TX_STATUS
          | DriverFlag.AP_TEARDOWN_SUPPORT)
# Not derived: ACS_OFFLOAD, KEY_MGMT_OFFLOAD, SUPPORT_HW_MODE_ANY, OFFCHANNEL_SIMULTANEOUS, P2P_LISTEN_OFFLOAD
# and OCE_AP / OCE_STA_CFON come from Qualcomm vendor commands pywps does not send; OCE_STA depends on
# wpa_supplicant's build (CONFIG_MBO) as well as four extended features; HE_CAPABILITIES is not read;
# P2P_DEDICATED_INTERFACE and DRIVER_IE are never set for nl80211.


def cipher_suites(wiphy: dict[int, list[bytes]]) -> frozenset[int]:
    """The cipher suite selectors (0x000FAC06 for BIP-CMAC-128) the wiphy's driver takes keys of."""
    return frozenset(suite for payload in wiphy.get(Attr.CIPHER_SUITES, [])
                     for (suite,) in struct.iter_unpack("=I", payload[: len(payload) // 4 * 4]))


def driver_flags(wiphy: dict[int, list[bytes]]) -> DriverFlag:
    """The flags of a wiphy from its split dump: `wiphy` maps an attribute type to its payload in each message
    that carried it."""
    def first(attr: Attr) -> bytes | None:
        values = wiphy.get(attr)
        return values[0] if values else None

    flags = ALWAYS
    iftypes = {kind for payload in wiphy.get(Attr.SUPPORTED_IFTYPES, []) for kind, _ in attributes(payload)}
    for iftype, flag in ((IfType.AP, DriverFlag.AP), (IfType.MESH_POINT, DriverFlag.MESH),
                         (IfType.ADHOC, DriverFlag.IBSS), (IfType.P2P_DEVICE, DriverFlag.DEDICATED_P2P_DEVICE)):
        if iftype in iftypes:
            flags |= flag
    if {IfType.P2P_GO, IfType.P2P_CLIENT} <= iftypes:
        flags |= DriverFlag.P2P_CAPABLE
    commands = {_u(c) for payload in wiphy.get(Attr.SUPPORTED_COMMANDS, []) for _, c in attributes(payload)}
    for cmd, flag in ((Cmd.AUTHENTICATE, DriverFlag.SME), (Cmd.CHANNEL_SWITCH, DriverFlag.AP_CSA),
                      (Cmd.SET_QOS_MAP, DriverFlag.QOS_MAPPING), (Cmd.UPDATE_FT_IES, DriverFlag.UPDATE_FT_IES)):
        if cmd in commands:
            flags |= flag
    for attr, flag in ((Attr.OFFCHANNEL_TX_OK, DriverFlag.OFFCHANNEL_TX), (Attr.ROAM_SUPPORT, DriverFlag.BSS_SELECTION),
                       (Attr.SUPPORT_AP_UAPSD, DriverFlag.AP_UAPSD), (Attr.PROBE_RESP_OFFLOAD, DriverFlag.PROBE_RESP_OFFLOAD),
                       (Attr.WIPHY_SELF_MANAGED_REG, DriverFlag.SELF_MANAGED_REGULATORY)):
        if first(attr) is not None:
            flags |= flag
    if first(Attr.TDLS_SUPPORT) is not None:
        flags |= DriverFlag.TDLS_SUPPORT
        if first(Attr.TDLS_EXTERNAL_SETUP) is not None:
            flags |= DriverFlag.TDLS_EXTERNAL_SETUP
    if first(Attr.DEVICE_AP_SME) is None:  # the AP's SME and MLME are in user space (hostapd's job)
        flags |= DriverFlag.DEAUTH_TX_STATUS | DriverFlag.AP_MLME
    features = _u(first(Attr.FEATURE_FLAGS) or b"")
    for bit, flag in FEATURE_FLAGS.items():
        if features & bit:
            flags |= flag
    ext = first(Attr.EXT_FEATURES) or b""
    for index, flag in EXT_FEATURE_FLAGS.items():
        if index // 8 < len(ext) and ext[index // 8] & (1 << (index % 8)):
            flags |= flag
    for payload in wiphy.get(Attr.INTERFACE_COMBINATIONS, []):
        for _, combination in attributes(payload):
            flags |= _combination_flags(dict(attributes(combination)))
    return flags


def driver_flags2(wiphy: dict[int, list[bytes]]) -> DriverFlag2:
    """DRIVER_FLAGS2 of a wiphy from its split dump (see `driver_flags`)."""
    flags = DriverFlag2(0)
    if not wiphy.get(Attr.DEVICE_AP_SME):  # the AP's SME in user space, as for DRIVER_FLAGS's AP_MLME
        flags |= DriverFlag2.AP_SME
    values = wiphy.get(Attr.EXT_FEATURES)
    ext = values[0] if values else b""
    for index, flag in EXT_FEATURE_FLAGS2.items():
        if index // 8 < len(ext) and ext[index // 8] & (1 << (index % 8)):
            flags |= flag
    return flags


def _combination_flags(combination: dict[int, bytes]) -> DriverFlag:
    """RADAR when a combination detects radar; P2P concurrency when one mixes P2P and station interfaces (only
    well-formed combinations count, as in wpa_supplicant)."""
    limits, maxnum, channels, radar = 1, 2, 4, 5
    if not all(k in combination for k in (limits, maxnum, channels)):
        return DriverFlag(0)
    flags = DriverFlag.RADAR if radar in combination else DriverFlag(0)
    types = {kind for _, limit in attributes(combination[limits])
             for k, payload in attributes(limit) if k == 2 for kind, _ in attributes(payload)}
    if types & {IfType.P2P_GO, IfType.P2P_CLIENT} and IfType.STATION in types:
        flags |= DriverFlag.P2P_CONCURRENT | DriverFlag.P2P_MGMT_AND_NON_P2P
    return flags
