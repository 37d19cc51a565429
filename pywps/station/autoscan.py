"""wpa_supplicant's autoscan (`autoscan=` in the file, the AUTOSCAN command): while none of the stored networks
is found, the wait after each scan's results before the next scan, instead of the fixed SCAN_INTERVAL.

    exponential:<base>:<limit>   base, base², base³, ... seconds, at most limit
    periodic:<interval>          the same wait each time

Read as wpa_supplicant's autoscan_init reads it: the module is the first whose name starts with the text before
the first `:` (`exp:3:60` is exponential), the numbers are C's atoi; a spec it refuses means no autoscan. The
waits start again once a network is being joined (autoscan_deinit when the state passes SCANNING). Not done:
wpa_supplicant hands the waits to the kernel as a scheduled scan where the driver has one (sched_scan_plans);
pywps scans itself after each wait, as wpa_supplicant does on drivers without (mac80211_hwsim among them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cnumbers import c_atoi

MODULES = ("exponential", "periodic")  # autoscan_modules' order: an empty name matches the first


@dataclass
class Autoscan:
    module: str
    base: int  # periodic: its interval
    limit: int = 0
    _interval: int = 0

    def next_wait(self) -> int:
        """The seconds to wait before the next scan, after a scan's results (autoscan_notify_scan). A wait of 0
        or less, which would make wpa_supplicant stop choosing from scans altogether, is taken as 1 s."""
        if self.module == "periodic":
            wait = self.base
        elif self._interval >= self.limit:
            wait = self.limit
        else:
            self._interval = self.base if self._interval <= 0 else self._interval * self.base
            wait = min(self._interval, self.limit)
        return max(wait, 1)


def parse_autoscan(spec: str | None) -> Autoscan | None:
    """The autoscan `spec` asks for, None for none (unset, or a spec wpa_supplicant's autoscan_init refuses)."""
    if spec is None:
        return None
    name, _, params = spec.partition(":")
    module = next((m for m in MODULES if m.startswith(name)), None)
    if module == "exponential" and ":" in params:
        return Autoscan(module, c_atoi(params), c_atoi(params.partition(":")[2]))
    if module == "periodic" and c_atoi(params) >= 0:  # `periodic` alone is an interval of 0
        return Autoscan(module, c_atoi(params))
    return None
