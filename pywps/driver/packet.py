"""EAPOL frames on an interface through an AF_PACKET socket bound to ETH_P_PAE: what both drivers use.

On a wired link we also join the PAE group address (authenticators send there); on 802.11 the AP addresses
us directly and mac80211 passes EAPOL through even before the port is authorized.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import struct
from collections.abc import Callable
from pathlib import Path

from .base import ETH_P_PAE, DriverError, mac_str

log = logging.getLogger("pywps.driver")

SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_MULTICAST = 0
ETH_HLEN = 14
MAX_FRAME = 4096  # EAPOL frames are small; anything larger is cut and then refused by the parsers
_LINK_GONE = (errno.ENXIO, errno.ENODEV)


def read_mac(ifname: str) -> bytes:
    try:
        text = Path(f"/sys/class/net/{ifname}/address").read_text().strip()
    except FileNotFoundError:
        raise DriverError(f"interface {ifname} not found") from None
    return bytes.fromhex(text.replace(":", ""))


class EapolSocket:
    """Receives EAPOL frames for `own_addr` on `ifname` and hands (source, PDU) to `on_frame`."""

    def __init__(self, ifname: str, own_addr: bytes, on_frame: Callable[[bytes, bytes], None],
                 on_link_gone: Callable[[str], None], multicast: bytes | None = None) -> None:
        self.ifname = ifname
        self.own_addr = own_addr
        self.on_frame = on_frame
        self.on_link_gone = on_link_gone
        try:
            # Protocol 0 here, ETH_P_PAE in bind(): a socket made with a protocol is hooked to every interface
            # at once, and bind() must then unhook it, waiting for an RCU grace period (synchronize_net: 8-15 ms
            # of a daemon's start here); made without one, it receives nothing until bind() hooks it to ifname.
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        except PermissionError:
            raise DriverError("AF_PACKET needs CAP_NET_RAW (run as root)") from None
        try:
            sock.bind((ifname, ETH_P_PAE))
            if multicast is not None:
                # struct packet_mreq: ifindex, type, address length, address[8]
                mreq = struct.pack("iHH8s", socket.if_nametoindex(ifname), PACKET_MR_MULTICAST, 6, multicast)
                sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            raise DriverError(f"cannot open EAPOL socket on {ifname}: {e.strerror}") from None
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._on_readable)

    def close(self) -> None:
        if self._sock.fileno() >= 0:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()

    def send(self, dst: bytes, pdu: bytes) -> None:
        self._sock.send(dst + self.own_addr + struct.pack(">H", ETH_P_PAE) + pdu)

    def _on_readable(self) -> None:
        for _ in range(64):  # bounded: a flood cannot starve the loop
            try:
                frame = self._sock.recv(MAX_FRAME)
            except BlockingIOError:
                return
            except OSError as e:
                if e.errno == errno.ENETDOWN:  # taken down, not gone: the socket hears the link again once it is up
                    log.debug("%s is down", self.ifname)
                    continue
                if e.errno in _LINK_GONE:
                    self.on_link_gone(e.strerror or "link gone")
                    return
                log.warning("receive on %s failed: %s", self.ifname, e)
                return
            if len(frame) < ETH_HLEN:
                continue
            src = frame[6:12]
            if src == self.own_addr or struct.unpack_from(">H", frame, 12)[0] != ETH_P_PAE:
                continue
            try:
                self.on_frame(src, frame[ETH_HLEN:])
            except Exception:  # the edge: one frame must not kill the reader
                log.exception("EAPOL handler failed on a frame from %s", mac_str(src))
