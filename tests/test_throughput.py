"""est_throughput as wpa_supplicant 2.10's wpas_get_est_tpt (wpa_supplicant/scan.c) computes it, from its tables
and conditions; tests/vm/guest/test_hwsim_throughput.py compares the BSS replies with wpa_supplicant's on hwsim."""

from __future__ import annotations

from pywps.station.throughput import est_throughput, mode_with_freq
from pywps.driver.radio import Channel, HwMode

LEGACY_54 = 108  # 54 Mbit/s in 500 kbit/s units
HT_CAP = bytes([45, 26]) + bytes(26)
HT_OP_40 = bytes([61, 22, 1, 0x01]) + bytes(20)  # secondary channel above
VHT_CAP = bytes([191, 12]) + bytes(12)
VHT_OP_80 = bytes([192, 5, 1, 42, 0, 0, 0])
HE_CAP_40 = bytes([255, 1 + 6 + 11 + 4, 35]) + bytes(6) + bytes([0x02]) + bytes(10) + bytes(4)
G = HwMode("G", [Channel(2412, 1)], ht_capab=0x186E)


def test_legacy_rate_capped_by_the_snr():
    assert est_throughput(b"", LEGACY_54, 40, 2412, None) == 54000
    assert est_throughput(b"", LEGACY_54, 10, 2412, None) == 24000  # above 24 Mbit/s and snr < 11: 24
    assert est_throughput(HT_CAP, LEGACY_54, 40, 2412, HwMode("G", [])) == 54000  # our radio has no HT


def test_ht20_and_ht40():
    assert est_throughput(HT_CAP, LEGACY_54, 40, 2412, G) == 65000  # HT20 MCS7: MCS8 needs VHT
    assert est_throughput(HT_CAP, LEGACY_54, 22, 2412, G) == 61100  # between MCS6 (20 dB) and MCS7 (25 dB)
    assert est_throughput(HT_CAP + HT_OP_40, LEGACY_54, 40, 2412, G) == 135000
    narrow = HwMode("G", [], ht_capab=0x186C)  # no 20/40 MHz support
    assert est_throughput(HT_CAP + HT_OP_40, LEGACY_54, 40, 2412, narrow) == 65000


def test_vht_wins_a_tie_by_one():
    a = HwMode("A", [Channel(5180, 36)], ht_capab=0x186E, vht_capab=0x0390_0000)
    assert est_throughput(HT_CAP + VHT_CAP, LEGACY_54, 40, 5180, a) == 78001
    assert est_throughput(HT_CAP + HT_OP_40 + VHT_CAP + VHT_OP_80, LEGACY_54, 40, 5180, a) == 390001


def test_he_by_the_widths_both_sides_have():
    he = HwMode("G", [Channel(2412, 1)], ht_capab=0x186E, he_phy=bytes([0x02]) + bytes(10))
    assert est_throughput(HT_CAP + HE_CAP_40, LEGACY_54, 40, 2412, he) == 286802  # HE40 in 2.4 GHz
    no40 = HwMode("G", [], ht_capab=0x186E, he_phy=bytes(11))
    assert est_throughput(HT_CAP + HE_CAP_40, LEGACY_54, 40, 2412, no40) == 143402
    short = bytes([255, 10, 35]) + bytes(9)
    assert est_throughput(HT_CAP + short, LEGACY_54, 40, 2412, he) == 65000  # too short: HT's estimate stands


def test_the_first_mode_with_the_channel():
    b = HwMode("B", [Channel(2412, 1)])
    assert mode_with_freq([G, b], 2412) is G and mode_with_freq([G, b], 5180) is None
