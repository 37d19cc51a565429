"""The order in which wpa_supplicant 2.10 folds a scan's results into its BSS table (scan.c, before
wpa_bss_update_scan_res): that order gives new BSSes their ids, which SCAN_RESULTS and `BSS RANGE=` follow, and
is the table's update order, in which entries age out.

wpa_scan_result_compar: a BSS with a WPA or RSN element first, then one with the Privacy bit; between two whose
SNRs (capped at GREAT_SNR) are within 7 dB the higher est_throughput first, within 5 dB one on 6 GHz, then on
5 GHz; then the higher SNR (nl80211 reports no `qual`). While a WPS run is on (wpas_wps_searching), every
scan's results, whoever asked for the scan, in wpa_scan_result_wps_compar's order instead: one with a WPS
element first, then one whose registrar is selected, then the stronger signal. Python's sort is stable, as
glibc's qsort (a merge sort at these sizes) is: results that compare equal keep the kernel's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import TYPE_CHECKING

from ..wps.ie import wps_ie_payload, wps_info_from_ies
from .bss import CAP_PRIVACY, has_wpa_element
from .throughput import entry_est_throughput, is_5ghz, is_6ghz, snr

if TYPE_CHECKING:
    from ..driver.base import ScanEntry
    from ..driver.radio import HwMode

GREAT_SNR = 25  # scan.h


@dataclass(frozen=True)
class _Ranked:
    entry: ScanEntry
    wpa: bool
    privacy: bool
    snr: int
    est_throughput: int


def scan_order(entries: Sequence[ScanEntry], modes: list[HwMode], wps_search: bool = False) -> list[ScanEntry]:
    """`entries` in the order wpa_supplicant takes them; `modes`: our radio's (est_throughput)."""
    if wps_search:
        return sorted(entries, key=_wps_rank)
    ranked = [_Ranked(e, has_wpa_element(e.ies), bool(e.capability & CAP_PRIVACY), snr(e),
                      entry_est_throughput(e, modes))
              for e in entries]
    return [r.entry for r in sorted(ranked, key=cmp_to_key(_compare))]


def _compare(a: _Ranked, b: _Ranked) -> int:
    """wpa_scan_result_compar of 2.10: negative when `a` comes first."""
    if a.wpa != b.wpa:
        return -1 if a.wpa else 1
    if a.privacy != b.privacy:
        return -1 if a.privacy else 1
    snr_a, snr_b = min(a.snr, GREAT_SNR), min(b.snr, GREAT_SNR)
    freq_a, freq_b = a.entry.freq, b.entry.freq
    if snr_a and snr_b and (abs(snr_b - snr_a) < 7 or is_6ghz(freq_a) or is_6ghz(freq_b)):
        if a.est_throughput != b.est_throughput:
            return b.est_throughput - a.est_throughput
    if snr_a and snr_b and abs(snr_b - snr_a) < 5:
        if is_6ghz(freq_a) != is_6ghz(freq_b):
            return -1 if is_6ghz(freq_a) else 1
        if is_5ghz(freq_a) != is_5ghz(freq_b):
            return -1 if is_5ghz(freq_a) else 1
    return b.snr - a.snr  # equal: qual decides, which is 0 for both


def _wps_rank(entry: ScanEntry) -> tuple[bool, bool, bool, int]:
    """wpa_scan_result_wps_compar with wps_ap_priority_compar, as a key (each element parsed once, not once
    per comparison): one with a WPS element first, then one whose element parses, then one whose registrar is
    selected, then the stronger signal. Two elements that do not parse go by signal; the C comparator's answer
    for them depends on which one it was handed first."""
    if wps_ie_payload(entry.ies) is None:
        return True, False, False, -entry.level
    info = wps_info_from_ies(entry.ies)
    return False, info is None, info is None or not info.selected_registrar, -entry.level
