"""EAPOL on an Ethernet (or veth) link, like wpa_supplicant's `-Dwired` with `ap_scan=0`.

An AF_PACKET socket bound to ETH_P_PAE on the interface, with the PAE group address (01:80:c2:00:00:03)
joined as a multicast membership so the authenticator's group-addressed frames reach us. No scanning, no
association: the link is the port.
"""

from __future__ import annotations

import logging

from .base import PAE_GROUP_ADDR, Driver, DriverError, DriverFailed
from .linkstate import interface_is_up, put_down_again, set_interface_up
from .packet import EapolSocket, read_mac

log = logging.getLogger("pywps.driver.wired")


class WiredDriver(Driver):
    name = "wired"
    can_scan = False

    def __init__(self, ifname: str) -> None:
        super().__init__(ifname)
        self._eapol: EapolSocket | None = None
        self._addr = b""
        self._brought_up = False  # it was down when we started: down again when we stop

    @property
    def own_addr(self) -> bytes:
        return self._addr

    async def start(self) -> None:
        self._addr = read_mac(self.ifname)
        if not interface_is_up(self.ifname):
            # as wpa_supplicant's wired driver (driver_wired_init_common): up now, down again at the stop
            try:
                set_interface_up(self.ifname, True)
                self._brought_up = True
            except OSError as e:
                log.warning("cannot bring %s up (%s); EAPOL will flow once it is up", self.ifname, e.strerror)
        self._eapol = EapolSocket(self.ifname, self._addr, self._on_frame, self._on_link_gone, PAE_GROUP_ADDR)

    async def stop(self) -> None:
        if self._eapol is not None:
            self._eapol.close()
            self._eapol = None
        if self._brought_up:
            self._brought_up = False
            put_down_again(self.ifname)

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        if self._eapol is None:
            raise DriverError("driver not started")
        self._eapol.send(dst, pdu)

    def _on_frame(self, src: bytes, pdu: bytes) -> None:
        if self.on_eapol is not None:
            self.on_eapol(src, pdu)

    def _on_link_gone(self, why: str) -> None:
        log.warning("%s went away: %s", self.ifname, why)
        if self.on_event:
            self.on_event(DriverFailed(why))
