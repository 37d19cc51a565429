"""EAPOL on an Ethernet (or veth) link, like wpa_supplicant's `-Dwired` with `ap_scan=0`.

An AF_PACKET socket bound to ETH_P_PAE on the interface, with the PAE group address (01:80:c2:00:00:03)
joined as a multicast membership so the authenticator's group-addressed frames reach us. No scanning, no
association: the link is the port.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import struct
from pathlib import Path

from .base import ETH_P_PAE, PAE_GROUP_ADDR, Driver, DriverError, LinkEvent, mac_str

log = logging.getLogger("pywps.driver.wired")

SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_MULTICAST = 0
ETH_HLEN = 14
MAX_FRAME = 4096  # EAPOL frames are small; anything larger is cut and then refused by the parsers


def read_mac(ifname: str) -> bytes:
    try:
        text = Path(f"/sys/class/net/{ifname}/address").read_text().strip()
    except FileNotFoundError:
        raise DriverError(f"interface {ifname} not found") from None
    return bytes.fromhex(text.replace(":", ""))


def interface_is_up(ifname: str) -> bool:
    try:
        flags = int(Path(f"/sys/class/net/{ifname}/flags").read_text().strip(), 16)
    except (FileNotFoundError, ValueError):
        return False
    return bool(flags & 0x1)  # IFF_UP


class WiredDriver(Driver):
    name = "wired"
    can_scan = False

    def __init__(self, ifname: str) -> None:
        super().__init__(ifname)
        self._sock: socket.socket | None = None
        self._addr = b""
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def own_addr(self) -> bytes:
        return self._addr

    async def start(self) -> None:
        self._addr = read_mac(self.ifname)
        if not interface_is_up(self.ifname):
            # wpa_supplicant -Dwired waits for the carrier; bringing links up is the network manager's job.
            log.warning("interface %s is down; EAPOL will flow once it is up", self.ifname)
        try:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_PAE))
        except PermissionError:
            raise DriverError("AF_PACKET needs CAP_NET_RAW (run as root)") from None
        try:
            sock.bind((self.ifname, ETH_P_PAE))
            ifindex = socket.if_nametoindex(self.ifname)
            # struct packet_mreq: ifindex, type, address length, address[8]
            mreq = struct.pack("iHH8s", ifindex, PACKET_MR_MULTICAST, 6, PAE_GROUP_ADDR)
            sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            raise DriverError(f"cannot open EAPOL socket on {self.ifname}: {e.strerror}") from None
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._on_readable)

    async def stop(self) -> None:
        if self._sock is not None:
            if self._loop is not None:
                self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        if self._sock is None:
            raise DriverError("driver not started")
        frame = dst + self._addr + struct.pack(">H", ETH_P_PAE) + pdu
        self._sock.send(frame)

    def _on_readable(self) -> None:
        assert self._sock is not None
        for _ in range(64):  # bounded: a flood cannot starve the loop
            try:
                frame = self._sock.recv(MAX_FRAME)
            except BlockingIOError:
                return
            except OSError as e:
                if e.errno in (errno.ENETDOWN, errno.ENXIO, errno.ENODEV):
                    log.warning("%s went away: %s", self.ifname, e.strerror)
                    if self.on_link_event:
                        self.on_link_event(LinkEvent("disconnected", reason=0, locally_generated=True))
                    return
                log.warning("receive on %s failed: %s", self.ifname, e)
                return
            if len(frame) < ETH_HLEN:
                continue
            src = frame[6:12]
            if src == self._addr or struct.unpack_from(">H", frame, 12)[0] != ETH_P_PAE:
                continue
            if self.on_eapol is not None:
                try:
                    self.on_eapol(src, frame[ETH_HLEN:])
                except Exception:  # the edge: one frame must not kill the reader
                    log.exception("EAPOL handler failed on a frame from %s", mac_str(src))
