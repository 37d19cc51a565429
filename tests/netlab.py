"""The wired lab for real-peer tests: two network namespaces joined by a veth pair, Debian hostapd as a WPS AP
on one end, and pywps or Debian wpa_supplicant on the other, driven by Debian's wpa_cli.

Each lab gets its own namespace names (prefix + counter), so leftovers and parallel runs never collide, and it
always tears down, even when a test fails. hostapd holds an enrollee's MAC for its 60 s quiet period after
EAP-Failure, so every test starts its own hostapd.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
AP_MAC = "02:00:00:00:01:00"
STA_MAC = "02:66:a0:ee:17:27"  # the seed vector's enrollee
SEED_PSK = "0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"
_counter = itertools.count()
# The WPS AP every real-peer test runs (wired here, over hwsim in tests/vm/guest/hwlab.py): WPA2-PSK, AP PIN,
# an active-registrar-ready WPS state and a fixed UUID.
WPS_AP_SETTINGS = {
    "ssid": "jkm-wps-test", "wpa": "2", "wpa_passphrase": "12345678", "wpa_key_mgmt": "WPA-PSK",
    "rsn_pairwise": "CCMP", "wps_state": "2", "eap_server": "1", "ap_pin": "12345670",
    "config_methods": "label display push_button keypad", "device_name": "TestAP", "manufacturer": "Test",
    "model_name": "hapd", "uuid": "12345678-9abc-def0-1234-56789abcdef0",
}


def lab_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root for network namespaces and AF_PACKET"
    for tool in ("hostapd", "hostapd_cli", "wpa_cli", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} not installed: apt-get install hostapd wpasupplicant iproute2"
    return None


requires_lab = pytest.mark.skipif(lab_skip_reason() is not None, reason=str(lab_skip_reason()))


def run(argv: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True, **kw)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Monitor:
    """A wpa_ctrl monitor in the test process (unix socket paths cross namespaces): collects event texts, and
    each with its level in `leveled` (-1 when it came without one)."""

    def __init__(self, path: str) -> None:
        self.local = tempfile.mktemp(prefix="pwmon-", dir="/tmp")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.local)
        self.sock.connect(path)
        self.sock.settimeout(5)
        self.sock.send(b"ATTACH")
        assert self.sock.recv(4096) == b"OK\n"
        self.events: list[str] = []
        self.leveled: list[tuple[int, str]] = []

    def wait(self, pattern: str, timeout: float = 15.0) -> re.Match:
        regex = re.compile(pattern)
        for event in self.events:
            if m := regex.search(event):
                return m
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (event := self._next(deadline)) is not None:
            if m := regex.search(event):
                return m
        raise AssertionError(f"no event matching {pattern!r} within {timeout} s; saw {self.events}")

    def gather(self, seconds: float) -> None:
        """Every event that comes within `seconds`, into `events`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._next(deadline) is not None:
            pass

    def _next(self, deadline: float) -> str | None:
        """The next event's text (also kept in `events`), or None when none came before `deadline`."""
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536).decode()
        except TimeoutError:
            return None
        level = re.match(r"<(\d+)>", data)
        event = data[level.end():] if level else data
        self.events.append(event)
        self.leveled.append((int(level[1]) if level else -1, event))
        return event

    def close(self) -> None:
        try:
            self.sock.send(b"DETACH")
        except OSError:
            pass
        self.sock.close()
        os.unlink(self.local)


class Hostapd:
    def __init__(self, lab: WiredLab, **overrides: str) -> None:
        self.lab = lab
        self.dir = lab.dir / f"hostapd{next(_counter)}"
        self.dir.mkdir()
        self.conf = self.dir / "hostapd.conf"
        self.log = self.dir / "hostapd.log"
        self.ctrl = str(self.dir / "ctrl")
        settings = {
            "interface": "vap", "driver": "wired", "ctrl_interface": self.ctrl, "ieee8021x": "1",
            "eapol_version": "2", **WPS_AP_SETTINGS,
        }
        if "wpa_psk" in overrides:
            settings.pop("wpa_passphrase")
        settings.update(overrides)
        self.conf.write_text("".join(f"{k}={v}\n" for k, v in settings.items() if v is not None))
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", lab.ns_ap, "hostapd", "-dd", "-f", str(self.log), str(self.conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self.cli("ping").strip() == "PONG", 10, "hostapd's control socket")

    def cli(self, *args: str) -> str:
        return run(["hostapd_cli", "-p", self.ctrl, "-i", "vap", *args], check=False).stdout

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 10.0) -> re.Match:
        return wait_for(lambda: re.search(pattern, self.log_text()), timeout, f"hostapd log {pattern!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Pywps:
    """pywps -D wired on the station end, run as a real process in the station namespace."""

    def __init__(self, lab: WiredLab, conf_text: str | None, extra_args: list[str] = (), conf: Path | None = None) -> None:
        self.lab = lab
        self.dir = lab.dir / f"pywps{next(_counter)}"
        self.dir.mkdir()
        self.ctrl_dir = str(self.dir / "ctrl")
        self.conf = conf or self.dir / "pywps.conf"
        if conf_text is not None:
            self.conf.write_text(conf_text.replace("@CTRL@", self.ctrl_dir))
        else:  # an existing file (a restart): its ctrl_interface decides where the socket is
            self.ctrl_dir = re.search(r"^ctrl_interface=(?:DIR=)?(\S+)", self.conf.read_text(), re.M)[1]
        self.log = self.dir / "pywps.log"
        self.pidfile = self.dir / "pywps.pid"
        self.argv = ["ip", "netns", "exec", lab.ns_sta, sys.executable, "-m", "pywps", "-D", "wired", "-i", "vsta",
                     "-c", str(self.conf), "-P", str(self.pidfile), "-d", *extra_args]
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=open(self.log, "w"), cwd=REPO)
        self.socket = os.path.join(self.ctrl_dir, "vsta")

    def wait_ready(self, timeout: float = 15.0) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"pywps exited {self.proc.returncode}: {self.log_text()}")
            return self.cli("ping").strip() == "PONG"

        wait_for(ready, timeout, "pywps's control socket")

    def cli(self, *args: str) -> str:
        return run(["wpa_cli", "-p", self.ctrl_dir, "-i", "vsta", *args], check=False).stdout

    def monitor(self) -> Monitor:
        return Monitor(self.socket)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class WiredLab:
    def __init__(self, sta_mac: str = STA_MAC) -> None:
        n = f"{os.getpid() % 100000}-{next(_counter)}"
        self.ns_ap, self.ns_sta = f"pwt{n}-ap", f"pwt{n}-sta"
        self.sta_mac = sta_mac
        self.dir = Path(tempfile.mkdtemp(prefix="pwlab-", dir="/tmp"))  # short: AF_UNIX paths max 108
        self._procs: list = []

    def __enter__(self) -> WiredLab:
        try:
            run(["ip", "netns", "add", self.ns_ap])
            run(["ip", "netns", "add", self.ns_sta])
            run(["ip", "-n", self.ns_ap, "link", "add", "vap", "type", "veth", "peer", "name", "vsta", "netns", self.ns_sta])
            run(["ip", "-n", self.ns_ap, "link", "set", "vap", "address", AP_MAC, "up"])
            run(["ip", "-n", self.ns_sta, "link", "set", "vsta", "address", self.sta_mac, "up"])
            run(["ip", "-n", self.ns_ap, "link", "set", "lo", "up"])
            run(["ip", "-n", self.ns_sta, "link", "set", "lo", "up"])
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def hostapd(self, **overrides: str) -> Hostapd:
        h = Hostapd(self, **overrides)
        self._procs.append(h)
        return h

    def pywps(self, conf_text: str | None, extra_args: list[str] = (), wait: bool = True, conf: Path | None = None) -> Pywps:
        p = Pywps(self, conf_text, list(extra_args), conf)
        self._procs.append(p)
        if wait:
            p.wait_ready()
        return p

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self._procs):
            proc.stop()
        run(["ip", "netns", "del", self.ns_ap], check=False)
        run(["ip", "netns", "del", self.ns_sta], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def pywps_conf(**keys: str) -> str:
    base = {"ctrl_interface": "@CTRL@", "update_config": "1", "wps_cred_processing": "2"}
    base.update(keys)
    return "".join(f"{k}={v}\n" for k, v in base.items() if v is not None)
