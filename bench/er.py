"""The UPnP External Registrar, pywps against Debian wpa_supplicant on the same wired lab (Debian hostapd's UPnP
proxy on a veth pair), printed as ratios (pywps / wpa_supplicant; below 1.0 pywps is faster):

- WPS_ER_START -> WPS-ER-AP-ADD (SSDP search, description, GetDeviceInfo, SUBSCRIBE): the first start of a
  daemon (for pywps this includes importing the UPnP stack, which it loads only then) and a second start
  after WPS_ER_STOP;
- WPS_ER_LEARN -> WPS-ER-AP-SETTINGS (GetDeviceInfo and M1..M7 over PutMessage).

Each run gets a fresh hostapd; the two ERs take turns on it (the order alternates between runs). wpa_supplicant
gets its commands over its control socket from this process and its events on a monitor socket; pywps's ER
runs in the station namespace through its WPS_ER_* handlers (tests/er/run_er.py) and stamps the same two
intervals itself, so its figures lack the control socket's hop (tens of microseconds). That harness does first
what a running daemon has done by the time a user sends WPS_ER_*: its warm-up after readiness (the protocol core,
cryptography's DH and AES loaded and used once); without it, the first learn paid ~12 ms of imports.

    sudo .venv/bin/python bench/er.py [--runs 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

# tests/ instead of bench/ first: this file's own name would hide the tests' `er` helper package
sys.path[0] = str(Path(__file__).resolve().parent.parent / "tests")

from er.lab import AP_PIN, AP_UUID, UPNP_AP, WpasEr, address_lab, run_pywps_er  # noqa: E402
from netlab import WiredLab, lab_skip_reason  # noqa: E402


def wpa_supplicant_times(lab: WiredLab) -> tuple[float, float, float]:
    er = WpasEr(lab)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    client.bind(tempfile.mktemp(prefix="bench-er-", dir="/tmp"))
    client.settimeout(5)

    def command(text: str) -> float:
        t0 = time.perf_counter()
        client.sendto(text.encode(), f"{er.ctrl}/vsta")
        assert client.recv(4096).startswith(b"OK"), text
        return t0

    try:
        t0 = command("WPS_ER_START")
        er.monitor.wait("WPS-ER-AP-ADD", 15)
        add = time.perf_counter() - t0
        time.sleep(0.3)
        t0 = command(f"WPS_ER_LEARN {AP_UUID} {AP_PIN}")
        er.monitor.wait("WPS-ER-AP-SETTINGS", 15)
        learn = time.perf_counter() - t0
        command("WPS_ER_STOP")
        time.sleep(0.5)
        er.drain(0.1)
        er.monitor.events.clear()  # Monitor.wait matches old events too
        t0 = command("WPS_ER_START")
        er.monitor.wait("WPS-ER-AP-ADD", 15)
        add2 = time.perf_counter() - t0
        command("WPS_ER_STOP")
        return add, learn, add2
    finally:
        client.close()
        er.stop()


def pywps_times(lab: WiredLab) -> tuple[float, float, float]:
    lines, log = run_pywps_er(lab, [
        ["cmd", "WPS_ER_START"], ["wait", "WPS-ER-AP-ADD", 15], ["sleep", 0.3],
        ["cmd", f"WPS_ER_LEARN {AP_UUID} {AP_PIN}"], ["wait", "WPS-ER-AP-SETTINGS", 15],
        ["cmd", "WPS_ER_STOP"], ["sleep", 0.5],
        ["cmd", "WPS_ER_START"], ["wait", "WPS-ER-AP-ADD", 15], ["cmd", "WPS_ER_STOP"],
    ])
    stamp: dict[str, list[float]] = {}
    for line in lines:
        key = line.get("cmd") or (line.get("event") or "").split(" ", 1)[0]
        stamp.setdefault(key, []).append(line["t"])
    try:
        return (stamp["WPS-ER-AP-ADD"][0] - stamp["WPS_ER_START"][0],
                stamp["WPS-ER-AP-SETTINGS"][0] - stamp[f"WPS_ER_LEARN {AP_UUID} {AP_PIN}"][0],
                stamp["WPS-ER-AP-ADD"][1] - stamp["WPS_ER_START"][1])
    except KeyError as e:
        raise SystemExit(f"pywps run incomplete ({e}): {lines}\n{log}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if reason := lab_skip_reason():
        raise SystemExit(f"cannot run: {reason}")
    results: dict[str, list[tuple[float, float, float]]] = {"pywps": [], "wpa_supplicant": []}
    for run in range(args.runs):
        with WiredLab() as lab:
            address_lab(lab)
            lab.hostapd(**UPNP_AP)
            time.sleep(0.5)
            order = ["pywps", "wpa_supplicant"] if run % 2 == 0 else ["wpa_supplicant", "pywps"]
            for kind in order:
                results[kind].append(pywps_times(lab) if kind == "pywps" else wpa_supplicant_times(lab))
        print(f"run {run + 1}: " + ", ".join(f"{k} add {v[-1][0] * 1000:.0f} ms learn {v[-1][1] * 1000:.1f} ms "
                                              f"add again {v[-1][2] * 1000:.0f} ms" for k, v in results.items()), flush=True)
    print(f"\n| measure (median of {args.runs}) | pywps | wpa_supplicant | ratio |\n|---|---|---|---|")
    for i, name in enumerate(("WPS_ER_START -> WPS-ER-AP-ADD, first start", "WPS_ER_LEARN -> WPS-ER-AP-SETTINGS",
                              "WPS_ER_START -> WPS-ER-AP-ADD, after WPS_ER_STOP")):
        ours = statistics.median(r[i] for r in results["pywps"])
        theirs = statistics.median(r[i] for r in results["wpa_supplicant"])
        print(f"| {name} | {ours * 1000:.1f} ms | {theirs * 1000:.1f} ms | {ours / theirs:.2f}x |")


if __name__ == "__main__":
    main()
