"""The kernel's view of a station's link, kept and watched as wpa_supplicant does: IFF_UP (brought up at the
start when it was down, down again at the stop; others taking it down disable the interface until it is up
again), the radio's rfkill switch (released: up again) and the RFC 2863 operational state (DORMANT while
associated with the port closed, UP once it is open), which DHCP clients and network managers wait on: the
kernel reports IFF_RUNNING, the "carrier" they watch, only in operstate UP.

By hand on purpose: an ioctl, two fixed-layout netlink messages and the 8-byte rfkill event. pyroute2's rtnetlink
classes would cost more to import than the rest of the daemon's radio start (its ifinfmsg module: 77M
instructions, a third of `import asyncio`), and the link's notifications are read for two header fields, never
their attributes.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import socket
import struct
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path

log = logging.getLogger("pywps.driver")

SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCSIFHWADDR = 0x8913, 0x8914, 0x8924
ARPHRD_ETHER = 1
IFF_UP, IFF_RUNNING = 0x1, 0x40
IFF_LOWER_UP, IFF_DORMANT = 0x10000, 0x20000
_IFREQ_FLAGS = struct.Struct("16sH22x")  # struct ifreq (40 bytes): the name, then ifr_flags in its union
_IFREQ_HWADDR = struct.Struct("16sH14s8x")  # the name, then ifr_hwaddr: a struct sockaddr (family, data)

NETLINK_ROUTE, RTMGRP_LINK = 0, 1
NLMSG_ERROR, RTM_NEWLINK, RTM_SETLINK = 2, 16, 19
NLM_F_REQUEST = 1
IFLA_OPERSTATE, IFLA_LINKMODE = 16, 17
_NLMSGHDR = struct.Struct("=IHHII")  # length, type, flags, sequence, port
_IFINFOMSG = struct.Struct("=BxHiII")  # family, type, index, flags, change
_U8_ATTR = struct.Struct("=HHB3x")  # an rtattr holding one byte, padded to 4


class LinkMode(IntEnum):
    DEFAULT = 0
    DORMANT = 1  # the kernel's carrier makes the link DORMANT, not UP: userspace says when it is UP


class OperState(IntEnum):
    DORMANT = 5
    UP = 6


def interface_is_up(ifname: str) -> bool:
    try:
        flags = int(Path(f"/sys/class/net/{ifname}/flags").read_text().strip(), 16)
    except (FileNotFoundError, ValueError):
        return False
    return bool(flags & IFF_UP)


def set_interface_up(ifname: str, up: bool) -> None:
    """Set or clear IFF_UP with SIOCSIFFLAGS, as wpa_supplicant's linux_set_iface_flags does. OSError says why
    not: ERFKILL for a blocked radio, ENODEV, EPERM."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        name = ifname.encode()
        _, flags = _IFREQ_FLAGS.unpack(fcntl.ioctl(sock, SIOCGIFFLAGS, _IFREQ_FLAGS.pack(name, 0)))
        flags = flags | IFF_UP if up else flags & ~IFF_UP
        fcntl.ioctl(sock, SIOCSIFFLAGS, _IFREQ_FLAGS.pack(name, flags))


def set_hw_address(ifname: str, addr: bytes) -> None:
    """SIOCSIFHWADDR, as wpa_supplicant's linux_set_ifhwaddr; the interface must be down (else EBUSY)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCSIFHWADDR, _IFREQ_HWADDR.pack(ifname.encode(), ARPHRD_ETHER, addr))


def put_down_again(ifname: str) -> None:
    """Down again at the stop, as the driver found it at its start (wpa_supplicant's drivers do the same); a
    link gone by now is no error."""
    try:
        set_interface_up(ifname, False)
    except OSError as e:
        log.debug("cannot bring %s down again: %s", ifname, e.strerror)


def setlink_request(ifindex: int, mode: LinkMode | None, state: OperState, seq: int) -> bytes:
    """RTM_SETLINK with IFLA_LINKMODE (unless None) and IFLA_OPERSTATE, no acknowledgement asked (the kernel
    still answers an error): wpa_supplicant's netlink_send_oper_ifla."""
    attrs = b"" if mode is None else _U8_ATTR.pack(5, IFLA_LINKMODE, mode)
    attrs += _U8_ATTR.pack(5, IFLA_OPERSTATE, state)
    body = _IFINFOMSG.pack(socket.AF_UNSPEC, 0, ifindex, 0, 0) + attrs
    return _NLMSGHDR.pack(_NLMSGHDR.size + len(body), RTM_SETLINK, NLM_F_REQUEST, seq, 0) + body


def link_flags(data: bytes, ifindex: int) -> list[int]:
    """The ifi_flags of every RTM_NEWLINK for `ifindex` in a datagram of netlink messages; errors the kernel
    answered to our requests are logged."""
    found = []
    at = 0
    while at + _NLMSGHDR.size <= len(data):
        length, kind = _NLMSGHDR.unpack_from(data, at)[:2]
        if length < _NLMSGHDR.size or at + length > len(data):
            break  # truncated: the rest of the datagram cannot be read
        body = at + _NLMSGHDR.size
        if kind == RTM_NEWLINK and length >= _NLMSGHDR.size + _IFINFOMSG.size:
            _, _, index, flags, _ = _IFINFOMSG.unpack_from(data, body)
            if index == ifindex:
                found.append(flags)
        elif kind == NLMSG_ERROR and length >= _NLMSGHDR.size + 4:
            (code,) = struct.unpack_from("=i", data, body)
            if code:
                log.debug("netlink: setting the operstate failed: %s (assuming it is not supported)",
                          os.strerror(-code))
        at += (length + 3) & ~3
    return found


class KernelLink:
    """The interface as the kernel shows it while the driver runs, kept and watched as wpa_supplicant does:
    its RFC 2863 operstate (link mode DORMANT from open() to close(), then the kernel's default again, and UP;
    UP between set_operstate(True) and set_operstate(False)), and its up flag as others change it
    (`on_up_changed`: `ip link set down`, or an rfkill block, which takes a radio's interfaces down). A failure
    is logged, never raised: as for wpa_supplicant, a kernel that refuses is a kernel without operstate."""

    def __init__(self, ifindex: int, ifname: str, on_up_changed: Callable[[bool], None]) -> None:
        self.ifindex = ifindex
        self.ifname = ifname
        self.on_up_changed = on_up_changed
        self.is_up = False
        self.operational = False
        self._sock: socket.socket | None = None
        self._seq = 0

    def open(self) -> None:
        self.is_up = interface_is_up(self.ifname)
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC,
                                 NETLINK_ROUTE)
            sock.bind((0, RTMGRP_LINK))
        except OSError as e:
            log.debug("netlink: no route socket for the link's state: %s", e.strerror)
            return
        self._sock = sock
        asyncio.get_running_loop().add_reader(sock.fileno(), self._read)
        self._send(LinkMode.DORMANT, OperState.DORMANT)

    def set_operstate(self, up: bool) -> None:
        self.operational = up
        self._send(None, OperState.UP if up else OperState.DORMANT)

    def close(self) -> None:
        if self._sock is None:
            return
        self._send(LinkMode.DEFAULT, OperState.UP)
        asyncio.get_running_loop().remove_reader(self._sock.fileno())
        self._sock.close()
        self._sock = None

    def _send(self, mode: LinkMode | None, state: OperState) -> None:
        if self._sock is None:
            return
        self._seq += 1
        log.debug("netlink: operstate: ifindex=%d linkmode=%s, operstate=%s", self.ifindex,
                  "unchanged" if mode is None else mode.name, state.name)
        try:
            self._sock.send(setlink_request(self.ifindex, mode, state, self._seq))
        except OSError as e:
            log.debug("netlink: sending the operstate failed: %s", e.strerror)

    def _read(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError as e:
                if e.errno == errno.ENOBUFS:  # notifications lost while we were busy: the next ones still tell
                    continue
                log.debug("netlink: route socket: %s", e.strerror)
                return
            for flags in link_flags(data, self.ifindex):
                self._link_changed(flags)

    def _link_changed(self, flags: int) -> None:
        up = bool(flags & IFF_UP)
        # a notification that a later change has overtaken is not acted on: the interface is asked, as
        # wpa_supplicant's nl80211 driver asks before it calls an interface down or up
        if up != self.is_up and interface_is_up(self.ifname) == up:
            self.is_up = up
            log.debug("%s is %s", self.ifname, "up" if up else "down")
            self.on_up_changed(up)
        # UP asked for before the kernel had seen the carrier (an open network's association can beat its own
        # carrier event) does not hold: the carrier then made the link DORMANT. Ask again, as wpa_supplicant's
        # nl80211 driver does on the same flags.
        if self.operational and flags & (IFF_LOWER_UP | IFF_DORMANT) == IFF_LOWER_UP and not flags & IFF_RUNNING:
            log.debug("netlink: operstate UP again: the carrier came after it")
            self._send(None, OperState.UP)


RFKILL_OP_ADD, RFKILL_OP_CHANGE = 0, 2
_RFKILL_EVENT = struct.Struct("=IBBBB")  # idx, type, op, soft, hard (newer kernels append fields: not read)


def rfkill_index(ifname: str) -> int | None:
    """The rfkill switch of the interface's radio (its wiphy's rfkillN in sysfs), if it has one."""
    try:
        names = [entry.name for entry in Path(f"/sys/class/net/{ifname}/phy80211").iterdir()]
    except OSError:
        return None
    return next((int(name[6:]) for name in names if name.startswith("rfkill") and name[6:].isdigit()), None)


class RfkillWatch:
    """Calls `on_unblocked` when the radio's rfkill switch is released (soft and hard), read from /dev/rfkill
    as wpa_supplicant's rfkill.c reads it: the kernel takes a blocked radio's interfaces down, and it is the
    program's to bring its interface up again. Does nothing where there is no /dev/rfkill or no switch."""

    def __init__(self, ifname: str, on_unblocked: Callable[[], None]) -> None:
        self.on_unblocked = on_unblocked
        self.index = rfkill_index(ifname)
        self._fd: int | None = None
        self._blocked = False

    @property
    def blocked(self) -> bool:
        if self.index is None:
            return False
        try:
            return any(Path(f"/sys/class/rfkill/rfkill{self.index}/{kind}").read_text().strip() != "0"
                       for kind in ("soft", "hard"))
        except OSError:
            return False

    def open(self) -> None:
        if self.index is None:
            return
        self._blocked = self.blocked
        try:
            self._fd = os.open("/dev/rfkill", os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            log.debug("rfkill: cannot watch the radio's switch: %s", e.strerror)
            return
        asyncio.get_running_loop().add_reader(self._fd, self._read)

    def close(self) -> None:
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            os.close(self._fd)
            self._fd = None

    def _read(self) -> None:
        assert self._fd is not None
        while True:
            try:
                data = os.read(self._fd, 64)
            except BlockingIOError:
                return
            except OSError as e:
                log.debug("rfkill: %s", e.strerror)
                return
            if len(data) < _RFKILL_EVENT.size:
                return
            index, _, op, soft, hard = _RFKILL_EVENT.unpack_from(data)
            # opening the device replays every switch's state: a change is what matters
            blocked = bool(soft or hard)
            if index != self.index or op not in (RFKILL_OP_ADD, RFKILL_OP_CHANGE) or blocked is self._blocked:
                continue
            self._blocked = blocked
            log.debug("rfkill: the radio is %s", "blocked" if self._blocked else "unblocked")
            if not self._blocked:
                self.on_unblocked()
