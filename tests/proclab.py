"""Daemons started from a command line, for the differential tests: Debian wpa_supplicant or pywps with the same
arguments on a wired lab's station end (`Run`, `both`), their control sockets (`ping`, `request`), a monitor's
events (`events_within`) and a /dev of the test's own whose `log` is a syslog socket the test reads (`Syslog`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from difflab import CtrlClient, EventMonitor, without_unsent
from netlab import WiredLab, pywps_conf, wait_for

WPAS, PYWPS = "wpa_supplicant", "pywps"
KINDS = (WPAS, PYWPS)
DEVICES = ("null", "zero", "random", "urandom", "full")  # what a /dev of the test's own needs (-B: /dev/null)


def program(kind: str) -> list[str]:
    return ["wpa_supplicant"] if kind == WPAS else [sys.executable, "-m", "pywps"]


def request(path: str, command: str, timeout: float = 5.0) -> str:
    """One request on a client of its own. difflab's clients all bind paths of one length, which matters to
    wpa_supplicant 2.10's -W wait: it keeps the address length of the first request it answers, so a later
    client with a longer path would never get its reply (pywps has no such limit)."""
    client = CtrlClient(path, timeout)
    try:
        reply = client.request(command)
    finally:
        client.close()
    if reply is None:
        raise TimeoutError(f"no reply to {command!r} from {path}")
    return reply.decode()


def ping(path: str) -> bool:
    """PONG from the control socket at `path` (no socket yet, or no answer: False)."""
    try:
        return request(path, "PING", timeout=1) == "PONG\n"
    except OSError:
        return False


def read_pidfile(path: Path) -> int | None:
    """The pid a pidfile holds now (None: no file, or not written whole yet)."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop(pid: int) -> None:
    if alive(pid):
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not alive(pid), 10, f"process {pid} to end")


class Syslog:
    """A /dev of the test's own with `log` as a datagram socket the test reads: the daemon runs in a private mount
    namespace where that directory is bind-mounted on /dev (no syslog daemon is touched or needed)."""

    def __init__(self, where: Path) -> None:
        self.dev = where / "dev"
        self.dev.mkdir()
        for name in DEVICES:
            (self.dev / name).touch()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.dev / "log"))
        self.sock.settimeout(0.05)
        self.lines: list[bytes] = []

    def wrap(self, argv: list[str]) -> list[str]:
        binds = " && ".join(f"mount --bind /dev/{name} {self.dev}/{name}" for name in DEVICES)
        script = f'{binds} && mount --rbind {self.dev} /dev && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *argv]

    def read(self) -> list[bytes]:
        while True:
            try:
                self.lines.append(self.sock.recv(65536))
            except TimeoutError:
                return self.lines

    def close(self) -> None:
        self.sock.close()


class Run:
    """One daemon started from `args` (with @DIR@ for its own directory, which is also its working directory)."""

    def __init__(self, lab: WiredLab, kind: str, args: list[str], conf: str, syslog: bool = False) -> None:
        self.kind = kind
        self.dir = Path(tempfile.mkdtemp(prefix=f"cli-{kind[:4]}-", dir=lab.dir))
        self.ctrl = str(self.dir / "ctrl")
        (self.dir / "sta.conf").write_text(conf.replace("@CTRL@", self.ctrl))
        self.socket = os.path.join(self.ctrl, "vsta")
        self.syslog = Syslog(self.dir) if syslog else None
        argv = ["ip", "netns", "exec", lab.ns_sta, *program(kind), *(a.replace("@DIR@", str(self.dir)) for a in args)]
        if self.syslog is not None:
            argv = self.syslog.wrap(argv)
        self.proc = subprocess.Popen(argv, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.pid: int | None = None

    def finish(self, timeout: float = 15) -> int:
        """The command's exit status (with -B: once the daemon is up or has failed)."""
        self.out, self.err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode

    def up(self, timeout: float = 10) -> bool:
        """The foreground daemon answers PING (True), or has exited (False)."""
        return wait_for(lambda: ping(self.socket) or (self.proc.poll() is not None and "exited"),
                        timeout, f"{self.kind} to answer or exit") is True

    def pidfile_pid(self) -> int | None:
        return read_pidfile(self.dir / "sta.pid")

    def background_pid(self) -> int:
        """The pid of the daemon -B left behind, from its pidfile: wpa_supplicant's child writes that file after
        the parent has returned (os_daemonize), pywps's before."""
        self.pid = wait_for(self.pidfile_pid, 5, f"{self.kind}'s pidfile", interval=0.01)
        return self.pid

    def close(self) -> None:
        for pid in (self.pid, self.pidfile_pid()):
            if pid is not None:
                stop(pid)
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if self.syslog is not None:
            self.syslog.close()


def both(lab: WiredLab, args: list[str], conf: str = pywps_conf(), **kw) -> dict[str, Run]:
    return {kind: Run(lab, kind, args, conf, **kw) for kind in KINDS}


def events_within(monitor: EventMonitor, seconds: float) -> list[tuple[int | None, str]]:
    """(level, text) of every event the monitor has got after `seconds` more, without those pywps does not
    send (difflab.EVENTS_NOT_SENT)."""
    time.sleep(seconds)
    monitor.poll()
    return without_unsent([(event.level, event.text) for event in monitor.events])
