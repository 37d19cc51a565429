"""Runs inside the hwsim VM (bench/vm.py boots it): WPS_PIN -> WPS-SUCCESS and -> CTRL-EVENT-CONNECTED (WPS_PIN
sent at the first PONG, and again 3 s after it; then 3 s after it with the AP unknown to the radio), cold start with a stored network -> COMPLETED and start -> first
PONG (`-D nl80211`, no network), for pywps and Debian wpa_supplicant on the same radio against the same hostapd
configuration, interleaved; and the start of `python -c "import asyncio"`, the floor of any asyncio daemon.
Prints one line per sample."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "vm" / "guest"))

from hwlab import HwHostapd, Station, fresh_scan_cache, sta_conf  # noqa: E402
from netlab import wait_for  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def start_to_pong(program: str, radio_down: bool = False) -> float:
    """Seconds from starting the program on wlan1 to its first PONG, polled on the socket every 5 ms (wpa_cli
    costs more than that per call under emulation). `radio_down`: wlan1 down at the start, as at boot (each
    program brings it up, and down again when it ends); it is up again afterwards."""
    if radio_down:
        subprocess.run(["ip", "link", "set", "wlan1", "down"], check=True)
    work = Path(tempfile.mkdtemp(prefix="pong-"))
    conf = work / "sta.conf"
    conf.write_text(f"ctrl_interface={work}/ctrl\n")
    if program == "pywps":
        argv = [sys.executable, "-m", "pywps", "-D", "nl80211", "-i", "wlan1", "-c", str(conf)]
    else:
        argv = ["wpa_supplicant", "-D", "nl80211", "-i", "wlan1", "-c", str(conf)]
    client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    client.bind(str(work / "client"))
    client.settimeout(1)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[1])
    try:
        while True:
            try:
                client.sendto(b"PING", f"{work}/ctrl/wlan1")
                if client.recv(64) == b"PONG\n":
                    return time.monotonic() - t0
            except OSError:
                time.sleep(0.005)
            if time.monotonic() - t0 > 120:
                raise AssertionError(f"{program} never answered PING")
    finally:
        proc.terminate()
        proc.wait(30)
        client.close()
        if radio_down:
            subprocess.run(["ip", "link", "set", "wlan1", "up"], check=True)


def floor() -> float:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-c", "import asyncio"], check=True)
    return time.monotonic() - t0


SETTLE = 3.0  # seconds between the first PONG and WPS_PIN for the settled run: a service started at boot is
# idle by the time a user asks for WPS; at the first PONG itself pywps is still loading what it deferred


def wps_run(ap: HwHostapd, program: str, settle: float) -> tuple[float, float, Path]:
    """WPS_PIN -> WPS-SUCCESS and -> CTRL-EVENT-CONNECTED for a station started `settle` s before."""
    sta = Station(sta_conf(), program=program)
    time.sleep(settle)
    ap.cli("wps_pin", "any", "12345670")
    t0 = time.monotonic()
    sta.cli("wps_pin", "any", "12345670")
    sta.monitor.wait(r"^WPS-SUCCESS", 120)
    t1 = time.monotonic()
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 120)
    t2 = time.monotonic()
    sta.stop()
    return t1 - t0, t2 - t0, sta.conf


def one(program: str) -> tuple[float, ...]:
    """The runs of one sample. The WPS runs but the last start with the AP in the kernel's scan cache of wlan1
    (it keeps a BSS 30 s after it was last heard; the program before heard this AP's BSSID): pywps then scans
    its channel first (pywps.station.station.first_scan_freqs), wpa_supplicant every channel. The last starts
    with that cache emptied before the AP comes up: both scan every channel."""
    ap = HwHostapd()
    try:
        success, connected, conf = wps_run(ap, program, 0.0)
        cold = Station("", program=program, conf=conf)
        wait_for(lambda: "wpa_state=COMPLETED" in cold.cli("status"), 120, "connected after a cold start")
        t3 = time.monotonic() - cold.started
        cold.stop()
        settled, settled_connected, _ = wps_run(ap, program, SETTLE)
        ap.stop()
        fresh_scan_cache()
        ap = HwHostapd()
        unknown, unknown_connected, _ = wps_run(ap, program, SETTLE)
        return (success, connected, t3, start_to_pong(program), settled, settled_connected, unknown, unknown_connected,
                start_to_pong(program, radio_down=True))
    finally:
        ap.stop()


# A warm-up round, not counted: right after boot the radios still offer hwsim's 41 sub-GHz (S1G) channels,
# all passive, and the first WPS scan of either program takes ~4 s longer; cfg80211 drops them once the first
# station disconnects (its regulatory restore), so without this the first program measured pays alone.
one("wpa_supplicant")
for _ in range(ROUNDS):
    for program in ("pywps", "wpa_supplicant"):
        print(f"SAMPLE {program} " + " ".join(f"{value:.3f}" for value in one(program)), flush=True)
    print(f"FLOOR {floor():.3f}", flush=True)
