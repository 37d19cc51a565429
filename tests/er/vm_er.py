"""Inside the mac80211_hwsim VM (tests/test_er_vm.py boots it): a station enrolls through an AP with the
External Registrar's PIN, the issue's recipe. Debian hostapd on wlan0 with its UPnP on `lo`; the ER learns the
AP's settings (AP PIN) and sets `wps_er_pin any 12345678`; Debian wpa_supplicant on wlan1 runs
`wps_pin any 12345678` over the air and gets the AP's credential through the ER. Run once with Debian
wpa_supplicant as the ER (on wlan2, `wps_er_start ifname=lo`) and once with pywps's ER; prints one JSON
object: each ER's events and the station's outcome.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))            # tests/: netlab
sys.path.insert(0, str(HERE.parent / "vm" / "guest"))  # hwlab

from hwlab import HwHostapd  # noqa: E402
from netlab import WPS_AP_SETTINGS, Monitor, wait_for  # noqa: E402

from lab import UPNP_AP  # noqa: E402

AP_UUID, AP_PIN, STA_PIN = WPS_AP_SETTINGS["uuid"], WPS_AP_SETTINGS["ap_pin"], "12345678"
WORK = Path(tempfile.mkdtemp(prefix="vm-er-"))


def sh(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout


class Wpas:
    def __init__(self, iface: str, extra: str = "") -> None:
        self.iface = iface
        self.dir = WORK / f"wpas-{iface}-{time.monotonic_ns()}"
        self.dir.mkdir()
        conf = self.dir / "w.conf"
        conf.write_text(f"ctrl_interface={self.dir}/ctrl\nupdate_config=1\n{extra}")
        self.proc = subprocess.Popen(["wpa_supplicant", "-Dnl80211", f"-i{iface}", "-c", str(conf), "-dd",
                                      "-f", str(self.dir / "log")])
        self.ctrl = str(self.dir / "ctrl")
        wait_for(lambda: self.cli("ping").strip() == "PONG", 15, f"wpa_supplicant on {iface}")
        self.monitor = Monitor(f"{self.ctrl}/{iface}")

    def cli(self, *args: str) -> str:
        return sh("wpa_cli", "-p", self.ctrl, "-i", self.iface, *args)

    def wait(self, pattern: str, timeout: float) -> bool:
        try:
            self.monitor.wait(pattern, timeout)
            return True
        except AssertionError:
            return False

    def stop(self) -> None:
        self.monitor.close()
        self.proc.terminate()
        self.proc.wait(10)


def station_enrolls() -> dict:
    sta = Wpas("wlan1")
    try:
        reply = sta.cli("wps_pin", "any", STA_PIN).strip()
        ok = sta.wait("WPS-SUCCESS|WPS-FAIL|WPS-TIMEOUT", 100)
        connected = sta.wait("CTRL-EVENT-CONNECTED", 30) if ok else False
        nets = sta.cli("list_networks")
        return {"reply": reply, "events": [e for e in sta.monitor.events if e.startswith("WPS")],
                "connected": connected, "networks": nets}
    finally:
        sta.stop()


def with_wpa_supplicant_er() -> dict:
    ap = HwHostapd("wlan0", **UPNP_AP | {"upnp_iface": "lo"})
    er = Wpas("wlan2", "device_name=ER\n")
    try:
        out = {"start": er.cli("wps_er_start", "ifname=lo").strip()}
        out["added"] = er.wait("WPS-ER-AP-ADD", 30)
        out["learn"] = er.cli("wps_er_learn", AP_UUID, AP_PIN).strip()
        out["learned"] = er.wait("WPS-ER-AP-SETTINGS", 30)
        time.sleep(1)
        out["pin"] = er.cli("wps_er_pin", "any", STA_PIN).strip()
        time.sleep(1)
        out["station"] = station_enrolls()
        er.wait("WPS-SUCCESS", 10)
        time.sleep(1)
        out["er_events"] = [e for e in er.monitor.events if e.startswith("WPS")]
        return out
    finally:
        er.stop()
        ap.stop()


def with_pywps_er() -> dict:
    ap = HwHostapd("wlan0", **UPNP_AP | {"upnp_iface": "lo"})
    steps = [["cmd", "WPS_ER_START"], ["wait", "WPS-ER-AP-ADD", 30], ["cmd", f"WPS_ER_LEARN {AP_UUID} {AP_PIN}"],
             ["wait", "WPS-FAIL msg=11", 30], ["sleep", 1], ["cmd", f"WPS_ER_PIN any {STA_PIN}"],
             ["wait", "WPS-SUCCESS", 150], ["sleep", 2]]
    er = subprocess.Popen([sys.executable, str(HERE / "run_er.py"), "lo", json.dumps(steps)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines, out = [], {}
    try:
        for raw in er.stdout:  # the station starts once the ER has its PIN
            line = json.loads(raw)
            lines.append(line)
            if line.get("reply", "").startswith("WPS_ER_PIN"):
                time.sleep(1)
                out["station"] = station_enrolls()
        er.wait(30)
        out["er_lines"] = lines
        out["er_events"] = [line["event"] for line in lines if "event" in line]
        out["er_log"] = er.stderr.read()[-4000:]
        return out
    finally:
        if er.poll() is None:
            er.kill()
        ap.stop()


def main() -> None:
    sh("ip", "link", "set", "lo", "multicast", "on")
    sh("ip", "route", "add", "239.0.0.0/8", "dev", "lo")
    result = {}
    for name, scenario in (("wpa_supplicant", with_wpa_supplicant_er), ("pywps", with_pywps_er)):
        try:
            result[name] = scenario()
        except Exception as e:  # reported to the host test, which fails with it
            result[name] = {"error": repr(e)}
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
