"""BSS's est_throughput: what wpa_supplicant 2.10 expects a link to an AP to carry (wpa_supplicant/scan.c,
wpas_get_est_tpt): the AP's best legacy rate capped by the SNR, then raised to the HT, VHT or HE rate the SNR
allows where both the AP (its elements) and our radio's mode for that frequency (nl80211's band capabilities)
have the feature. Tables in kbit/s by minimum SNR, as scan.c has them; VHT rates are +1 and HE rates +2 so that
each wins a tie over the one before. Compared with wpa_supplicant on hwsim for legacy, HT20, HT40 and HE20 APs
(tests/vm/guest/test_hwsim_throughput.py); the VHT rules (5 GHz) only against scan.c (tests/test_throughput.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..wps.ie import find_element, iter_elements

if TYPE_CHECKING:  # the radio's modes come from the driver, which loaded them: the command table goes without
    from ..driver.base import ScanEntry
    from ..driver.radio import HwMode

EID_SUPP_RATES, EID_EXT_SUPP_RATES = 1, 50
EID_HT_CAP, EID_HT_OPERATION, EID_VHT_CAP, EID_VHT_OPERATION, EID_EXTENSION = 45, 61, 191, 192, 255
EXT_HE_CAPABILITIES = 35
HE_CAPAB_MIN_LEN = 6 + 11  # MAC and PHY capabilities
HT_CAP_SUPP_CHANNEL_WIDTH_SET = 1 << 1
VHT_CAP_160 = (1 << 2) | (1 << 3)  # 160 MHz, or 160 and 80+80 MHz
HE_40_IN_2G, HE_40_80_IN_5G, HE_160_IN_5G, HE_80P80_IN_5G = 1 << 1, 1 << 2, 1 << 3, 1 << 4
VHT_MCS = 8  # the last table row HT reaches (MCS7: row 0 is no signal); MCS8 and up need VHT

# (minimum SNR, kbit/s); the last row's rate holds above its SNR
VHT20 = ((0, 0), (2, 6500), (5, 13000), (9, 19500), (11, 26000), (15, 39000), (18, 52000), (20, 58500),
         (25, 65000), (29, 78000), (-1, 78000))
VHT40 = ((0, 0), (5, 13500), (8, 27000), (12, 40500), (14, 54000), (18, 81000), (21, 108000), (23, 121500),
         (28, 135000), (32, 162000), (34, 180000), (-1, 180000))
VHT80 = ((0, 0), (8, 29300), (11, 58500), (15, 87800), (17, 117000), (21, 175500), (24, 234000), (26, 263300),
         (31, 292500), (35, 351000), (37, 390000), (-1, 390000))
VHT160 = ((0, 0), (11, 58500), (14, 117000), (18, 175500), (20, 234000), (24, 351000), (27, 468000),
          (29, 526500), (34, 585000), (38, 702000), (40, 780000), (-1, 780000))
HE20 = ((0, 0), (2, 8600), (5, 17200), (9, 25800), (11, 34400), (15, 51600), (18, 68800), (20, 77400),
        (25, 86000), (29, 103200), (31, 114700), (34, 129000), (36, 143400), (-1, 143400))
HE40 = ((0, 0), (5, 17200), (8, 34400), (12, 51600), (14, 68800), (18, 103200), (21, 137600), (23, 154900),
        (28, 172100), (32, 206500), (34, 229400), (37, 258100), (39, 286800), (-1, 286800))
HE80 = ((0, 0), (8, 36000), (11, 72100), (15, 108100), (17, 144100), (21, 216200), (24, 288200), (26, 324300),
        (31, 360300), (35, 432400), (37, 480400), (40, 540400), (42, 600500), (-1, 600500))
HE160 = ((0, 0), (11, 72100), (14, 144100), (18, 216200), (20, 288200), (24, 432400), (27, 576500),
         (29, 648500), (34, 720600), (38, 864700), (40, 960800), (43, 1080900), (45, 1201000), (-1, 1201000))

# wpa_supplicant's cap of the legacy rate (500 kbit/s units) by SNR: (rate above, snr below, capped to), in order
SNR_CAPS = ((2, 1, 2), (4, 4, 4), (12, 5, 12), (18, 6, 18), (24, 7, 24), (24, 8, 28), (24, 9, 32), (36, 10, 36),
            (48, 11, 48), (48, 12, 54), (48, 13, 60), (48, 14, 66), (72, 15, 72), (72, 16, 78), (72, 17, 84),
            (72, 18, 90), (96, 19, 96), (96, 20, 102), (108, 21, 108))


def _interpolate(snr: int, low: tuple[int, int], high: tuple[int, int]) -> int:
    # C's int division truncates toward zero; the table's rates rise, so the quotient is never negative
    return low[1] + (snr - low[0]) * (high[1] - low[1]) // (high[0] - low[0])


def _rate(table: tuple[tuple[int, int], ...], snr: int, vht: bool = True) -> int:
    """scan.c's max_rate: the row the SNR reaches, interpolated toward the next; without VHT the table ends
    before MCS8."""
    i = 0
    while table[i][0] != -1 and snr >= table[i][0] and (vht or i <= VHT_MCS):
        i += 1
    if i == 0:
        return table[0][1]
    if table[i][0] == -1 or (not vht and i > VHT_MCS):
        return table[i - 1][1]
    return _interpolate(snr, table[i - 1], table[i])


def mode_with_freq(modes: list[HwMode], freq: int) -> HwMode | None:
    """The first mode that has the channel (wpa_supplicant's get_mode_with_freq)."""
    return next((m for m in modes if any(c.freq == freq for c in m.channels)), None)


def _he_capabilities(ies: bytes) -> bytes | None:
    return next((body[1:] for eid, body in iter_elements(ies) if eid == EID_EXTENSION and body[:1] == bytes(
        [EXT_HE_CAPABILITIES])), None)


def est_throughput(ies: bytes, legacy_rate: int, snr: int, freq: int, mode: HwMode | None) -> int:
    """kbit/s; `legacy_rate` in 500 kbit/s units, `mode` our radio's mode for `freq` (None: legacy only)."""
    rate = legacy_rate
    for above, below, cap in SNR_CAPS:
        if rate > above and snr < below:
            rate = cap
            break
    est = rate * 500
    if mode is None:
        return est
    ht_op = find_element(ies, EID_HT_OPERATION)
    secondary = ht_op is not None and len(ht_op) >= 2 and ht_op[1] & 0x3
    if mode.ht_capab and find_element(ies, EID_HT_CAP) is not None:
        est = max(est, _rate(VHT20, snr, vht=False))
    if mode.ht_capab & HT_CAP_SUPP_CHANNEL_WIDTH_SET and secondary:
        est = max(est, _rate(VHT40, snr, vht=False))
    if mode.vht_capab and find_element(ies, EID_VHT_CAP) is not None:
        est = max(est, _rate(VHT20, snr) + 1)
        if secondary:
            est = max(est, _rate(VHT40, snr) + 1)
        vht80 = vht160 = False
        vht_op = find_element(ies, EID_VHT_OPERATION)
        if vht_op is not None and len(vht_op) >= 3:
            width, seg0, seg1 = vht_op[0] & 0x3, vht_op[1], vht_op[2]
            apart = abs(seg1 - seg0) if seg1 > 0 else 0
            vht80 = width != 0
            vht160 = width == 2 or (width == 3 and apart == 16) or (width == 1 and apart in (8, 16))
        if vht80:
            est = max(est, _rate(VHT80, snr) + 1)
        if vht160 and mode.vht_capab & VHT_CAP_160:
            est = max(est, _rate(VHT160, snr) + 1)
    if mode.he_phy is not None:
        he = _he_capabilities(ies)
        if he is None or len(he) < HE_CAPAB_MIN_LEN:
            return est
        est = max(est, _rate(HE20, snr) + 2)
        widths = he[6] & (mode.he_phy[0] if mode.he_phy else 0)  # PHY capabilities byte 0: channel widths
        band24 = 2412 <= freq <= 2484
        if widths & (HE_40_IN_2G if band24 else HE_40_80_IN_5G):
            est = max(est, _rate(HE40, snr) + 2)
        if not band24 and widths & HE_40_80_IN_5G:
            est = max(est, _rate(HE80, snr) + 2)
        if not band24 and widths & (HE_160_IN_5G | HE_80P80_IN_5G):
            est = max(est, _rate(HE160, snr) + 2)
    return est


def noise_floor(entry: ScanEntry) -> int:
    """The BSS's noise: the channel survey's, else wpa_supplicant's default floor for the band (scan_snr())."""
    if entry.noise is not None:
        return entry.noise
    return -92 if is_5ghz(entry.freq) or is_6ghz(entry.freq) else -89


def snr(entry: ScanEntry) -> int:
    return entry.level - noise_floor(entry)


def max_legacy_rate(ies: bytes) -> int:
    """The highest rate of the Supported / Extended Supported Rates elements, in 500 kbit/s."""
    rates = (find_element(ies, EID_SUPP_RATES) or b"") + (find_element(ies, EID_EXT_SUPP_RATES) or b"")
    return max((r & 0x7F for r in rates), default=0)


def entry_est_throughput(entry: ScanEntry, modes: list[HwMode], snr_value: int | None = None) -> int:
    """est_throughput of a scan entry (scan_est_throughput), with our radio's `modes`; at `snr_value` instead
    of the scan's (wpas_get_est_throughput_from_bss_snr: the link's SNR from a signal poll)."""
    ies = entry.ies or entry.beacon_ies
    snr_value = snr(entry) if snr_value is None else snr_value
    return est_throughput(ies, max_legacy_rate(ies), snr_value, entry.freq, mode_with_freq(modes, entry.freq))


def is_5ghz(freq: int) -> bool:
    return 4000 < freq < 5895  # scan.h's IS_5GHZ


def is_6ghz(freq: int) -> bool:
    return freq == 5935 or 5950 <= freq <= 7115  # is_6ghz_freq, for the 20 MHz channels a BSS is on
