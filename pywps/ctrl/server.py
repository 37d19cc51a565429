"""The wpa_ctrl datagram server: one AF_UNIX SOCK_DGRAM socket at `<ctrl dir>/<ifname>`.

Each request is one datagram and its reply goes to the sender's bound address (wpa_cli binds
/tmp/wpa_ctrl_<pid>-<n>). ATTACH makes the sender a monitor, which then gets events as `<level>TEXT`
datagrams. Sends never block: a monitor that stops reading or vanishes is dropped, as wpa_supplicant does
(ctrl_iface_unix.c drops a monitor after repeated send failures).
"""

from __future__ import annotations

import asyncio
import errno
import grp
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("pywps.ctrl")

MAX_REQUEST = 4096  # wpa_supplicant's CTRL_IFACE_MAX_LEN
MAX_MONITOR_ERRORS = 10
DEFAULT_MONITOR_LEVEL = 3  # MSG_INFO in wpa_supplicant 2.x: what it gives a new monitor
MAX_MONITORS = 64
SO_SNDBUFFORCE = 32  # <asm-generic/socket.h>; needs CAP_NET_ADMIN, else SO_SNDBUF (capped by wmem_max)
SEND_BUFFER = 1024 * 1024
MAX_PENDING = 32  # commands waiting at once (SCAN); more are answered FAIL rather than queued without bound


class CtrlSocketInUse(OSError):
    pass


@dataclass
class Monitor:
    address: str | bytes
    level: int = DEFAULT_MONITOR_LEVEL
    errors: int = 0


class CtrlServer:
    def __init__(self, path: str, group: str | None, handler: Callable[[str], str | Awaitable[str]]) -> None:
        self.path = path
        self.group = group
        self.handler = handler
        self.monitors: dict[str | bytes, Monitor] = {}
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[asyncio.Task] = set()

    @property
    def monitor_count(self) -> int:
        return len(self.monitors)

    async def start(self) -> None:
        directory = os.path.dirname(self.path)
        gid = grp.getgrnam(self.group).gr_gid if self.group else None
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o770)  # the umask applies, as in wpa_supplicant
        if gid is not None:
            os.chown(directory, -1, gid)
            os.chmod(directory, 0o770)
        if os.path.exists(self.path):
            if self._in_use():
                raise CtrlSocketInUse(
                    errno.EADDRINUSE,
                    f"control socket {self.path} exists and seems to be in use (another pywps or wpa_supplicant?)",
                )
            os.unlink(self.path)  # a leftover of a process that died
        self._gid = gid
        self._loop = asyncio.get_running_loop()
        self._open_socket()

    def _open_socket(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        # Datagrams queued at a monitor that does not read stay charged to OUR send buffer (the monitor is
        # connected to us, so the kernel applies no per-receiver limit): a large buffer absorbs slow readers.
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, SEND_BUFFER)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        sock.bind(self.path)
        os.chmod(self.path, 0o770)
        if self._gid is not None:
            os.chown(self.path, -1, self._gid)
        sock.setblocking(False)
        self._sock = sock
        self._loop.add_reader(sock.fileno(), self._on_readable)

    def _reopen_socket(self) -> None:
        """The send buffer is full of a stuck reader's datagrams: start over on a fresh socket, as
        wpa_supplicant does. Monitors were connected to the old socket, so they are all detached."""
        log.warning("control socket send buffer full (a monitor stopped reading): re-opening %s, "
                    "detaching %d monitor(s)", self.path, len(self.monitors))
        assert self._sock is not None and self._loop is not None
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        os.unlink(self.path)
        self.monitors.clear()
        self._open_socket()

    def _in_use(self) -> bool:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            probe.connect(self.path)
            return True
        except OSError:
            return False
        finally:
            probe.close()

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._sock is not None:
            if self._loop is not None:
                self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    # -- requests ---------------------------------------------------------------------------------------

    def _on_readable(self) -> None:
        assert self._sock is not None
        for _ in range(64):  # bounded per wake-up so a flood cannot starve the loop
            try:
                data, address = self._sock.recvfrom(MAX_REQUEST + 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log.warning("control socket receive failed: %s", e)
                return
            self._on_request(data, address)

    def _on_request(self, data: bytes, address) -> None:
        if not address:
            return  # an unbound sender cannot be answered
        if len(data) > MAX_REQUEST:
            self._reply(address, "FAIL\n")
            return
        text = data.decode("utf-8", "replace").rstrip("\n")
        if text == "ATTACH":
            if len(self.monitors) >= MAX_MONITORS and address not in self.monitors:
                self._reply(address, "FAIL\n")
                return
            self.monitors[address] = Monitor(address)
            self._reply(address, "OK\n")
        elif text == "DETACH":
            self._reply(address, "OK\n" if self.monitors.pop(address, None) else "FAIL\n")
        elif text.startswith("LEVEL "):
            monitor = self.monitors.get(address)
            level = text[6:].strip()
            if monitor is None or not level.isdigit():
                self._reply(address, "FAIL\n")
            else:
                monitor.level = int(level)
                self._reply(address, "OK\n")
        else:
            # the command's name only: its arguments may hold a key (SET_NETWORK 0 psk ...)
            log.debug("ctrl request %s", text.split(" ", 1)[0][:40])
            try:
                reply = self.handler(text)
            except Exception:  # the handler turns failures into FAIL itself; this is the last fence
                log.exception("control command failed")
                reply = "FAIL\n"
            if isinstance(reply, str):
                self._reply(address, reply)
            elif len(self._pending) >= MAX_PENDING:
                reply.close()
                self._reply(address, "FAIL\n")
            else:
                task = asyncio.ensure_future(self._await_reply(reply, address))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)

    async def _await_reply(self, pending: Awaitable[str], address) -> None:
        try:
            reply = await pending
        except Exception:
            log.exception("control command failed")
            reply = "FAIL\n"
        self._reply(address, reply)

    def _reply(self, address, reply: str) -> None:
        if self._sock is None:
            return
        try:
            self._sock.sendto(reply.encode("utf-8", "replace"), address)
        except (BlockingIOError, InterruptedError):
            self._reopen_socket()
        except OSError as e:  # the client went away: its loss, not ours
            log.debug("reply to %r not delivered: %s", address, e)

    # -- events -------------------------------------------------------------------------------------------

    def publish(self, level: int, text: str) -> None:
        if self._sock is None:
            return
        datagram = f"<{level}>{text}".encode("utf-8", "replace")
        buffer_full = False
        for address, monitor in list(self.monitors.items()):
            if level < monitor.level:
                continue
            try:
                self._sock.sendto(datagram, address)
                monitor.errors = 0
            except (ConnectionRefusedError, FileNotFoundError):
                self.monitors.pop(address, None)  # the monitor's socket is gone
            except OSError as e:
                monitor.errors += 1
                buffer_full |= isinstance(e, BlockingIOError) or e.errno == errno.ENOBUFS
                if monitor.errors > MAX_MONITOR_ERRORS:
                    log.info("dropping monitor %r after %d failed sends (%s)", address, monitor.errors, e)
                    self.monitors.pop(address, None)
        if buffer_full:
            self._reopen_socket()
