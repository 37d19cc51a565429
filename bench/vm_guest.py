"""Runs inside the hwsim VM (bench/vm.py boots it): WPS_PIN -> WPS-SUCCESS, WPS_PIN -> CTRL-EVENT-CONNECTED and
cold start with a stored network -> COMPLETED, for pywps and Debian wpa_supplicant on the same radio against
the same hostapd configuration, interleaved; prints one line per sample."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "vm" / "guest"))

from hwlab import HwHostapd, Station, sta_conf  # noqa: E402
from netlab import wait_for  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def one(program: str) -> tuple[float, float, float]:
    ap = HwHostapd()
    try:
        sta = Station(sta_conf(), program=program)
        ap.cli("wps_pin", "any", "12345670")
        t0 = time.monotonic()
        sta.cli("wps_pin", "any", "12345670")
        sta.monitor.wait(r"^WPS-SUCCESS", 120)
        t1 = time.monotonic()
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 120)
        t2 = time.monotonic()
        sta.stop()
        conf = sta.conf
        cold = Station("", program=program, conf=conf)
        wait_for(lambda: "wpa_state=COMPLETED" in cold.cli("status"), 120, "connected after a cold start")
        t3 = time.monotonic() - cold.started
        cold.stop()
        return t1 - t0, t2 - t0, t3
    finally:
        ap.stop()


for _ in range(ROUNDS):
    for program in ("pywps", "wpa_supplicant"):
        success, connected, cold = one(program)
        print(f"SAMPLE {program} {success:.3f} {connected:.3f} {cold:.3f}", flush=True)
