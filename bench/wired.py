"""pywps against Debian wpa_supplicant on the same wired lab (veth pair, Debian hostapd as the WPS AP), side by
side in one run, printed as ratios (pywps / wpa_supplicant; below 1.0 pywps is faster or smaller):

- WPS_PIN command -> WPS-SUCCESS event, median of N interleaved runs each (a fresh hostapd, then a fresh
  daemon, per run: hostapd's 802.1X port holds an enrollee for 60 s after the EAP-Failure ending every run);
- start -> first PONG on the control socket, and RSS at that PONG and after a registration; pywps's also against
  the floor of any asyncio daemon, `python -c "import asyncio"` (start to exit, and its peak RSS), started the
  same way in the same run; and as CPU time (the daemon's main thread up to that PONG, the floor's whole run),
  which a machine busy with other work disturbs much less than the wall-clock times; RSS after a registration
  also against its floor, `import asyncio` and then an Enrollee's crypto with `cryptography`
  (FLOOR_AFTER_REGISTRATION), run the same way;
- start -> WPS-SUCCESS when WPS_PIN comes at the first PONG: what is loaded after the PONG (the warm-up) is
  then paid by that first run, so this sum, not WPS_PIN -> WPS-SUCCESS alone, shows whether deferring helped;
- PING round trips per second from one Python client.

pywps is timed with its bytecode compiled, as an installed package has it (pip compiles on install): the
script compiles it first, since PYTHONDONTWRITEBYTECODE would otherwise make every start compile from source.

    sudo .venv/bin/python bench/wired.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from netlab import Monitor, WiredLab, lab_skip_reason, wait_for  # noqa: E402


class Daemon:
    """pywps or wpa_supplicant on the lab's station end, with the same configuration and control directory."""

    def __init__(self, lab: WiredLab, kind: str) -> None:
        self.lab, self.kind = lab, kind
        self.dir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-", dir="/tmp"))
        self.ctrl = str(self.dir / "ctrl")
        self.conf = self.dir / "daemon.conf"
        self.conf.write_text(f"ctrl_interface={self.ctrl}\nap_scan=0\nupdate_config=0\nwps_cred_processing=1\n"
                             "uuid=12345678-9abc-def0-1234-56789abcdef1\n")
        if kind == "pywps":
            argv = [sys.executable, "-m", "pywps", "-D", "wired", "-i", "vsta", "-c", str(self.conf)]
        else:
            argv = ["wpa_supplicant", "-Dwired", "-i", "vsta", "-c", str(self.conf)]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(["ip", "netns", "exec", lab.ns_sta, *argv],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.path = os.path.join(self.ctrl, "vsta")
        self.client = None
        wait_for(self._pong, 20, f"{kind} to answer PING", interval=0.002)
        self.start_to_pong = time.perf_counter() - t0
        self.cpu_at_pong = self.main_thread_cpu()
        self.rss_at_pong = self.rss_kib()

    def _pong(self) -> bool:
        try:
            if self.client is None:
                self.client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self.client.bind(tempfile.mktemp(prefix="bench-", dir="/tmp"))
                self.client.settimeout(2)
            self.client.sendto(b"PING", self.path)
            return self.client.recv(64) == b"PONG\n"
        except OSError:
            return False

    def request(self, command: str) -> str:
        self.client.sendto(command.encode(), self.path)
        return self.client.recv(4096).decode()

    def ping_rate(self, seconds: float = 2.0) -> float:
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            self.request("PING")
            n += 1
        return n / (time.perf_counter() - t0)

    def main_thread_cpu(self) -> float:
        """Seconds the main thread has run (schedstat: exact, not in clock ticks); read while it waits in epoll,
        so the figure is current. pywps's warm-up thread, started at readiness, is not counted."""
        return int(Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/schedstat").read_text().split()[0]) / 1e9

    def rss_kib(self) -> int:
        # `ip netns exec` execs the daemon in place, so the Popen pid is the daemon's.
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        if self.client is not None:
            name = self.client.getsockname()
            self.client.close()
            os.unlink(name)
        shutil.rmtree(self.dir, ignore_errors=True)


def compile_bytecode() -> None:
    """What `pip install` does: pywps's .pyc files, so a start loads bytecode as a deployed daemon does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pywps")], check=True,
                   stdout=subprocess.DEVNULL)


def floor_start(lab: WiredLab) -> tuple[float, int, float]:
    """`python -c "import asyncio"` in the station namespace: seconds from start to exit and its CPU seconds
    (wait4's user + system time); and its RSS (KiB) once asyncio is imported, from a second run that reads it as
    the daemons' is read (VmRSS; wait4's ru_maxrss would count the forked parent's pages from before the exec)."""
    argv = ["ip", "netns", "exec", lab.ns_sta, sys.executable, "-c"]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*argv, "import asyncio"])
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, "the floor failed"
    out = subprocess.run([*argv, "import asyncio; print(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])"],
                         check=True, capture_output=True, text=True).stdout
    return elapsed, int(out), usage.ru_utime + usage.ru_stime


# The floor of RSS after a registration: `import asyncio`, then an Enrollee's crypto done with `cryptography`
# as pywps does it (a DH group 5 key pair and the exchange with the Registrar's public key, SHA-256 and
# HMAC-SHA-256 from hashlib, AES-128-CBC both ways), nothing else. argv[1] is the prime in hex.
FLOOR_AFTER_REGISTRATION = """
import asyncio, hashlib, hmac, os, sys, warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from cryptography.hazmat.primitives.asymmetric import dh
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
numbers = dh.DHParameterNumbers(int(sys.argv[1], 16), 2)
key = numbers.parameters().generate_private_key()
peer = dh.DHPublicNumbers(pow(2, int.from_bytes(os.urandom(32)), numbers.p), numbers).public_key()
shared = hashlib.sha256(key.exchange(peer)).digest()
mac = hmac.new(shared, b"Wi-Fi Easy and Secure Key Derivation", "sha256").digest()
aes = algorithms.AES(mac[:16])
data = Cipher(aes, modes.CBC(bytes(16))).encryptor().update(bytes(96))
Cipher(aes, modes.CBC(bytes(16))).decryptor().update(data)
print(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
"""


def floor_after_registration(lab: WiredLab) -> int:
    """RSS (KiB) of FLOOR_AFTER_REGISTRATION, run as the daemons are (`ip netns exec`)."""
    from pywps.wps.crypto import DH_P

    out = subprocess.run(["ip", "netns", "exec", lab.ns_sta, sys.executable, "-c", FLOOR_AFTER_REGISTRATION,
                          f"{DH_P:x}"], check=True, capture_output=True, text=True).stdout
    return int(out)


def wps_pin_time(daemon: Daemon) -> float:
    monitor = Monitor(daemon.path)
    try:
        t0 = time.perf_counter()
        daemon.request("WPS_PIN any 12345670")
        monitor.wait(r"^WPS-SUCCESS", timeout=20)
        return time.perf_counter() - t0
    finally:
        monitor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="pywps vs wpa_supplicant on the wired lab")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if reason := lab_skip_reason():
        raise SystemExit(f"bench/wired.py: {reason}")
    compile_bytecode()
    times: dict[str, list[float]] = {"pywps": [], "wpa_supplicant": []}
    starts: dict[str, list[float]] = {"pywps": [], "wpa_supplicant": [], "floor": []}
    rss_at_pong: dict[str, list[int]] = {"pywps": [], "wpa_supplicant": [], "floor": []}
    cpu_at_pong: dict[str, list[float]] = {"pywps": [], "wpa_supplicant": [], "floor": []}
    to_success: dict[str, list[float]] = {"pywps": [], "wpa_supplicant": []}
    rss: dict[str, int] = {}
    rate: dict[str, float] = {}
    with WiredLab() as lab:
        rss["floor"] = floor_after_registration(lab)
        for i in range(args.runs):
            elapsed, peak, cpu = floor_start(lab)
            starts["floor"].append(elapsed)
            rss_at_pong["floor"].append(peak)
            cpu_at_pong["floor"].append(cpu)
            for kind in (("pywps", "wpa_supplicant") if i % 2 == 0 else ("wpa_supplicant", "pywps")):
                # Interleaved; each run gets a fresh hostapd (with the PIN set) and then a fresh daemon.
                hapd = lab.hostapd()
                hapd.cli("wps_pin", "any", "12345670")
                daemon = Daemon(lab, kind)
                try:
                    starts[kind].append(daemon.start_to_pong)
                    rss_at_pong[kind].append(daemon.rss_at_pong)
                    cpu_at_pong[kind].append(daemon.cpu_at_pong)
                    times[kind].append(wps_pin_time(daemon))
                    to_success[kind].append(daemon.start_to_pong + times[kind][-1])
                    if i == 0:
                        rss[kind] = daemon.rss_kib()
                        rate[kind] = daemon.ping_rate()
                finally:
                    daemon.stop()
                    hapd.stop()
                    lab._procs.remove(hapd)

    def row(name: str, ours: float, theirs: float, unit: str, goal: str = "") -> None:
        print(f"{name:<52} {ours:10.2f} {theirs:16.2f}  {unit:<4} ratio {ours / theirs:5.2f}x  {goal}")

    def med(values: list[float], scale: float) -> float:
        return statistics.median(values) * scale

    print(f"{'':<52} {'pywps':>10} {'wpa_supplicant':>16}")
    row(f"WPS_PIN -> WPS-SUCCESS (median of {args.runs})", med(times["pywps"], 1000),
        med(times["wpa_supplicant"], 1000), "ms")
    row("start -> first PONG (median)", med(starts["pywps"], 1000), med(starts["wpa_supplicant"], 1000), "ms")
    row("start -> WPS-SUCCESS, WPS_PIN at that PONG (median)", med(to_success["pywps"], 1000),
        med(to_success["wpa_supplicant"], 1000), "ms")
    row("RSS at the first PONG (median)", med(rss_at_pong["pywps"], 1 / 1024),
        med(rss_at_pong["wpa_supplicant"], 1 / 1024), "MiB")
    row("RSS after a registration", rss["pywps"] / 1024, rss["wpa_supplicant"] / 1024, "MiB", "(goal <= 29 MiB)")
    row("PING round trips per second", rate["pywps"], rate["wpa_supplicant"], "1/s", "(goal >= 1.0x)")
    print(f"{'':<52} {'pywps':>10} {'import asyncio':>16}")
    row("start -> first PONG vs the floor (median)", med(starts["pywps"], 1000), med(starts["floor"], 1000), "ms",
        "(goal <= 1.5x)")
    row("CPU to the first PONG vs the floor's (median)", med(cpu_at_pong["pywps"], 1000),
        med(cpu_at_pong["floor"], 1000), "ms", "(main thread; the floor's whole run)")
    row("RSS at the first PONG vs the floor's", med(rss_at_pong["pywps"], 1 / 1024),
        med(rss_at_pong["floor"], 1 / 1024), "MiB", "(goal <= 1.25x)")
    print(f"{'':<52} {'pywps':>10} {'+ its crypto':>16}")
    row("RSS after a registration vs the floor's", rss["pywps"] / 1024, rss["floor"] / 1024, "MiB",
        "(the floor: import asyncio + an Enrollee's crypto with cryptography; goal <= 29 MiB)")


if __name__ == "__main__":
    main()
