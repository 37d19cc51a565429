"""The lab inside the mac80211_hwsim VM: Debian hostapd as WPS APs on wlan0/wlan2, pywps or Debian
wpa_supplicant on wlan1, all driven by the real hostapd_cli and wpa_cli. Runs only in the VM (tests/vm/run.sh),
where the radios exist and the filesystem is a throwaway overlay."""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/: netlab's Monitor and wait_for

from difflab import wsc_attrs  # noqa: E402
from netlab import REPO, WPS_AP_SETTINGS, Monitor, wait_for  # noqa: E402

from pywps.wps.attributes import parse_attrs  # noqa: E402
from pywps.wps.defs import AttrType, MsgType, WscOpCode  # noqa: E402
from pywps.wps.eap import EAP_TYPE_EXPANDED, EapolType, parse_eap, parse_eapol, parse_wsc  # noqa: E402
from pywps.wps.ie import wps_ie_payload  # noqa: E402

T = TypeVar("T")
AP_MAC = "02:00:00:00:00:00"  # hwsim radio 0 (wlan0)
STA_MAC = "02:00:00:00:01:00"  # wlan1
AP2_MAC = "02:00:00:00:02:00"  # wlan2
_counter = itertools.count()
WORK = Path(tempfile.mkdtemp(prefix="hwlab-"))


def run(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout


class HwHostapd:
    def __init__(self, iface: str = "wlan0", log_keys: bool = False, **overrides: str) -> None:
        """`log_keys`: hostapd's -K, its keys (a PTK's KCK and KEK) in the log too."""
        self.iface = iface
        self.dir = WORK / f"hostapd{next(_counter)}"
        self.dir.mkdir()
        self.conf = self.dir / "hostapd.conf"
        self.log = self.dir / "hostapd.log"
        self.ctrl = str(self.dir / "ctrl")
        settings = {
            "interface": iface, "driver": "nl80211", "ctrl_interface": self.ctrl, "hw_mode": "g", "channel": "1",
            **WPS_AP_SETTINGS,
        }
        settings.update(overrides)
        self.conf.write_text("".join(f"{k}={v}\n" for k, v in settings.items() if v is not None))
        keys = ["-K"] if log_keys else []
        self.proc = subprocess.Popen(["hostapd", "-dd", *keys, "-f", str(self.log), str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: "AP-ENABLED" in self.log_text(), 20, f"hostapd on {iface}")

    def cli(self, *args: str) -> str:
        return run(["hostapd_cli", "-p", self.ctrl, "-i", self.iface, *args])

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 20.0) -> re.Match:
        return wait_for(lambda: re.search(pattern, self.log_text()), timeout, f"hostapd log {pattern!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Station:
    """pywps (`-D nl80211`) or, for comparison, Debian wpa_supplicant on a radio; the same wpa_cli drives both."""

    def __init__(self, conf_text: str, program: str = "pywps", iface: str = "wlan1",
                 conf: Path | None = None, extra: list[str] = (), netns: str | None = None) -> None:
        self.iface = iface
        self.program = program
        self.dir = WORK / f"{program}{next(_counter)}"
        self.dir.mkdir()
        self.ctrl_dir = str(self.dir / "ctrl")
        self.conf = conf or self.dir / "sta.conf"
        if conf is None:
            self.conf.write_text(conf_text.replace("@CTRL@", self.ctrl_dir))
        else:
            self.ctrl_dir = re.search(r"^ctrl_interface=(?:DIR=)?(\S+)", self.conf.read_text(), re.M)[1]
        self.log = self.dir / "log"
        if program == "pywps":
            argv = [sys.executable, "-m", "pywps", "-D", "nl80211", "-i", iface, "-c", str(self.conf), "-d", *extra]
        else:
            argv = ["wpa_supplicant", "-D", "nl80211", "-i", iface, "-c", str(self.conf), "-dd", "-f", str(self.log)]
        if netns:
            argv = ["ip", "netns", "exec", netns, *argv]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(self.log, "a"), cwd=REPO)
        wait_for(self._ready, 60, f"{program}'s control socket")
        self.monitor = Monitor(f"{self.ctrl_dir}/{iface}")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.program} exited {self.proc.returncode}: {self.log_text()[-3000:]}")
        return answers_ping(f"{self.ctrl_dir}/{self.iface}")

    def cli(self, *args: str) -> str:
        return run(["wpa_cli", "-p", self.ctrl_dir, "-i", self.iface, *args])

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def scan(self) -> str:
        """SCAN, wait for its results event, return SCAN_RESULTS."""
        self.monitor.events.clear()
        assert self.cli("scan").strip() == "OK"
        self.monitor.wait("CTRL-EVENT-SCAN-RESULTS", 60)
        return self.cli("scan_results")

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.close()
            self.monitor = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def request(path: str, text: str, timeout: float = 5.0) -> str:
    """One request to a control socket (hostapd's or a station's) and its reply, without a wpa_cli."""
    local = tempfile.mktemp(prefix="req-", dir="/tmp")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(local)
        try:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.send(text.encode())
            return sock.recv(4096).decode()
        finally:
            os.unlink(local)


def answers_ping(path: str) -> bool:
    """Whether the control socket at `path` answers PING now. Asked from here: a wpa_cli started every 50 ms
    under TCG takes CPU from the program starting beside it."""
    try:
        return request(path, "PING", timeout=2) == "PONG\n"
    except OSError:  # not there yet, or not answering yet
        return False


def row_for(scan_results: str, bssid: str) -> list[str]:
    for line in scan_results.splitlines()[1:]:
        cols = line.split("\t")
        if cols[0] == bssid:
            return cols
    raise AssertionError(f"{bssid} not in scan results:\n{scan_results}")


# For an AP that the first scan of two programs scanning at once must hear. mac80211_hwsim's scan stays 30 ms on a
# channel it probes, and hostapd answers a probe from user space, which under TCG has come too late: that scan then
# missed the AP (wpa_supplicant's, twice in CI). The kernel beacons on its own timer: one every 20 TU (20.5 ms) falls
# inside the dwell. Not for every AP: mac80211 also takes 7 beacons missed for a lost link, 143 ms at this interval.
HEARD_AT_ONCE = {"beacon_int": "20"}


def sta_conf(**keys: str) -> str:
    base = {"ctrl_interface": "@CTRL@", "update_config": "1", "wps_cred_processing": "2"}
    base.update(keys)
    return "".join(f"{k}={v}\n" for k, v in base.items() if v is not None)


def fresh_scan_cache(iface: str = "wlan1", ssids: tuple[str, ...] = (), freqs: tuple[str, ...] = ("2412",),
                     bssids: tuple[str, ...] = ()) -> None:
    """Empty the kernel's scan cache of the station's radio and fill it with what is on air now (`ssids`),
    before either program starts: a scan with NL80211_SCAN_FLAG_FLUSH through iw, triggered without waiting
    (`iw ... scan flush` once hung for 60 s in a full guest run), then the cache polled until it holds exactly
    `ssids`. The hwsim tests start each test with no BSS from an earlier one (they flush at the end of each),
    and every AP on wlan0 has the same BSSID: an entry left by an earlier test's AP (its IEs of minutes ago)
    would stand in for this test's AP until a scan hears it again (see test_ap_wps_pbc_overlap_2ap). The lab
    fixture flushes before each test; a test calls it again after changing what its APs announce.
    `freqs`: the flushing scan covers the first channel, and one scan more each next one, in order; `bssids`:
    the cache must then list exactly these, in this order, instead of the SSIDs. cfg80211 lists BSSes in the
    order it first heard them, and a BSS heard again keeps its place: a flush and then one channel at a time
    gives the channels' order, where one scan of all of them would give whichever it heard first."""
    run(["ip", "link", "set", iface, "up"])
    deadline = time.monotonic() + 60
    # the flush takes effect when its scan ends, and a program started while it runs meets a busy radio (EBUSY on
    # its first scan, the flush's results as another's): return only once the last scan is over
    with ScanWatch(iface) as watch:
        def scan_over(*args: str) -> bool:
            before = len(watch.finished)
            try:
                triggered = subprocess.run(["iw", "dev", iface, "scan", "trigger", *args], capture_output=True,
                                           timeout=10, check=False).returncode == 0
            except subprocess.TimeoutExpired:
                return False
            if not triggered:  # EBUSY while another scan runs: poll, then again
                time.sleep(0.5)
                return False
            ends = time.monotonic() + 15
            while len(watch.finished) <= before and time.monotonic() < ends:
                time.sleep(0.1)
            return True

        while time.monotonic() < deadline:
            if not scan_over("flush", "freq", freqs[0]) or not all(scan_over("freq", f) for f in freqs[1:]):
                continue
            for _ in range(4):
                dump = run(["iw", "dev", iface, "scan", "dump"])
                if bssids:
                    if re.findall(r"^BSS ([0-9a-f:]{17})", dump, re.MULTILINE) == list(bssids):
                        return
                elif set(re.findall(r"^\s*SSID: (.*)$", dump, re.MULTILINE)) == set(ssids):
                    return
                time.sleep(0.5)
    raise AssertionError(f"the scan cache of {iface} never held exactly {bssids or ssids}")


def one_after_the_other(lab, step: Callable[[object, str], T], log_lines: str) -> dict[str, T]:
    """`step(lab, program)` for Debian wpa_supplicant, then for pywps, the lab emptied between: what each
    returned, by program. A step that fails says which program it was, the lines of its station's log that match
    `log_lines` (a regular expression), and what the programs before it saw."""
    seen: dict[str, T] = {}
    for program in ("wpa_supplicant", "pywps"):
        if seen:  # after the last program the lab fixture stops what is left, the next test's empties the cache
            lab.restart()
            time.sleep(1)
        try:
            seen[program] = step(lab, program)
        except AssertionError as e:
            log = "\n".join(line[:160] for line in lab.started_log().splitlines() if re.search(log_lines, line))
            raise AssertionError(f"{program}: {e}\n{log[-6000:]}\nbefore: {seen}") from None
    return seen


def undisturbed(lab, step: Callable[[], T], disturbed: Callable[[T], bool], tries: int) -> T:
    """`step()`, run again in an emptied lab (up to `tries` times in all) while `disturbed` finds its outcome
    upset by timing that is no part of what the test compares (the guest under CI load): the first outcome that
    is not. AssertionError with the last one when every run was."""
    for attempt in range(tries):
        if attempt:
            lab.restart()
        outcome = step()
        if not disturbed(outcome):
            return outcome
        print(f"disturbed, run again: {outcome}")  # shown with the test's failure, if it fails
    raise AssertionError(f"disturbed in all {tries} runs; the last: {outcome}")


def side_by_side(stations: dict[str, Station], step: Callable[[Station], T]) -> dict[str, T]:
    """`step` on each program's station at once (one thread each): what each returned, by program."""
    with ThreadPoolExecutor(len(stations)) as pool:
        futures = {program: pool.submit(step, sta) for program, sta in stations.items()}
        return {program: future.result() for program, future in futures.items()}


class ScanWatch:
    """The channels of every scan that starts and ends on a radio while it watches, as the kernel reports them
    (`iw event`: "scan finished: 2412 2417 ...,"), in order; a context manager around what triggers them."""

    def __init__(self, iface: str = "wlan1") -> None:
        self.iface = iface
        self.finished: list[list[int]] = []
        self.proc = subprocess.Popen(["iw", "event"], stdout=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        # iw says nothing once it has joined nl80211's multicast groups: its socket's groups in /proc/net/netlink
        # do, once they stop changing (it joins one after the other). A fixed 0.5 s missed a whole scan once, in a
        # CI run with three VMs beside the host's tests.
        deadline, groups = time.monotonic() + 10, 0
        while time.monotonic() < deadline:
            joined = netlink_groups(self.proc.pid)
            if joined and joined == groups:
                break
            groups = joined
            time.sleep(0.1)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        started = False  # a scan that began before the watch (an earlier test's, still running) is not counted
        for line in self.proc.stdout:
            if re.match(rf"{re.escape(self.iface)} \(phy #\d+\): scan started", line):
                started = True
            m = re.match(rf"{re.escape(self.iface)} \(phy #\d+\): scan (?:finished|aborted):([\d ]*),", line)
            if m and started:
                self.finished.append([int(f) for f in m[1].split()])
                started = False

    def __enter__(self) -> ScanWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._reader.join(10)


def netlink_groups(pid: int) -> int:
    """The multicast groups (the first 32, a bit each) of process `pid`'s generic netlink socket, from
    /proc/net/netlink (found by its inode: libnl picks the port at random); 0 without one."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    for line in Path("/proc/net/netlink").read_text().splitlines()[1:]:
        cols = line.split()  # sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        if len(cols) == 10 and cols[1] == "16" and cols[9] in inodes:
            return int(cols[3], 16)
    return 0


@contextmanager
def scan_watches(radios: dict[str, str]) -> Iterator[dict[str, ScanWatch]]:
    """A ScanWatch on each program's radio, by program."""
    with ExitStack() as stack:
        yield {program: stack.enter_context(ScanWatch(iface)) for program, iface in radios.items()}


class AirCapture:
    """The management frames a station sends, as the air carries them: hwsim0, mac80211_hwsim's monitor of
    every radio (radiotap, then the 802.11 frame); a context manager around what makes the station send them."""

    PROBE_REQUEST, ASSOC_REQUEST = 4, 0  # management subtypes
    _BODY_OFFSET = {PROBE_REQUEST: 24, ASSOC_REQUEST: 28}  # after the header (and an association's 4 fixed bytes)

    def __init__(self, sender: str = STA_MAC) -> None:
        self.sender = bytes.fromhex(sender.replace(":", ""))
        self.frames: list[bytes] = []  # 802.11 frames, radiotap stripped
        subprocess.run(["ip", "link", "set", "hwsim0", "up"], check=True)
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))  # ETH_P_ALL
        self._sock.bind(("hwsim0", 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                frame = self._sock.recv(4096)
            except socket.timeout:
                continue
            radiotap_len = int.from_bytes(frame[2:4], "little")
            self.frames.append(frame[radiotap_len:])

    def __enter__(self) -> AirCapture:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._reader.join(10)
        self._sock.close()

    def wps_attributes(self, subtype: int) -> list[list[tuple[int, bytes]]]:
        """The WSC attributes of the WPS IE of each distinct frame of that management subtype the sender sent,
        in the order first seen (each probe request of a scan differs only in its DS Parameter Set)."""
        out: list[list[tuple[int, bytes]]] = []
        for frame in self.frames:
            fc = frame[0]
            if (fc >> 2) & 3 != 0 or (fc >> 4) != subtype or frame[10:16] != self.sender:
                continue
            attrs = wps_attributes_of(frame[self._BODY_OFFSET[subtype]:])
            if attrs is not None and attrs not in out:
                out.append(attrs)
        return out

    def eapol_frames(self) -> list[tuple[int, bytes]]:
        """The sender's EAPOL frames as Ethernet frames (destination, source, 0x888e, EAPOL), the form
        difflab's readers take (with a 0: packet type, unused)."""
        out = []
        for frame in self.frames:
            fc = frame[0]
            if (fc >> 2) & 3 != 2 or frame[10:16] != self.sender:
                continue
            body = frame[24 + (2 if fc & 0x80 else 0):]  # after the QoS Control field of a QoS data frame
            if body[:8] == b"\xaa\xaa\x03\x00\x00\x00\x88\x8e":  # LLC/SNAP, EAPOL
                destination = frame[16:22] if frame[1] & 0x01 else frame[4:10]  # to the DS: address 3
                out.append((0, destination + frame[10:16] + b"\x88\x8e" + body[8:]))
        return out


def wps_attributes_of(ies: bytes) -> list[tuple[int, bytes]] | None:
    """The WSC attributes (type, value) of the WPS vendor elements among `ies`; None without one."""
    payload = wps_ie_payload(ies)
    return wsc_attrs(payload) if payload is not None else None


def wsc_message_type(pdu: bytes) -> MsgType | None:
    """The Message Type of an EAPOL frame that carries a whole EAP-WSC message (hostapd sends M1-M8 unfragmented:
    each is under 1400 bytes), by pywps's own parsers; None for any other frame."""
    eapol = parse_eapol(pdu)
    if eapol.type != EapolType.EAP_PACKET:
        return None
    eap = parse_eap(eapol.body)
    if eap.type != EAP_TYPE_EXPANDED:
        return None
    wsc = parse_wsc(eap.data)
    if wsc.op != WscOpCode.MSG:
        return None
    return MsgType(parse_attrs(wsc.data).get_int(AttrType.MSG_TYPE))
