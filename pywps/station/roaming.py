"""Whether to move the link to another BSS of the network it is on, as wpa_supplicant 2.10 decides after a scan
while connected (events.c: wpa_supplicant_need_to_roam_within_ess). Pure: the caller passes the two BSSes, the
radio's modes (est_throughput) and what the kernel says of the link now (SIGNAL_POLL's values), which stand for
the current BSS's scanned ones, as they do in wpa_supplicant: an AP's beacons after association can be heard
better than its answer to a probe during a scan.

In order: a BSS the network's `bssid=` names is taken; then a better estimated throughput by more than 5 Mbit/s
decides either way; a current BSS heard louder stays unless the other's throughput is 1.2x; a link with a great
SNR (over 25 dB, known only from a signal poll) stays; else the signal must be better by a margin that shrinks
as the current signal weakens and moves with the throughputs' ratio and a move to 5 GHz. Only this last step is
told to the monitors (CTRL-EVENT-DO-ROAM / CTRL-EVENT-SKIP-ROAM), as wpa_supplicant tells it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..events import RoamConsidered
from .ranking import GREAT_SNR
from .throughput import entry_est_throughput, is_5ghz

if TYPE_CHECKING:
    from ..driver.radio import HwMode, SignalInfo
    from .bss import Bss

EST_MARGIN = 5000  # kbit/s: a throughput this much better (or worse) decides at once
DEFAULT_NOISE_2GHZ, DEFAULT_NOISE_5GHZ = -89, -92  # a signal poll without a noise figure (wpas_get_snr_signal_info)
# the signal difference needed, by the current level (dBm): below -85 one dB does, up to -70 five
MIN_DIFF_BY_LEVEL = ((-85, 1), (-80, 2), (-75, 3), (-70, 4), (0, 5))


def roam_within_ess(current: Bss, selected: Bss, modes: list[HwMode], signal: SignalInfo | None,
                    preferred: bytes | None = None) -> tuple[bool, RoamConsidered | None]:
    """Whether to leave `current` for `selected` (both of the network the link is on), and the event that
    tells it, if wpa_supplicant tells this case. `preferred`: the network's `bssid=`."""
    if preferred is not None and selected.bssid == preferred:
        return True, None
    cur_level, cur_snr = current.level, 0
    cur_est, sel_est = entry_est_throughput(current.entry, modes), entry_est_throughput(selected.entry, modes)
    if signal is not None and (signal.avg_beacon_signal or signal.avg_signal):
        cur_level = signal.avg_beacon_signal or signal.avg_signal
        noise = signal.noise
        if noise is None:
            noise = DEFAULT_NOISE_5GHZ if is_5ghz(signal.freq) else DEFAULT_NOISE_2GHZ
        cur_snr = cur_level - noise
        cur_est = entry_est_throughput(current.entry, modes, snr_value=cur_snr)
    if sel_est > cur_est + EST_MARGIN:
        return True, None
    to_5ghz = selected.entry.freq > 4000 and current.entry.freq < 4000
    if 0 > cur_level > selected.level + 2 * to_5ghz and sel_est < cur_est * 1.2:
        return False, None
    if cur_est > sel_est + EST_MARGIN:
        return False, None
    if cur_snr > GREAT_SNR:
        return False, None
    min_diff = next((diff for below, diff in MIN_DIFF_BY_LEVEL if cur_level < below), 2)  # 2: not in dBm
    min_diff += _throughput_adjustment(cur_est, sel_est)
    if to_5ghz:
        min_diff -= 2
    roam = selected.level - cur_level >= min_diff
    return roam, RoamConsidered(roam, current.bssid, current.entry.freq, cur_level, cur_est,
                                selected.bssid, selected.entry.freq, selected.level, sel_est)


def _throughput_adjustment(cur_est: int, sel_est: int) -> int:
    """More signal asked of a slower BSS, less of a faster one, by the ratio of the estimates."""
    for ratio, step in ((1.5, 10), (1.2, 5), (1.1, 2)):
        if cur_est > sel_est * ratio:
            return step
    if cur_est > sel_est:
        return 1
    for ratio, step in ((1.5, 10), (1.2, 5), (1.1, 2)):
        if sel_est > cur_est * ratio:
            return -step
    return -1 if sel_est > cur_est else 0
