"""The differential lab: the same config and the same command script, once against Debian wpa_supplicant
-Dwired and once against pywps -D wired, each in the station namespace of its own wired lab with a fresh
Debian hostapd (driver=wired) as the AP; every reply recorded byte for byte and every event with its level.

The oracle is wpa_supplicant: a test runs a script on both (`run_both`), then compares with the helpers at the
end of this module (`same_text`, `reply_class`, `reply_keys`, `event_list`). Intentional differences go in
the allow-lists below, each with its reason.

Facts about the lab that the scripts rely on (observed with Debian wpa_supplicant 2.10):
- On -Dwired wpa_supplicant needs `ap_scan=0`; with a BSSID it answers only on the PAE group address
  01:80:c2:00:00:03 (the AP's own MAC gets no EAPOL at all), so `WPS_REG` uses PAE_GROUP as its BSSID.
- wpa_supplicant waits about 1 s after `WPS_REG` / `WPS_PIN` before its EAPOL-Start; a whole run over the veth
  then takes tens of milliseconds.
- hostapd holds an enrollee's MAC for its 60 s quiet period after EAP-Failure: every scenario gets a fresh
  hostapd (and here a fresh lab: namespaces are cheap).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from netlab import REPO, STA_MAC, WiredLab, lab_skip_reason, wait_for

WPAS = "wpa_supplicant"
PYWPS = "pywps"
KINDS = (WPAS, PYWPS)
PAE_GROUP = "01:80:c2:00:00:03"  # the only BSSID Debian wpa_supplicant -Dwired answers on
CTRL_PLACEHOLDER = "@CTRL@"


def diff_skip_reason() -> str | None:
    if reason := lab_skip_reason():
        return reason
    if shutil.which("wpa_supplicant") is None:
        return "wpa_supplicant not installed: apt-get install wpasupplicant"
    return None


requires_diff = pytest.mark.skipif(diff_skip_reason() is not None, reason=str(diff_skip_reason()))

# -- intentional differences, each with its reason ---------------------------------------------------------

# STATUS keys pywps adds to wpa_supplicant's (issue 12 allows exactly these).
EXTRA_STATUS_KEYS: dict[str, str] = {
    "wps_state": "pywps reports its WPS run (IDLE, PIN/PBC active, ...) in STATUS; wpa_supplicant has no such key",
    "wps_last_result": "pywps reports the last WPS run's outcome in STATUS; wpa_supplicant has no such key",
    "wps_remaining": "pywps reports the seconds left of an active run's walk time; wpa_supplicant has no such key",
}

# Events wpa_supplicant sends that pywps need not (a proposal: the lead decides; remove an entry to require it).
EVENTS_NOT_SENT: dict[str, str] = {
    "CTRL-EVENT-DSCP-POLICY": "wpa_supplicant's QoS Management (DSCP policy) bookkeeping: 'clear_all' whenever it "
                              "deauthenticates itself (wpa_supplicant_deauthenticate, linked or not: DISCONNECT, a "
                              "WPS run's end, TERMINATE twice), never when the AP or the driver ends the link; pywps "
                              "has no DSCP policy support and no client waits for it",
}


def without_unsent(events: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """(level, text) events without those in EVENTS_NOT_SENT."""
    return [e for e in events if e[1].split(" ", 1)[0] not in EVENTS_NOT_SENT]


def conf_text(**keys: str | None) -> str:
    """The one config both daemons get (`@CTRL@` becomes each one's control directory). A key set to None is
    left out."""
    base: dict[str, str | None] = {"ctrl_interface": CTRL_PLACEHOLDER, "ap_scan": "0", "update_config": "1"}
    base.update(keys)
    return "".join(f"{k}={v}\n" for k, v in base.items() if v is not None)


# -- a raw wpa_ctrl client -----------------------------------------------------------------------------------


def _bound_socket() -> tuple[socket.socket, str]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    local = tempfile.mktemp(prefix="pwdiff-", dir="/tmp")
    sock.bind(local)
    return sock, local


class CtrlClient:
    """Requests on one bound datagram socket, the reply returned as the exact bytes received."""

    def __init__(self, path: str, timeout: float = 5.0) -> None:
        self.sock, self.local = _bound_socket()
        self.sock.connect(path)
        self.timeout = timeout

    def request(self, command: str | bytes, timeout: float | None = None) -> bytes | None:
        """The reply bytes, or None when none came within the timeout."""
        self._drain()
        self.sock.send(command.encode() if isinstance(command, str) else command)
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            return self.sock.recv(65536)
        except (TimeoutError, ConnectionRefusedError):
            return None

    def _drain(self) -> None:
        """A reply that came after its timeout must not be taken for the next one's."""
        self.sock.setblocking(False)
        try:
            while self.sock.recv(65536):
                pass
        except (BlockingIOError, ConnectionRefusedError):
            pass

    def close(self) -> None:
        self.sock.close()
        try:
            os.unlink(self.local)
        except FileNotFoundError:
            pass


@dataclass(frozen=True)
class Event:
    level: int | None  # None: a datagram without a `<n>` prefix
    text: str
    raw: bytes
    at: float  # time.monotonic() when received

    @property
    def name(self) -> str:
        return self.text.split(" ", 1)[0]


class EventMonitor:
    """An ATTACHed wpa_ctrl monitor (optionally with `LEVEL n`) that keeps every datagram with its level."""

    def __init__(self, path: str, level: int | None = None) -> None:
        self.client = CtrlClient(path)
        self.attach_reply = self.client.request("ATTACH")
        self.level_reply = self.client.request(f"LEVEL {level}") if level is not None else None
        self.events: list[Event] = []

    def poll(self, timeout: float = 0.0) -> None:
        """Collect what has arrived, waiting up to `timeout` for the first datagram."""
        sock = self.client.sock
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            sock.settimeout(remaining if remaining > 0 else None)
            if remaining <= 0:
                sock.setblocking(False)
            try:
                raw = sock.recv(65536)
            except (BlockingIOError, TimeoutError, ConnectionRefusedError):
                return
            self.events.append(parse_event(raw))
            deadline = time.monotonic()  # got one: now only take what is already queued

    def wait(self, pattern: str, timeout: float = 15.0) -> Event:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if regex.search(event.text):
                    return event
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no event matching {pattern!r} within {timeout} s; saw "
                                     f"{[(e.level, e.text) for e in self.events]}")
            self.poll(min(remaining, 0.2))

    def close(self) -> None:
        try:
            self.client.request("DETACH", timeout=0.5)
        except OSError:
            pass
        self.client.close()


def parse_event(raw: bytes) -> Event:
    text = raw.decode("utf-8", "replace")
    if m := re.match(r"<(\d+)>", text):
        return Event(int(m[1]), text[m.end():], raw, time.monotonic())
    return Event(None, text, raw, time.monotonic())


# -- the station daemons -------------------------------------------------------------------------------------


class Station:
    """Debian wpa_supplicant -Dwired or pywps -D wired on `vsta` in a lab's station namespace."""

    def __init__(self, lab: WiredLab, kind: str, conf: str, debug: str = "-d") -> None:
        assert kind in KINDS
        self.lab, self.kind = lab, kind
        self.dir = Path(tempfile.mkdtemp(prefix=f"{kind[:4]}-", dir=lab.dir))
        self.ctrl_dir = str(self.dir / "ctrl")
        self.conf = self.dir / "sta.conf"
        self.conf.write_text(conf.replace(CTRL_PLACEHOLDER, self.ctrl_dir))
        self.log = self.dir / "sta.log"
        self.pidfile = self.dir / "sta.pid"
        netns = ["ip", "netns", "exec", lab.ns_sta]
        common = ["-i", "vsta", "-c", str(self.conf), "-P", str(self.pidfile)] + ([debug] if debug else [])
        if kind == WPAS:
            argv = [*netns, "wpa_supplicant", "-Dwired", *common, "-f", str(self.log)]
        else:
            argv = [*netns, sys.executable, "-m", "pywps", "-D", "wired", *common, "-f", str(self.log)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        self.socket = os.path.join(self.ctrl_dir, "vsta")
        self.client: CtrlClient | None = None
        lab._procs.append(self)  # torn down with the lab

    def wait_ready(self, timeout: float = 15.0) -> Station:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.kind} exited {self.proc.returncode}: {self.log_text()[-2000:]}")
            if not os.path.exists(self.socket):
                return False
            probe = CtrlClient(self.socket, timeout=0.5)
            try:
                return probe.request("PING") == b"PONG\n"
            finally:
                probe.close()

        wait_for(ready, timeout, f"{self.kind}'s control socket", interval=0.02)
        self.client = CtrlClient(self.socket)
        return self

    def request(self, command: str, timeout: float | None = None) -> bytes | None:
        assert self.client is not None
        return self.client.request(command, timeout)

    def wait_state(self, state: str, timeout: float = 10.0) -> None:
        """Until STATUS says wpa_state=`state`. wpa_supplicant joins a stored network after its first PONG
        (its first scan is an eloop timeout), pywps before it: a monitor attached at once sees the join on
        one side only."""
        wait_for(lambda: f"wpa_state={state}\n".encode() in (self.request("STATUS") or b""), timeout,
                 f"{self.kind}'s wpa_state={state}", interval=0.05)

    def monitor(self, level: int | None = None) -> EventMonitor:
        return EventMonitor(self.socket, level)

    def normalize(self, reply: bytes | None) -> bytes | None:
        """The reply with this daemon's control directory written as @CTRL@, so both compare."""
        return None if reply is None else reply.replace(self.ctrl_dir.encode(), CTRL_PLACEHOLDER.encode())

    def conf_now(self) -> str:
        return self.conf.read_text().replace(self.ctrl_dir, CTRL_PLACEHOLDER)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> int | None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# -- scripts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    """Wait for an event (regex on its text) before the next step."""
    pattern: str
    timeout: float = 15.0


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Hapd:
    """A hostapd_cli command on the AP."""
    args: tuple[str, ...]

    def __init__(self, *args: str) -> None:
        object.__setattr__(self, "args", args)


@dataclass(frozen=True)
class Request:
    """A control request with its own reply timeout (a plain string step uses the default)."""
    command: str
    timeout: float = 5.0


Step = str | Request | Wait | Sleep | Hapd


@dataclass
class Transcript:
    kind: str
    replies: list[tuple[str, bytes | None]] = field(default_factory=list)
    hapd_replies: list[tuple[str, str]] = field(default_factory=list)
    waits: list[tuple[str, bool]] = field(default_factory=list)  # (pattern, whether the event came)
    events: list[Event] = field(default_factory=list)
    level_reply: bytes | None = None
    conf_after: str = ""
    hostapd_log: str = ""
    station_log: str = ""
    exit_code: int | None = None
    frames: list[tuple[int, bytes]] = field(default_factory=list)  # EAPOL on the AP's end, when captured

    def reply(self, command: str, nth: int = 0) -> bytes | None:
        """The reply to the nth request with exactly this text."""
        return [r for c, r in self.replies if c == command][nth]

    def texts(self, names: Iterable[str] | None = None) -> list[tuple[int | None, str]]:
        return event_list(self.events, names)

    def until(self, pattern: str) -> list[tuple[int | None, str]]:
        """(level, text) of the events up to and including the first whose text matches `pattern` (all of
        them when none does)."""
        out = []
        for e in self.events:
            out.append((e.level, e.text))
            if re.search(pattern, e.text):
                break
        return out

    def after(self, pattern: str) -> list[tuple[int | None, str]]:
        """(level, text) of the events after the first whose text matches `pattern` (none when none does)."""
        texts = [e.text for e in self.events]
        for i, text in enumerate(texts):
            if re.search(pattern, text):
                return [(e.level, e.text) for e in self.events[i + 1:]]
        return []


def run_script(kind: str, script: Sequence[Step], conf: str, *, hostapd: dict[str, str] | None = None,
               monitor_level: int | None = None, settle: float = 0.3, sta_mac: str = STA_MAC,
               debug: str = "-d", capture: bool = False, state: str | None = None) -> Transcript:
    """Run `script` on one daemon in a fresh lab (fresh hostapd unless `hostapd` is None); a monitor is
    attached before the first step. `settle`: how long to keep collecting events after the last step;
    `capture`: record the EAPOL frames on the AP's end (Transcript.frames); `state`: the wpa_state to wait
    for before the monitor attaches (COMPLETED: a stored network joined)."""
    out = Transcript(kind)
    with WiredLab(sta_mac=sta_mac) as lab:
        sniffer = EapolCapture(lab.ns_ap, "vap") if capture else None
        hapd = lab.hostapd(**hostapd) if hostapd is not None else None
        sta = Station(lab, kind, conf, debug).wait_ready()
        if state is not None:
            sta.wait_state(state)
        mon = sta.monitor(monitor_level)
        out.level_reply = mon.level_reply
        try:
            for step in script:
                if isinstance(step, str | Request):
                    command, timeout = (step, None) if isinstance(step, str) else (step.command, step.timeout)
                    out.replies.append((command, sta.normalize(sta.request(command, timeout))))
                elif isinstance(step, Wait):  # a wait that times out is recorded, not raised: it is a finding
                    try:
                        mon.wait(step.pattern, step.timeout)
                        out.waits.append((step.pattern, True))
                    except AssertionError:
                        out.waits.append((step.pattern, False))
                elif isinstance(step, Sleep):
                    time.sleep(step.seconds)
                elif isinstance(step, Hapd):
                    assert hapd is not None, "a Hapd step needs a hostapd"
                    out.hapd_replies.append((" ".join(step.args), hapd.cli(*step.args)))
            mon.poll(settle)
        finally:
            out.events = mon.events
            mon.close()
            out.conf_after = sta.conf_now()
            out.exit_code = sta.stop()
            out.station_log = sta.log_text()
            if hapd is not None:
                hapd.stop()
                out.hostapd_log = hapd.log_text()
            if sniffer is not None:
                out.frames = sniffer.stop()
    return out


def run_both(script: Sequence[Step], conf: str, **kw) -> dict[str, Transcript]:
    """The same script on wpa_supplicant and on pywps, each in its own lab, side by side."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {kind: pool.submit(run_script, kind, script, conf, **kw) for kind in KINDS}
        return {kind: f.result() for kind, f in futures.items()}


# -- comparison ----------------------------------------------------------------------------------------------

REPLY_CLASSES = ("NONE", "EMPTY", "OK", "FAIL", "FAIL-BUSY", "FAIL-*", "UNKNOWN COMMAND", "PONG", "VALUE")


def reply_class(reply: bytes | None) -> str:
    """One of REPLY_CLASSES: the reply's kind, as a client branches on it."""
    if reply is None:
        return "NONE"
    text = reply.decode("utf-8", "replace")
    for fixed in ("OK", "FAIL", "FAIL-BUSY", "UNKNOWN COMMAND", "PONG"):
        if text in (fixed, fixed + "\n"):
            return fixed
    if text == "":
        return "EMPTY"
    if re.fullmatch(r"FAIL-[A-Z-]+\n?", text):
        return "FAIL-*"
    return "VALUE"


def reply_keys(reply: bytes | None) -> list[str]:
    """The key names of a key=value reply, in order."""
    if not reply:
        return []
    return [line.split("=", 1)[0] for line in reply.decode("utf-8", "replace").splitlines() if "=" in line]


def reply_dict(reply: bytes | None) -> dict[str, str]:
    if not reply:
        return {}
    return dict(line.split("=", 1) for line in reply.decode("utf-8", "replace").splitlines() if "=" in line)


def same_status_keys(wpas: bytes | None, pywps: bytes | None) -> tuple[list[str], list[str]]:
    """(wpa_supplicant's keys, pywps's keys without the allowed extras)."""
    return reply_keys(wpas), [k for k in reply_keys(pywps) if k not in EXTRA_STATUS_KEYS]


def event_list(events: Iterable[Event], names: Iterable[str] | None = None) -> list[tuple[int | None, str]]:
    """(level, text) of the events, only those whose first word is in `names` when given."""
    wanted = set(names) if names is not None else None
    return [(e.level, e.text) for e in events if wanted is None or e.name in wanted]


def describe(reply: bytes | None) -> str:
    """A reply for a message or a table: its text with newlines shown, or (none)."""
    if reply is None:
        return "(no reply)"
    text = reply.decode("utf-8", "replace")
    return repr(text)[1:-1] if text else "(empty)"


# -- what hostapd saw: M1 as its -dd log parses it, and EAPOL frames on the AP's end --------------------------

# hostapd's log lines for M1's attributes (src/wps/wps_dev_attr.c, wps_attr_process.c, wps_registrar.c):
# the text before the value -> the attribute's name here.
M1_LOG_LINES = {
    "Enrollee MAC Address ": "MAC Address",
    "Enrollee Authentication Type flags ": "Authentication Type Flags",
    "Enrollee Encryption Type flags ": "Encryption Type Flags",
    "Enrollee Connection Type flags ": "Connection Type Flags",
    "Enrollee Config Methods ": "Config Methods",
    "Enrollee Wi-Fi Protected Setup State ": "Wi-Fi Protected Setup State",
    "Primary Device Type: ": "Primary Device Type",
    "Enrollee RF Bands ": "RF Bands",
    "Enrollee Association State ": "Association State",
    "Device Password ID ": "Device Password ID",
    "Enrollee Configuration Error ": "Configuration Error",
    "OS Version ": "OS Version",
    "Multi-AP extension value ": "Multi-AP Extension",
}


def m1_from_hostapd_log(log: str, nth: int = 0) -> dict[str, str]:
    """The nth M1 hostapd received, as its -dd log shows it: attribute name -> value text ("Config Methods" ->
    "0x3148 [Display] [NFC] [Keypad]", "OS Version" -> "80000000"); strings (Manufacturer, Device Name, ...)
    and UUID-E as the hex of their bytes ("20" for a single space). The nonce is left out (random per run)."""
    starts = [m.end() for m in re.finditer(r"^WPS: Received M1\n", log, re.M)]
    if len(starts) <= nth:
        return {}
    lines = log[starts[nth]:].splitlines()
    out: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].startswith(("WPS: ", "     ")):
        line = lines[i].removeprefix("WPS: ")
        i += 1
        if m := re.match(r"([A-Za-z][A-Za-z0-9 -]*?) - hexdump(?:_ascii)?\(len=\d+\):(.*)$", line):
            data = bytes.fromhex(m[2])
            while i < len(lines) and lines[i].startswith("     "):  # hexdump_ascii: 16 bytes per line
                data += bytes.fromhex(lines[i][5:5 + 16 * 3])
                i += 1
            out[m[1]] = data.hex()
            continue
        for prefix, name in M1_LOG_LINES.items():
            if line.startswith(prefix):
                out[name] = line[len(prefix):].strip()
    out.pop("Enrollee Nonce", None)
    return out


class EapolCapture:
    """Every EAPOL frame on an interface of a namespace (an AF_PACKET socket in a child process), for what
    hostapd's log does not show (the WFA vendor extension's sub-elements, Version2, Request to Enroll)."""

    _SNIFFER = (
        "import socket,sys\n"
        "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW,socket.htons(0x888e))\n"
        "s.bind((sys.argv[1],0))\n"
        "print('ready',flush=True)\n"
        "while True:\n"
        "    f,a=s.recvfrom(65536)\n"
        "    print(a[2],f.hex(),flush=True)\n"
    )

    def __init__(self, netns: str, ifname: str) -> None:
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", self._SNIFFER, ifname],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        self.frames: list[tuple[int, bytes]] = []  # (packet type: 0 to us, 4 outgoing, ...), the Ethernet frame

    def stop(self) -> list[tuple[int, bytes]]:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=5)
        for line in out.splitlines():
            kind, frame = line.split()
            self.frames.append((int(kind), bytes.fromhex(frame)))
        return self.frames


def wsc_messages(frames: Iterable[tuple[int, bytes]]) -> list[bytes]:
    """The WSC message bodies (unfragmented EAP-WSC WSC_MSG) carried in captured Ethernet frames, in order."""
    out = []
    for _, frame in frames:
        eapol = frame[14:]
        if len(eapol) < 4 or eapol[1] != 0:  # EAPOL-EAP packets only
            continue
        eap = eapol[4:4 + int.from_bytes(eapol[2:4], "big")]
        # EAP code, id, length, type 254 (expanded), vendor 00:37:2A, vendor type 1 (SimpleConfig), op, flags
        if len(eap) >= 14 and eap[4] == 254 and eap[5:8] == b"\x00\x37\x2a" and eap[8:12] == b"\0\0\0\1":
            op, flags = eap[12], eap[13]
            if op == 4 and not flags & 0x03:  # WSC_MSG, neither More Fragments nor Length Field
                out.append(eap[14:])
    return out


def wsc_attrs(body: bytes) -> list[tuple[int, bytes]]:
    """A WSC message's top-level TLVs (type, value), in order."""
    out, i = [], 0
    while i + 4 <= len(body):
        t, n = int.from_bytes(body[i:i + 2], "big"), int.from_bytes(body[i + 2:i + 4], "big")
        out.append((t, body[i + 4:i + 4 + n]))
        i += 4 + n
    return out


def wfa_subelements(body: bytes) -> dict[int, bytes]:
    """The WFA vendor extension's sub-elements (id -> value) of a WSC message (attribute 0x1049, Vendor ID
    00:37:2A): 0x00 Version2, 0x03 Request to Enroll, ..."""
    out: dict[int, bytes] = {}
    for t, value in wsc_attrs(body):
        if t == 0x1049 and value[:3] == b"\x00\x37\x2a":
            i = 3
            while i + 2 <= len(value):
                out[value[i]] = value[i + 2:i + 2 + value[i + 1]]
                i += 2 + value[i + 1]
    return out


def message_type(body: bytes) -> int | None:
    return next((v[0] for t, v in wsc_attrs(body) if t == 0x1022 and v), None)


# -- scenarios (issue 15): steps a script needs beyond run_script's, and many scenarios at once -------------


@dataclass(frozen=True)
class HapdRestart:
    """Stop the AP and start a fresh hostapd with these overrides (on top of the scenario's): its 802.1X
    quiet period holds the station's MAC for 60 s after a run, so a second run in one scenario needs one."""
    overrides: tuple[tuple[str, str], ...]

    def __init__(self, **overrides: str) -> None:
        object.__setattr__(self, "overrides", tuple(overrides.items()))


@dataclass(frozen=True)
class ConfSnapshot:
    """Record the station's config file as it is now (Scenario.conf_snapshots)."""


@dataclass(frozen=True)
class CliAction:
    """Start Debian `wpa_cli -a SCRIPT` against the station (in its namespace); the script appends its arguments
    to the lab file `action.log` (ScenarioTranscript.files_after["action.log"] once the run is over)."""


Scenario = Step | HapdRestart | ConfSnapshot | CliAction
LAST_REPLY = "@REPLY@"  # in a command or a Hapd argument: the text of the last station reply (a PIN it chose)
LAST_HAPD_REPLY = "@HAPD@"  # likewise the last hostapd_cli reply (an AP PIN it chose)
LAB_DIR = "@LAB@"  # in hostapd overrides: the lab's directory (files written from `files`)


@dataclass
class ScenarioTranscript(Transcript):
    hostapd_conf_after: str = ""  # the last hostapd's config file after it stopped (hostapd rewrites it)
    hostapd_logs: list[str] = field(default_factory=list)  # every hostapd's -dd log, in order
    conf_snapshots: list[str] = field(default_factory=list)
    files_after: dict[str, bytes] = field(default_factory=dict)  # the lab files after the run
    error: str = ""  # the scenario could not run (hostapd refused its config, ...): why

    def hapd(self, command: str, nth: int = 0) -> str:
        """hostapd_cli's reply to the nth Hapd step with exactly this text."""
        return [r for c, r in self.hapd_replies if c == command][nth]

    def event_texts(self) -> list[str]:
        return [e.text for e in self.events]


def run_scenario(kind: str, script: Sequence[Scenario], conf: str, *, hostapd: dict[str, str] | None = None,
                 files: dict[str, bytes] | None = None, settle: float = 0.3, sta_mac: str = STA_MAC,
                 capture: bool = False) -> ScenarioTranscript:
    """run_script with HapdRestart and ConfSnapshot steps, `@REPLY@` substitution, and `files` written into
    the lab directory before hostapd starts (`@LAB@/name` in an override names one)."""
    out = ScenarioTranscript(kind)
    last_reply = last_hapd = ""
    waited = 0  # index of the first event a Wait may match
    actions: list[subprocess.Popen] = []  # wpa_cli -a processes
    with WiredLab(sta_mac=sta_mac) as lab:
        for name, data in (files or {}).items():
            (lab.dir / name).write_bytes(data)

        def start(extra: dict[str, str]):
            settings = {k: v if v is None else v.replace(LAB_DIR, str(lab.dir)) for k, v in {**(hostapd or {}), **extra}.items()}
            return lab.hostapd(**settings)

        sniffer = EapolCapture(lab.ns_ap, "vap") if capture else None
        hapd = start({}) if hostapd is not None else None
        sta = Station(lab, kind, conf).wait_ready()
        mon = sta.monitor()
        try:
            for step in script:
                if isinstance(step, str | Request):
                    command, timeout = (step, None) if isinstance(step, str) else (step.command, step.timeout)
                    command = command.replace(LAST_REPLY, last_reply).replace(LAST_HAPD_REPLY, last_hapd)
                    reply = sta.normalize(sta.request(command, timeout))
                    out.replies.append((command, reply))
                    last_reply = (reply or b"").decode("utf-8", "replace").strip()
                elif isinstance(step, Wait):  # only events after the one the previous Wait matched
                    found = _wait_from(mon, step.pattern, step.timeout, waited)
                    out.waits.append((step.pattern, found is not None))
                    waited = found + 1 if found is not None else waited
                elif isinstance(step, Sleep):
                    time.sleep(step.seconds)
                elif isinstance(step, Hapd):
                    assert hapd is not None, "a Hapd step needs a hostapd"
                    args = tuple(a.replace(LAST_REPLY, last_reply).replace(LAST_HAPD_REPLY, last_hapd)
                                 for a in step.args)
                    out.hapd_replies.append((" ".join(args), hapd.cli(*args)))
                    last_hapd = out.hapd_replies[-1][1].strip()
                elif isinstance(step, HapdRestart):
                    assert hapd is not None
                    hapd.stop()
                    out.hostapd_logs.append(hapd.log_text())
                    hapd = start(dict(step.overrides))
                elif isinstance(step, ConfSnapshot):
                    out.conf_snapshots.append(sta.conf_now())
                elif isinstance(step, CliAction):
                    script = lab.dir / "action.sh"
                    script.write_text(f"#!/bin/sh\necho \"$@\" >> {lab.dir / 'action.log'}\n")
                    script.chmod(0o755)
                    actions.append(subprocess.Popen(
                        ["ip", "netns", "exec", lab.ns_sta, "wpa_cli", "-p", sta.ctrl_dir, "-i", "vsta", "-a",
                         str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    time.sleep(0.5)  # its ATTACH before the next step
            mon.poll(settle)
        finally:
            out.events = mon.events
            mon.close()
            out.conf_after = sta.conf_now()
            out.exit_code = sta.stop()
            for action in actions:  # wpa_cli ends when the daemon's socket goes away; make sure
                try:
                    action.wait(2)
                except subprocess.TimeoutExpired:
                    action.terminate()
                    action.wait(5)
            out.station_log = sta.log_text()
            if hapd is not None:
                hapd.stop()
                out.hostapd_logs.append(hapd.log_text())
                out.hostapd_log = out.hostapd_logs[-1]
                out.hostapd_conf_after = hapd.conf.read_text()
            if sniffer is not None:
                out.frames = sniffer.stop()
            out.files_after = {name: (lab.dir / name).read_bytes() for name in [*(files or {}), "action.log"]
                               if (lab.dir / name).exists()}
    return out


def _wait_from(mon: EventMonitor, pattern: str, timeout: float, start: int) -> int | None:
    """The index of the first event from `start` on whose text matches, waiting up to `timeout`."""
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        for i in range(start, len(mon.events)):
            if regex.search(mon.events[i].text):
                return i
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        mon.poll(min(remaining, 0.2))


def run_scenarios(specs: dict[str, dict], workers: int = 6) -> dict[str, dict[str, ScenarioTranscript]]:
    """Every scenario (name -> run_scenario keywords with `script` and `conf`) on both daemons, `workers`
    daemons at a time (each scenario is its own pair of labs, so they never meet)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {(name, kind): pool.submit(run_scenario, kind, spec["script"], spec["conf"],
                                             **{k: v for k, v in spec.items() if k not in ("script", "conf")})
                   for name, spec in specs.items() for kind in KINDS}
        out: dict[str, dict[str, ScenarioTranscript]] = {}
        for (name, kind), f in futures.items():
            try:
                out.setdefault(name, {})[kind] = f.result()
            except Exception as e:  # noqa: BLE001 - one broken scenario must not take the others with it
                out.setdefault(name, {})[kind] = ScenarioTranscript(kind, error=f"{type(e).__name__}: {e}")
        return out


def network_blocks(conf: str, drop: Iterable[str] = ("mesh_fwding=1", "pbss=2")) -> list[dict[str, str]]:
    """The network={...} blocks of a saved config as dicts, without the lines in `drop` (wpa_supplicant writes
    its mesh default and the WPS network's PBSS setting into every block; pywps has neither feature)."""
    out, block = [], None
    for line in conf.splitlines():
        if line == "network={":
            block = {}
        elif line == "}" and block is not None:
            out.append(block)
            block = None
        elif block is not None and "=" in line and line.strip() not in drop:
            key, value = line.strip().split("=", 1)
            block[key] = value
    return out
