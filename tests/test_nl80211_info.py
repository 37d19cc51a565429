"""The radio's replies without a radio: nl80211's nested attributes (built here as the kernel lays them out)
through pywps/driver/nl80211_info.py into the SIGNAL_POLL, GET_CAPABILITY channels/freq and DRIVER_FLAGS texts.
The expected texts are Debian wpa_supplicant 2.10's replies on mac80211_hwsim, observed in the test VM (the live
comparison is tests/vm/guest/test_hwsim_ctrl_diff.py)."""

from __future__ import annotations

import struct

from pywps.ctrl.radio_texts import (
    channels_text,
    flags_text,
    freq_text,
    signal_poll_text,
)
from pywps.driver import nl80211_info as info
from pywps.driver.radio import ChannelWidth, DriverFlag, DriverFlag2, SignalInfo


def nla(kind: int, payload: bytes = b"") -> bytes:
    data = struct.pack("<HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def u32(kind: int, value: int) -> bytes:
    return nla(kind, struct.pack("<I", value))


def nest(kind: int, *children: bytes) -> bytes:
    return nla(kind | 0x8000, b"".join(children))  # NLA_F_NESTED, as the kernel sets it


def freq(index: int, mhz: int, *flags: int) -> bytes:
    return nest(index, u32(info.FreqAttr.FREQ, mhz), *(nla(f) for f in flags))


def rates(*values: int) -> bytes:
    return nest(info.BandAttr.RATES, *(nest(i, u32(1, v)) for i, v in enumerate(values)))


# hwsim's 2.4 GHz band (channels 12-14 NO_IR in the world regulatory domain), a piece of its 5 GHz band, and a
# 6 GHz band whose channels are all disabled; the 5 GHz band arrives in two messages, as a split dump sends it.
G_FREQS = [freq(i, 2407 + 5 * (i + 1), *([info.FreqAttr.NO_IR] if i >= 11 else [])) for i in range(13)]
G_FREQS.append(freq(13, 2484, info.FreqAttr.NO_IR))
BAND_2G = nest(0, nest(info.BandAttr.FREQS, *G_FREQS), rates(10, 20, 55, 110, 60, 90, 120, 180, 240, 360, 480, 540))
BAND_5G_PART1 = nest(1, nest(info.BandAttr.FREQS, freq(0, 5180, info.FreqAttr.NO_IR)), rates(60, 540))
BAND_5G_PART2 = nest(1, nest(info.BandAttr.FREQS, freq(1, 5260, info.FreqAttr.NO_IR, info.FreqAttr.RADAR)))
BAND_6G = nest(3, nest(info.BandAttr.FREQS, freq(0, 5955, info.FreqAttr.DISABLED)))
BAND_S1G = nest(4, nest(info.BandAttr.FREQS, freq(0, 902)))


def wiphy_modes():
    bands = {info.Attr.WIPHY_BANDS: [BAND_2G + BAND_5G_PART1, BAND_5G_PART2 + BAND_6G + BAND_S1G]}
    return info.hw_modes(bands)


def test_channels_as_wpa_supplicant_lists_them():
    channels = " ".join(str(c) for c in range(1, 15))
    assert channels_text(wiphy_modes()) == (
        f"Mode[G] Channels: {channels}\nMode[A] Channels: 36 52\nMode[A] Channels:\nMode[B] Channels: {channels}\n")


def test_freq_marks_no_ir_and_dfs():
    text = freq_text(wiphy_modes())
    assert text.startswith("Mode[G] Channels:\n 1 = 2412 MHz\n 2 = 2417 MHz\n")
    assert " 11 = 2462 MHz\n 12 = 2467 MHz (NO_IR)\n 13 = 2472 MHz (NO_IR)\n 14 = 2484 MHz (NO_IR)\n\n" in text
    assert "Mode[A] Channels:\n 36 = 5180 MHz (NO_IR)\n 52 = 5260 MHz (NO_IR) (DFS)\n\nMode[A] Channels:\n\n" in text
    assert text.endswith(" 14 = 2484 MHz (NO_IR)\n\n") and text.count("Mode[B]") == 1


def test_a_band_with_cck_rates_only_is_b_and_gets_no_copy():
    band = nest(0, nest(info.BandAttr.FREQS, freq(0, 2412)), rates(10, 20, 55, 110))
    assert [m.mode for m in info.hw_modes({info.Attr.WIPHY_BANDS: [band]})] == ["B"]


def test_station_counters_and_signal_poll_text():
    sta = info.parse_station(b"".join([
        nla(info.StaInfo.SIGNAL, bytes([0xE2])), nla(info.StaInfo.SIGNAL_AVG, bytes([0xE2])),
        nla(info.StaInfo.BEACON_SIGNAL_AVG, bytes([0xE2])),
        nest(info.StaInfo.TX_BITRATE, nla(info.RateInfo.BITRATE, struct.pack("<H", 360)),
             u32(info.RateInfo.BITRATE32, 360)),
        u32(info.StaInfo.RX_PACKETS, 34), u32(info.StaInfo.TX_PACKETS, 8), u32(info.StaInfo.TX_FAILED, 0),
    ]))
    assert (sta.signal, sta.tx_bitrate, sta.rx_packets, sta.tx_packets, sta.tx_failed) == (-30, 360, 34, 8, 0)
    noise = info.survey_noises([u32(info.SurveyInfo.FREQUENCY, 2412) + nla(info.SurveyInfo.NOISE, bytes([0xA4])),
                                u32(info.SurveyInfo.FREQUENCY, 2417)])
    assert noise == {2412: -92}
    signal = SignalInfo(signal=sta.signal, tx_rate_mbps=sta.tx_bitrate * 100 // 1000, noise=noise.get(2412),
                        freq=2412, width=ChannelWidth.W20_NOHT, center_freq1=2412, avg_signal=sta.signal_avg,
                        avg_beacon_signal=sta.beacon_signal_avg)
    assert signal_poll_text(signal) == ("RSSI=-30\nLINKSPEED=36\nNOISE=-92\nFREQUENCY=2412\nWIDTH=20 MHz (no HT)\n"
                                        "CENTER_FRQ1=2412\nAVG_RSSI=-30\nAVG_BEACON_RSSI=-30\n")
    bare = SignalInfo(signal=-50, tx_rate_mbps=6, noise=None, freq=2437, width=ChannelWidth.W10)
    assert signal_poll_text(bare) == "RSSI=-50\nLINKSPEED=6\nNOISE=9999\nFREQUENCY=2437\n"


def test_driver_flags_of_a_hwsim_like_wiphy():
    iftypes = nest(info.Attr.SUPPORTED_IFTYPES, *(nla(t) for t in info.IfType))[4:]
    commands = b"".join(u32(i, c) for i, c in enumerate(info.Cmd))
    ext = bytearray(8)
    for index in (0, 6, 9, 26, 31, 36, 41):  # VHT_IBSS BEACON_RATE_LEGACY FILS_STA CONTROL_PORT PTK0 EXT_KEY_ID BIGTK
        ext[index // 8] |= 1 << (index % 8)
    combination = nest(1, nest(1, nest(1, u32(1, 1), nest(2, nla(info.IfType.STATION), nla(info.IfType.P2P_GO)))),
                       u32(2, 2), u32(4, 1), u32(5, 0xFF))
    wiphy = {
        info.Attr.SUPPORTED_IFTYPES: [iftypes], info.Attr.SUPPORTED_COMMANDS: [commands],
        info.Attr.OFFCHANNEL_TX_OK: [b""], info.Attr.SUPPORT_AP_UAPSD: [b""], info.Attr.TDLS_SUPPORT: [b""],
        info.Attr.TDLS_EXTERNAL_SETUP: [b""], info.Attr.FEATURE_FLAGS: [struct.pack("<I", (1 << 1) | (1 << 5)
                                                                                     | (1 << 15) | (1 << 18))],
        info.Attr.EXT_FEATURES: [bytes(ext)], info.Attr.INTERFACE_COMBINATIONS: [combination],
    }
    flags = info.driver_flags(wiphy)
    # minus UPDATE_FT_IES (hwsim does not list that command; this wiphy does), this is hwsim's value as
    # Debian wpa_supplicant 2.10 prints it
    assert flags & ~DriverFlag.UPDATE_FT_IES == DriverFlag(0xE4000D31FB5BFBE0)
    text = flags_text(DriverFlag(0xE4000D31FB5BFBE0))
    assert text.startswith("E4000D31FB5BFBE0:\nSME\nAP\nSET_KEYS_AFTER_ASSOC_DONE\nHT_2040_COEX\n")
    assert text.endswith("CONTROL_PORT\nSAFE_PTK0_REKEYS\nBEACON_PROTECTION\nEXTENDED_KEY_ID\n")
    assert flags_text(DriverFlag.WIRED) == "0000000000000010:\nWIRED\n"


def test_driver_flags2_from_extended_features_and_the_ap_sme():
    ext = bytearray(8)
    for index in (42, 46, 48, 49):  # CONTROL_PORT_NO_PREAUTH BEACON_PROTECTION_CLIENT CONTROL_PORT_..._TX_STATUS OCV
        ext[index // 8] |= 1 << (index % 8)
    flags = info.driver_flags2({info.Attr.EXT_FEATURES: [bytes(ext)]})
    assert flags == (DriverFlag2.CONTROL_PORT_RX | DriverFlag2.CONTROL_PORT_TX_STATUS | DriverFlag2.OCV
                     | DriverFlag2.BEACON_PROTECTION_CLIENT | DriverFlag2.AP_SME)
    # 2.10's driver_flag2_to_string names the two control-port flags only
    assert flags_text(flags) == "00000000000001C3:\nCONTROL_PORT_RX\nCONTROL_PORT_TX_STATUS\nUNKNOWN\nUNKNOWN\nUNKNOWN\n"
    assert info.driver_flags2({info.Attr.DEVICE_AP_SME: [struct.pack("<I", 1)]}) == DriverFlag2(0)
    assert flags_text(DriverFlag2(0)) == "0000000000000000:\n"  # what Debian wpa_supplicant -Dwired answers


def test_self_managed_regulatory_and_device_ap_sme():
    flags = info.driver_flags({info.Attr.WIPHY_SELF_MANAGED_REG: [b""], info.Attr.DEVICE_AP_SME: [struct.pack("<I", 1)]})
    assert flags & DriverFlag.SELF_MANAGED_REGULATORY
    assert not flags & (DriverFlag.AP_MLME | DriverFlag.DEAUTH_TX_STATUS)  # the driver's own AP SME
    assert flags & info.ALWAYS == info.ALWAYS


def test_band_ht_vht_and_station_he_capabilities():
    """est_throughput's inputs, read as driver_nl80211_capa.c reads them: HT_CAPA (u16), VHT_CAPA (u32), and the
    HE PHY capabilities of the IFTYPE_DATA entry that lists the station iftype; the 11b copy has none."""
    he_station = nest(1, nest(info.BandIftypeAttr.IFTYPES, nla(info.IfType.STATION)),
                      nla(info.BandIftypeAttr.HE_CAP_PHY, bytes([0x02]) + bytes(10)))
    he_ap = nest(2, nest(info.BandIftypeAttr.IFTYPES, nla(info.IfType.AP)),
                 nla(info.BandIftypeAttr.HE_CAP_PHY, bytes([0x1E]) + bytes(10)))
    band = nest(0, nest(info.BandAttr.FREQS, freq(0, 2412)), rates(10, 540),
                nla(info.BandAttr.HT_CAPA, struct.pack("<H", 0x186E)), u32(info.BandAttr.VHT_CAPA, 0x0390_0000),
                nest(info.BandAttr.IFTYPE_DATA, he_station, he_ap))
    g, b = info.hw_modes({info.Attr.WIPHY_BANDS: [band]})
    assert (g.mode, g.ht_capab, g.vht_capab, g.he_phy) == ("G", 0x186E, 0x0390_0000, bytes([0x02]) + bytes(10))
    assert (b.mode, b.ht_capab, b.vht_capab, b.he_phy) == ("B", 0, 0, None)


def test_cipher_suites_of_a_wiphy_say_whether_it_takes_bip_keys():
    import struct

    suites = struct.pack("=4I", 0x000FAC01, 0x000FAC04, 0x000FAC06, 0x000FAC0D)
    assert info.cipher_suites({info.Attr.CIPHER_SUITES: [suites]}) == {0x000FAC01, 0x000FAC04, 0x000FAC06, 0x000FAC0D}
    assert info.cipher_suites({}) == frozenset()
