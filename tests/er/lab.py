"""The wired lab for the External Registrar: tests/netlab.py's namespaces with IPv4 addresses on the veth ends
(192.0.2.1 the AP, 192.0.2.2 the ER: documentation addresses, inside the lab's namespaces only), hostapd's
UPnP on `vap`, and the two ERs to compare: Debian wpa_supplicant and pywps (tests/er/run_er.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from netlab import WPS_AP_SETTINGS, Monitor, WiredLab, run, wait_for

AP_UUID = WPS_AP_SETTINGS["uuid"]
AP_PIN = WPS_AP_SETTINGS["ap_pin"]
UPNP_AP = {
    "upnp_iface": "vap", "friendly_name": "WPS AP", "manufacturer_url": "http://example.com/",
    "model_description": "Wired test AP", "model_number": "1", "serial_number": "42", "model_url": "http://example.com/m",
}
RUN_ER = Path(__file__).with_name("run_er.py")
# the network WPS_ER_SET_CONFIG reads in both ERs (id 0)
STORED_NETWORK = 'network={\n ssid="stored-net"\n psk="storedpass1"\n key_mgmt=WPA-PSK\n proto=RSN\n pairwise=CCMP\n}\n'


def address_lab(lab: WiredLab) -> None:
    run(["ip", "-n", lab.ns_ap, "addr", "add", "192.0.2.1/24", "dev", "vap"])
    run(["ip", "-n", lab.ns_sta, "addr", "add", "192.0.2.2/24", "dev", "vsta"])


class WpasEr:
    """Debian wpa_supplicant -Dwired on vsta, used only as an External Registrar."""

    def __init__(self, lab: WiredLab) -> None:
        self.dir = lab.dir / f"wpas-er-{time.monotonic_ns()}"
        self.dir.mkdir()
        conf = self.dir / "wpas.conf"
        conf.write_text(f"ctrl_interface={self.dir}/ctrl\nupdate_config=1\ndevice_name=pywps ER\n"
                        f"uuid=27ea801a-9e5c-4e73-bd82-f89cbcd10d7e\n{STORED_NETWORK}")
        self.proc = subprocess.Popen(["ip", "netns", "exec", lab.ns_sta, "wpa_supplicant", "-Dwired", "-ivsta",
                                      "-c", str(conf), "-dd", "-f", str(self.dir / "log")])
        self.ctrl = str(self.dir / "ctrl")
        wait_for(lambda: self.cli("ping").strip() == "PONG", 10, "wpa_supplicant's control socket")
        self.monitor = Monitor(f"{self.ctrl}/vsta")

    def cli(self, *args: str) -> str:
        return run(["wpa_cli", "-p", self.ctrl, "-i", "vsta", *args], check=False).stdout

    def events_since(self, start: int, pattern: str | None = None, timeout: float = 10.0) -> list[str]:
        """Monitor events from index `start` on, after waiting for one matching `pattern` (if given)."""
        if pattern:
            try:
                self.monitor.wait(pattern, timeout)
            except AssertionError:
                pass
        return [e for e in self.monitor.events[start:] if e.startswith("WPS")]

    def drain(self, seconds: float) -> None:
        try:
            self.monitor.wait("^NEVER$", seconds)
        except AssertionError:
            pass

    def stop(self) -> None:
        self.monitor.close()
        self.proc.terminate()
        self.proc.wait(10)


def run_pywps_er(lab: WiredLab, steps: list, timeout: float = 90) -> tuple[list[dict], str]:
    """pywps's ER in the station namespace; its JSON lines (events and replies) and its log."""
    result = subprocess.run(["ip", "netns", "exec", lab.ns_sta, sys.executable, str(RUN_ER), "vsta", json.dumps(steps)],
                            capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return lines, result.stderr
