"""The control socket under load, side by side with wpa_supplicant where it can be compared, in one run:

- PING round trips per second from one Python client: pywps -D wired and Debian wpa_supplicant -Dwired on the
  same veth (tests/netlab.py's lab) and the floor of any asyncio daemon (a reader callback on the loop that
  answers PONG, `serve_floor`), interleaved rounds, median;
- event fan-out: N monitors (default 200) attached to pywps's control server (the real CtrlServer in its own
  process, publishing on request); time from the request to the event's arrival at the LAST monitor, p50/p99;
- a monitor that never reads, among N readers: how many events until it is dropped, and whether every other
  monitor still received every event; the same against wpa_supplicant (events from WPS_PIN/WPS_CANCEL pairs).

    sudo .venv/bin/python bench/ctrl.py [--monitors 200] [--events 500] [--stuck-events 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
sys.path.insert(0, str(ROOT / "bench"))


# -- the server side: the real CtrlServer in a process of its own -------------------------------------------


def serve(path: str) -> None:
    """`EVENT <n> [k]` publishes k events `TEST-EVENT <n>.<i>`; `COUNT` answers the number of monitors."""
    from pywps.ctrl.server import DEFAULT_MONITOR_LEVEL, CtrlServer

    async def main() -> None:
        server: CtrlServer

        def handler(text: str) -> str:
            if text.startswith("EVENT "):
                parts = text.split()
                for i in range(int(parts[2]) if len(parts) > 2 else 1):
                    server.publish(DEFAULT_MONITOR_LEVEL, f"TEST-EVENT {parts[1]}.{i}")
                return "OK\n"
            if text == "COUNT":
                return f"{server.monitor_count}\n"
            if text == "PING":
                return "PONG\n"
            return "UNKNOWN COMMAND\n"

        server = CtrlServer(path, None, handler)
        await server.start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_floor(path: str) -> None:
    """The floor of any asyncio daemon's PING: a reader callback on the loop that takes the datagram and sends
    PONG to its sender, nothing else (no command parsing, no read-on, no logging)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)

    def answer() -> None:
        _, sender = sock.recvfrom(4096)
        sock.sendto(b"PONG\n", sender)

    async def main() -> None:
        asyncio.get_running_loop().add_reader(sock.fileno(), answer)
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


class Client:
    def __init__(self, path: str, attach: bool = False) -> None:
        self.local = tempfile.mktemp(prefix="bctl-", dir="/tmp")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.local)
        self.sock.connect(path)
        self.sock.settimeout(5)
        self.attached = False
        if attach:
            if self.request("ATTACH") != "OK\n":
                self.close()
                raise RuntimeError("ATTACH refused")
            self.attached = True

    def request(self, text: str) -> str:
        self.sock.send(text.encode())
        while True:
            reply = self.sock.recv(4096).decode()
            if not reply.startswith("<"):  # an event that arrived before the reply
                return reply

    def close(self) -> None:
        if self.attached:
            try:
                self.sock.setblocking(True)
                self.sock.settimeout(0.2)
                self.sock.send(b"DETACH")
            except OSError:
                pass
        self.sock.close()
        os.unlink(self.local)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fan_out(path: str, monitors: int, events: int) -> tuple[float, float, bool, int]:
    """p50 and p99 (ms) from the request to the event at the last monitor; whether all got every event; how
    many monitors could attach."""
    clients = []
    for _ in range(monitors):
        try:
            clients.append(Client(path, attach=True))
        except RuntimeError:
            break
    control = Client(path)
    last = clients[-1].sock
    latencies = []
    complete = True
    try:
        for n in range(events):
            t0 = time.perf_counter()
            control.sock.send(f"EVENT {n}".encode())
            data = last.recv(256)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert data.endswith(f">TEST-EVENT {n}.0".encode()), data
            assert control.sock.recv(64) == b"OK\n"
            for c in clients[:-1]:
                complete &= c.sock.recv(256) == data
    finally:
        for c in (*clients, control):
            c.close()
    return percentile(latencies, 50), percentile(latencies, 99), complete, len(clients)


def stuck_monitor(path: str, readers: int, events: int, trigger) -> str:
    """Attach `readers` monitors that read and one that never does; publish about `events` events (in batches
    from `trigger`, which returns how many it published). Says what became of the stuck one and the readers."""
    stuck = Client(path, attach=True)
    clients = [Client(path, attach=True) for _ in range(readers)]
    for c in clients:
        c.sock.setblocking(False)
    received = [0] * readers
    sent = 0
    reopened = False

    def drain(i: int, c: Client, until: int, seconds: float) -> None:
        if i in lost:  # it missed events already: wait for it no more
            seconds = 0.0
        deadline = time.monotonic() + seconds
        while received[i] < until and time.monotonic() < deadline:
            try:
                c.sock.recv(512)
                received[i] += 1
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError:
                return
        if received[i] < until and until < 1 << 30:
            lost.add(i)

    lost: set[int] = set()
    try:
        while sent < events:
            try:
                sent += trigger()
            except OSError:  # the daemon re-opened its socket: every client of the old one is cut off
                reopened = True
                break
            for i, c in enumerate(clients):
                drain(i, c, sent, 2)
        missed = sum(1 for r in received if r < sent)
        time.sleep(1.0)  # the daemon decides about a stuck monitor a little after the fact
        # The stuck monitor's queue holds what it was sent before it was dropped.
        stuck.sock.setblocking(False)
        queued = 0
        while True:
            try:
                stuck.sock.recv(512)
                queued += 1
            except OSError:
                break
        # Are the readers still attached? One more batch, through a fresh client if the socket was re-opened.
        for i, c in enumerate(clients):
            drain(i, c, 1 << 30, 0.05)
        before = list(received)
        lost.clear()
        try:
            extra = trigger()
        except OSError:
            extra = 0
        for i, c in enumerate(clients):
            drain(i, c, before[i] + max(extra, 1), 1)
        still = sum(1 for i in range(readers) if received[i] > before[i])
        stuck_text = (f"the socket was re-opened after about {queued} events" if reopened
                      else f"dropped after {queued} events" if queued < sent else "never dropped")
        return (f"stuck monitor {stuck_text}; readers that missed events: {missed}/{readers}; "
                f"readers still receiving afterwards: {still}/{readers}")
    finally:
        for c in (stuck, *clients):
            c.close()


# -- the benchmark ---------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (robust where wall-clock rates suffer from a shared machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ping_rate(path: str, pid: int, seconds: float) -> tuple[float, float]:
    """Round trips per second, and the daemon's CPU microseconds per round trip."""
    c = Client(path)
    try:
        n, t0, cpu0 = 0, time.perf_counter(), cpu_seconds(pid)
        sock = c.sock
        while time.perf_counter() - t0 < seconds:
            sock.send(b"PING")
            sock.recv(64)
            n += 1
        return n / (time.perf_counter() - t0), (cpu_seconds(pid) - cpu0) / n * 1e6
    finally:
        c.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="the control socket under load")
    parser.add_argument("--monitors", type=int, default=200)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--stuck-events", type=int, default=3000)
    parser.add_argument("--ping-rounds", type=int, default=5)
    parser.add_argument("--daemon-events", type=int, default=400)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--serve-floor", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.serve_floor:
        serve_floor(args.serve_floor)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bctl-", dir="/tmp"))
    path = str(workdir / "ctrl" / "bench0")
    server = subprocess.Popen([sys.executable, __file__, "--serve", path], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert server.stdout.readline().strip() == "ready"
        p50, p99, complete, attached = fan_out(path, args.monitors, args.events)
        print(f"event fan-out to {attached} monitors ({args.monitors} asked) (CtrlServer): last monitor p50 {p50:.2f} ms, "
              f"p99 {p99:.2f} ms (goal <= 5 / <= 20); every monitor got every event: {complete}")
        batch = 10

        def trigger() -> int:
            time.sleep(0.005)  # a busy daemon's pace, not a flood: ~2,000 events/s
            try:
                trigger.client.request(f"EVENT {trigger.n} {batch}")
            except OSError:  # cut off by a socket re-open: ask again on a fresh client, then report it
                trigger.client.close()
                trigger.client = Client(path)
                raise
            trigger.n += 1
            return batch

        trigger.client, trigger.n = Client(path), 0
        result = stuck_monitor(path, 20, args.stuck_events, trigger)
        trigger.client.close()
        print(f"a monitor that never reads, among 20 readers, {args.stuck_events} events (CtrlServer): {result}")
    finally:
        server.terminate()
        server.wait(5)

    try:
        from netlab import WiredLab, lab_skip_reason
        from wired import Daemon
    except ImportError as e:  # pragma: no cover
        print(f"wired lab unavailable: {e}")
        return
    if reason := lab_skip_reason():
        print(f"PING against wpa_supplicant skipped: {reason}")
        return
    kinds = ("pywps", "wpa_supplicant", "floor")
    rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    floor_path = str(workdir / "floor")
    floor = subprocess.Popen([sys.executable, __file__, "--serve-floor", floor_path], stdout=subprocess.PIPE,
                             text=True)
    with WiredLab() as lab:
        daemons = {kind: Daemon(lab, kind) for kind in ("pywps", "wpa_supplicant")}
        try:
            assert floor.stdout.readline().strip() == "ready"
            targets = {kind: (d.path, d.proc.pid) for kind, d in daemons.items()} | {"floor": (floor_path, floor.pid)}
            for i in range(args.ping_rounds):
                for kind in (kinds if i % 2 == 0 else kinds[::-1]):  # interleaved, so load hits all alike
                    rate, per_ping = ping_rate(*targets[kind], 2.0)
                    rates[kind].append(rate)
                    cpu[kind].append(per_ping)

            def wps_pair() -> int:  # each pair publishes two events on both daemons
                wps_pair.client.request("WPS_PIN any 12345670")
                wps_pair.client.request("WPS_CANCEL")
                return 2

            for kind, daemon in daemons.items():
                wps_pair.client = Client(daemon.path)
                result = stuck_monitor(daemon.path, 20, args.daemon_events, wps_pair)
                wps_pair.client.close()
                print(f"a monitor that never reads, among 20 readers, {args.daemon_events} events ({kind}): {result}")
        finally:
            for d in daemons.values():
                d.stop()
            floor.terminate()
            floor.wait(5)
    if not args.ping_rounds:
        return
    ours, theirs, least = (statistics.median(rates[kind]) for kind in kinds)
    ours_cpu, theirs_cpu, least_cpu = (statistics.median(cpu[kind]) for kind in kinds)
    print(f"daemon CPU per PING round trip, median of {args.ping_rounds}: pywps {ours_cpu:.1f} us, "
          f"wpa_supplicant {theirs_cpu:.1f} us, ratio {ours_cpu / theirs_cpu:.2f}x; asyncio floor {least_cpu:.1f} us")
    print(f"PING round trips per second, one client, median of {args.ping_rounds}: pywps {ours:,.0f}, "
          f"wpa_supplicant {theirs:,.0f}, ratio {ours / theirs:.2f}x (goal >= 1.0x); the asyncio floor (a reader "
          f"callback that answers PONG) {least:,.0f}: {least / theirs:.2f}x wpa_supplicant's, pywps at "
          f"{ours / least:.2f}x of it")


if __name__ == "__main__":
    main()
