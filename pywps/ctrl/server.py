"""The wpa_ctrl datagram server: one AF_UNIX SOCK_DGRAM socket at `<ctrl dir>/<ifname>`.

Each request is one datagram and its reply goes to the sender's bound address (wpa_cli binds
/tmp/wpa_ctrl_<pid>-<n>). ATTACH makes the sender a monitor, which then gets events as `<level>TEXT`
datagrams. Sends never block, and a monitor that stops reading is dropped on its own (see below).

Why a stuck monitor is hard to drop alone: wpa_cli connect()s its socket to ours, and a datagram queued at a
receiver is charged to the SENDER's send buffer; for a receiver connected to the sender the kernel also skips
its per-receiver queue limit (net.unix.max_dgram_qlen). So one monitor that never reads fills our send buffer,
and then sends to every monitor fail. wpa_supplicant answers by re-opening its socket, which cuts off every
monitor. We keep per-monitor accounting instead: how many events each monitor was sent since it was last seen
reading. Every CHECK_EVERY events (a little later, so a busy reader has caught up) we look at its receive queue
through sock_diag (NETLINK_SOCK_DIAG, the `ss -x` interface), which tells a datagram socket's queue apart only
as empty or not, with the length of the datagram at its head: an empty queue or a different head length is
progress and resets the count; a monitor whose queue kept the same head for `max_unread` events may have stopped
reading and is dropped alone once STRIKES quick looks in a row (half a second) found that same head: a reader
that is merely behind moves its head within that time. Its unread datagrams stay charged to us until it reads or
closes, so the per-monitor bound keeps a few stuck monitors well inside a large send buffer; re-opening the
socket stays as the last resort if the buffer fills anyway.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import grp
import logging
import os
import select
import socket
import struct
import termios
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("pywps.ctrl")

MAX_REQUEST = 4096  # wpa_supplicant's CTRL_IFACE_MAX_LEN
MAX_MONITOR_ERRORS = 10
DEFAULT_MONITOR_LEVEL = 3  # MSG_INFO in wpa_supplicant 2.x: what it gives a new monitor
MAX_MONITORS = 1024  # a bound on memory only; wpa_supplicant has none
SO_SNDBUFFORCE = 32  # <asm-generic/socket.h>; needs CAP_NET_ADMIN, else SO_SNDBUF (capped by wmem_max)
SEND_BUFFER = 8 * 1024 * 1024  # a ceiling, not an allocation: memory is charged only while datagrams queue
CHECK_EVERY = 32  # events sent to a monitor between looks at its receive queue (while it is not seen empty)
CHECK_DELAY = 0.2  # seconds between a monitor falling due and the look at its queue
RECHECK_DELAY = 0.05  # seconds between the looks at a suspect's queue
STRIKES = 10  # looks in a row without progress (0.5 s) that make a suspect stuck
MAX_UNREAD = 256  # events a monitor may leave unread before it is dropped (fewer with a small send buffer)
DATAGRAM_CHARGE = 1024  # what one small queued datagram costs our send buffer (skb truesize), roughly


# Requests the server answers itself, byte for byte as wpa_supplicant's ctrl_iface does, ahead of the command
# table: liveness checks (wpa_cli pings every few seconds, scripts in tight loops) cost one recvfrom + sendto.
FIXED_REPLIES: dict[bytes, bytes] = {b"PING": b"PONG\n", b"PING\n": b"PONG\n"}


class CtrlSocketInUse(OSError):
    pass


class CtrlGroupUnknown(OSError):
    """ctrl_interface GROUP= names no group and is not a number (wpa_supplicant refuses to start too)."""


def resolve_group(group: str) -> int:
    """A group name or a numeric gid, as wpa_supplicant's ctrl_iface_unix.c reads GROUP=: the name first."""
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        pass
    if group.isdigit():
        return int(group)
    raise CtrlGroupUnknown(errno.EINVAL, f"ctrl_interface GROUP={group}: no such group")


@dataclass
class Monitor:
    """An ATTACHed client: its event level and how far behind it reads (a monitor that stops reading is dropped)."""

    address: str | bytes
    level: int = DEFAULT_MONITOR_LEVEL
    errors: int = 0
    unread: int = 0  # events sent since it was last seen reading (its queue empty, or its head changed)
    head: int = 0  # the length of the datagram at the head of its queue, at the last look
    strikes: int = 0  # looks in a row, past max_unread, that found the same head


class CtrlServer:
    def __init__(self, path: str, group: str | None, handler: Callable[[str], str | Awaitable[str]]) -> None:
        self.path = path
        self.group = group
        self.handler = handler
        self.monitors: dict[str | bytes, Monitor] = {}
        self.max_unread = MAX_UNREAD
        self._due: set[str | bytes] = set()  # monitors whose receive queue is to be looked at
        self._check_timer: asyncio.TimerHandle | None = None
        self._diag_ok = True  # sock_diag answered (it may be missing: then only the re-open protects us)
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # The request whose reply waits on I/O (SAVE_CONFIG's write, a kernel's answer): the socket is not read
        # meanwhile, so what comes after it is answered after it, in order, as wpa_supplicant's loop, blocked in
        # that I/O, answers it. A client that sends several requests before it reads takes the replies in order.
        self._answering: asyncio.Task | None = None
        self._first_monitor: asyncio.Future[None] | None = None  # -W: waiting for it

    @property
    def monitor_count(self) -> int:
        return len(self.monitors)

    async def start(self) -> None:
        directory = os.path.dirname(self.path)
        gid = resolve_group(self.group) if self.group else None
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
        self._inode = os.fstat(sock.fileno()).st_ino
        self._send_budget = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        # A stuck monitor may hold up to an eighth of the buffer; a small buffer (no CAP_NET_ADMIN, a low
        # wmem_max) gets a lower bound, never below what a healthy monitor can fall behind in a burst.
        self.max_unread = max(2 * CHECK_EVERY, min(MAX_UNREAD, self._send_budget // (8 * DATAGRAM_CHARGE)))
        self._poll = select.poll()  # "is another request there?" without the exception of an empty read
        self._poll.register(sock.fileno(), select.POLLIN)
        self._reading_on = True  # the last read-on found a request
        if self._answering is None:
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

    async def first_monitor(self) -> None:
        """-W: until a client ATTACHes, answer every other request FAIL (PING too), as wpa_supplicant's
        wpa_supplicant_ctrl_iface_wait does before its event loop runs; that ATTACH is an ordinary monitor."""
        assert self._loop is not None
        self._first_monitor = waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._first_monitor = None

    def _on_readable_waiting(self, sock: socket.socket) -> None:
        try:
            data, address = sock.recvfrom(MAX_REQUEST + 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            log.warning("control socket receive failed: %s", e)
            return
        if data != b"ATTACH" or not address:
            if address:
                self._reply(address, "FAIL\n")
            return
        self._on_request(data, address)
        waiter, self._first_monitor = self._first_monitor, None  # the next request is served as usual
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def close(self) -> None:
        if self._answering is not None:
            self._answering.cancel()
        if self._check_timer is not None:
            self._check_timer.cancel()
            self._check_timer = None
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
        sock = self._sock
        assert sock is not None
        if self._first_monitor is not None:
            self._on_readable_waiting(sock)
            return
        recvfrom, sendto, fixed_replies, poll = sock.recvfrom, sock.sendto, FIXED_REPLIES, self._poll.poll
        logged = log.isEnabledFor(logging.DEBUG)  # -d: every request's name, PING too (clients' polls show)
        # Read on after each request: a client in a request loop has often sent its next one by then (most
        # PINGs of a tight loop are answered so), which is cheaper to take now than after another trip through
        # the selector. Bounded, so a flood cannot starve the rest of the loop. A read that finds the socket
        # empty raises BlockingIOError, a fifth of the instructions of a PING that came through the selector
        # (callgrind: 34.6k of them with it, 28.4k without): once one has, poll() asks first (no exception)
        # until reading on pays again, so a client that is not that quick costs no exception per request.
        for i in range(64):
            if i and not self._reading_on and not poll(0):
                return
            try:
                data, address = recvfrom(MAX_REQUEST + 1)
            except (BlockingIOError, InterruptedError):
                self._reading_on = False
                return
            except OSError as e:
                log.warning("control socket receive failed: %s", e)
                return
            if i:
                self._reading_on = True
            fixed = fixed_replies.get(data)
            if fixed is not None and address:  # PING: nothing to decode, dispatch or encode
                if logged:
                    log.debug("ctrl request PING")
                try:
                    sendto(fixed, address)
                except OSError:
                    self._reply(address, fixed.decode())  # the slow path knows what to do about it
                continue
            self._on_request(data, address)
            if self._sock is not sock or self._answering is not None:
                return  # a reply re-opened the socket (this one is closed), or the next waits for this one's

    def _on_request(self, data: bytes, address) -> None:
        if not address:
            return  # an unbound sender cannot be answered
        if len(data) > MAX_REQUEST:
            self._reply(address, "FAIL\n")
            return
        # bytes that are not UTF-8 travel as surrogates to the config and back out unchanged (wpa_supplicant
        # stores, answers and saves a command's raw bytes: tests/test_diff_config.py's non-UTF-8 case)
        text = data.decode("utf-8", "surrogateescape").rstrip("\n")
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
            # the command's name only: its arguments may hold a key (SET_NETWORK 0 psk ..., CTRL-RSP-PASSWORD-1:...)
            log.debug("ctrl request %s", text.split(" ", 1)[0].split(":", 1)[0][:40])
            try:
                reply = self.handler(text)
            except Exception:  # the handler turns failures into FAIL itself; this is the last fence
                log.exception("control command failed")
                reply = "FAIL\n"
            if isinstance(reply, str):
                self._reply(address, reply)
            else:
                assert self._loop is not None and self._sock is not None
                self._answering = asyncio.ensure_future(self._await_reply(reply, address))
                self._answering.add_done_callback(self._answered)
                self._loop.remove_reader(self._sock.fileno())

    async def _await_reply(self, pending: Awaitable[str], address) -> None:
        try:
            reply = await pending
        except Exception:
            log.exception("control command failed")
            reply = "FAIL\n"
        self._reply(address, reply)

    def _answered(self, task: asyncio.Task) -> None:
        """The waiting reply went: the requests queued behind it are read now."""
        self._answering = None
        if self._sock is not None and self._loop is not None:
            self._loop.add_reader(self._sock.fileno(), self._on_readable)

    def _reply(self, address, reply: str) -> None:
        if self._sock is None:
            return
        try:
            self._sock.sendto(reply_bytes(reply), address)
        except (BlockingIOError, InterruptedError):
            # Our buffer is full (stuck monitors), or this client is not connected to us and has left its
            # own queue full: only the first is ours to fix.
            if self._outq() >= self._send_budget // 2:
                self._reopen_socket()
        except OSError as e:  # the client went away: its loss, not ours
            log.debug("reply to %r not delivered: %s", address, e)

    # -- events -------------------------------------------------------------------------------------------

    def publish(self, level: int, text: str) -> None:
        sock = self._sock
        if sock is None:
            return
        datagram = f"<{level}>{text}".encode("utf-8", "replace")
        sendto = sock.sendto
        buffer_full = False
        for address, monitor in list(self.monitors.items()):
            if level < monitor.level:
                continue
            try:
                sendto(datagram, address)
            except (ConnectionRefusedError, FileNotFoundError):
                self.monitors.pop(address, None)  # the monitor's socket is gone
                continue
            except OSError as e:
                monitor.errors += 1
                if isinstance(e, BlockingIOError) or e.errno == errno.ENOBUFS:
                    # Our buffer is full, or (a monitor not connected to us) its own queue limit is hit.
                    buffer_full |= self._outq() >= self._send_budget // 2
                if monitor.errors > MAX_MONITOR_ERRORS:
                    log.info("dropping monitor %r after %d failed sends (%s)", address, monitor.errors, e)
                    self.monitors.pop(address, None)
                continue
            monitor.errors = 0
            monitor.unread += 1
            if monitor.unread % CHECK_EVERY == 0 and self._diag_ok:
                self._due.add(address)
        if self._due and self._check_timer is None and self._loop is not None:
            # Later, not now: right after a send every monitor's queue holds that event. A reader that is
            # merely busy has drained by then; a stuck one has not, at any of its checks.
            self._check_timer = self._loop.call_later(CHECK_DELAY, self._check_queues)
        if buffer_full:
            self._reopen_socket()

    # -- per-monitor accounting ------------------------------------------------------------------------------

    def _outq(self) -> int:
        """Bytes charged to our send buffer: datagrams still queued at their receivers."""
        try:
            return struct.unpack("i", fcntl.ioctl(self._sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        except OSError:
            return 0

    def _check_queues(self) -> None:
        """Look at the receive queues of the monitors due: reset the count of those seen empty, drop those
        whose queue stayed non-empty for max_unread events."""
        self._check_timer = None
        monitors = [m for a in self._due if (m := self.monitors.get(a)) is not None]
        self._due.clear()
        if not monitors or self._sock is None:
            return
        try:
            queues = unix_peer_queues(self._inode)
        except OSError as e:
            log.info("sock_diag unavailable (%s): a monitor that stops reading will cost every monitor", e)
            self._diag_ok = False
            return
        suspects = False
        for monitor in monitors:
            head = queues.get(_diag_name(monitor.address))
            if not head or head != monitor.head:
                # Empty; or the datagram at the head of its queue changed (it reads, if slowly); or it is not
                # connected to us (the kernel's per-receiver limit then bounds what it holds, and failed
                # sends drop it); or it is gone (the next send says so). No reason to drop it.
                monitor.unread = monitor.strikes = 0
                monitor.head = head or 0
            elif monitor.unread >= self.max_unread:
                # The same head again: maybe stuck, maybe a reader behind on events of one length. Look again
                # soon; only a head that does not move through STRIKES looks means it stopped reading.
                monitor.strikes += 1
                if monitor.strikes >= STRIKES:
                    log.warning("dropping monitor %r: %d events unread (it stopped reading)", monitor.address,
                                monitor.unread)
                    self.monitors.pop(monitor.address, None)
                else:
                    self._due.add(monitor.address)
                    suspects = True
        if suspects and self._check_timer is None and self._loop is not None:
            self._check_timer = self._loop.call_later(RECHECK_DELAY, self._check_queues)


def reply_bytes(reply: str) -> bytes:
    """A reply on the wire: a request's own bytes as they came (surrogateescape); any other character UTF-8
    cannot carry is replaced."""
    try:
        return reply.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return reply.encode("utf-8", "replace")


def _diag_name(address: str | bytes) -> bytes:
    """A socket address as sock_diag's UNIX_DIAG_NAME carries it (paths without their trailing NUL)."""
    return address.encode() if isinstance(address, str) else address


# -- sock_diag (linux/unix_diag.h): the receive queues of the sockets connected to ours ------------------------

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
UDIAG_SHOW_NAME, UDIAG_SHOW_PEER, UDIAG_SHOW_RQLEN = 0x1, 0x4, 0x10
UNIX_DIAG_NAME, UNIX_DIAG_PEER, UNIX_DIAG_RQLEN = 0, 2, 4
_NLMSGHDR = struct.Struct("=IHHII")
_NLATTR = struct.Struct("=HH")


def unix_peer_queues(inode: int) -> dict[bytes, int]:
    """{bound name: receive-queue figure} of every AF_UNIX socket connected to the socket `inode`.

    For a datagram socket the kernel reports the length of the FIRST queued datagram (unix_inq_len), so the
    figure says only "empty" (0) or "something waits"; the count of unread events is ours to keep.
    """
    request = struct.pack("=BBHIIIII", socket.AF_UNIX, 0, 0, 0xFFFFFFFF, 0,
                          UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN, 0xFFFFFFFF, 0xFFFFFFFF)
    header = _NLMSGHDR.pack(_NLMSGHDR.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    result: dict[bytes, int] = {}
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as nl:
        nl.settimeout(1.0)
        nl.sendto(header + request, (0, 0))
        while True:
            data = nl.recv(1 << 16)
            offset = 0
            while offset + _NLMSGHDR.size <= len(data):
                length, kind, _flags, _seq, _pid = _NLMSGHDR.unpack_from(data, offset)
                if kind == NLMSG_DONE:
                    return result
                if kind == NLMSG_ERROR:
                    code = -struct.unpack_from("=i", data, offset + _NLMSGHDR.size)[0]
                    raise OSError(code, f"sock_diag: {os.strerror(code)}")
                name = peer = queued = None
                pos, end = offset + _NLMSGHDR.size + 16, offset + length  # after struct unix_diag_msg
                while pos + 4 <= end:
                    alen, atype = _NLATTR.unpack_from(data, pos)
                    if alen < 4:
                        break
                    value = data[pos + 4 : pos + alen]
                    if atype == UNIX_DIAG_NAME:
                        name = value.rstrip(b"\0") if not value.startswith(b"\0") else value
                    elif atype == UNIX_DIAG_PEER:
                        peer = struct.unpack("=I", value)[0]
                    elif atype == UNIX_DIAG_RQLEN:
                        queued = struct.unpack_from("=I", value)[0]
                    pos += (alen + 3) & ~3
                if peer == inode and name is not None and queued is not None:
                    result[name] = queued
                offset += (length + 3) & ~3
