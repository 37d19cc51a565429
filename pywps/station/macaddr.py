"""Random MAC addresses for associations (`mac_addr`), chosen as wpa_supplicant 2.10 chooses them: the
network's `mac_addr` (or the global one when the network has none) is the style, 0 the permanent address, 1 a
random locally administered unicast address, 2 the same with the permanent address's OUI kept (its
locally-administered bit set). A new address for each association with another network than the last one,
unless the address of the same style is younger than `rand_addr_lifetime` seconds (wpas_update_random_addr);
the permanent address again for a network of style 0 (wpas_restore_permanent_mac_addr). `preassoc_mac_addr`
is the style of the address for scans while not associated (wpas_update_random_addr_disassoc).

Sans-IO: the caller sets the address this says to, and tells it when that worked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config
    from ..netblock import Network

UNSET = "-1"  # a network's mac_addr when it has none: the global's


class MacAddrStyle(IntEnum):
    PERMANENT = 0
    RANDOM = 1
    RANDOM_SAME_OUI = 2


def random_address(style: MacAddrStyle, permanent: bytes, random_bytes: Callable[[int], bytes] = os.urandom) -> bytes:
    """hostap's random_mac_addr (six random bytes) or random_mac_addr_keep_oui (three after the permanent OUI),
    made unicast and locally administered."""
    addr = bytearray(random_bytes(6) if style == MacAddrStyle.RANDOM else permanent[:3] + random_bytes(3))
    addr[0] = (addr[0] | 0x02) & 0xFE
    return bytes(addr)


@dataclass(frozen=True)
class AddressRequest:
    """What an association asks of the interface's address: the network it is for, its style (mac_addr) and
    how long a random address serves (rand_addr_lifetime, seconds)."""

    network_id: int
    style: int
    lifetime: int


def address_request(config: Config, network: Network) -> AddressRequest:
    """The network's mac_addr, else the global one (wpa_supplicant_associate's rand_style)."""
    own = network.value("mac_addr")
    style = config.int_value("mac_addr") if own in (None, UNSET) else int(own)
    return AddressRequest(network.id, style, config.int_value("rand_addr_lifetime"))


class AddressChoice:
    """The interface's address across associations and scans, kept as wpa_supplicant keeps it: whether it is a
    random one (`changed`), the style and time of the last random one, the network last associated for."""

    def __init__(self, permanent: bytes, random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        self.permanent = permanent
        self.random_bytes = random_bytes
        self.changed = False  # the interface holds a random address
        self._style: int | None = None  # of the last random address, and when it was set
        self._set_at: float | None = None
        self._last_network: int | None = None

    def random_for(self, style: int, lifetime: int, now: float) -> bytes | None:
        """wpas_update_random_addr: a new random address of `style`, or None while the last one of that style is
        younger than `lifetime` seconds; that holds even where the permanent address came back meanwhile (it is
        then kept), as in wpa_supplicant. ValueError for a style it has none of."""
        if self._style == style and self._set_at is not None and now - self._set_at <= lifetime:
            return None  # os_reltime_expired: older than the lifetime
        if style not in (MacAddrStyle.RANDOM, MacAddrStyle.RANDOM_SAME_OUI):
            raise ValueError(f"mac_addr={style} is no address policy (0, 1 or 2)")
        return random_address(MacAddrStyle(style), self.permanent, self.random_bytes)

    def address_for(self, request: AddressRequest, now: float) -> bytes | None:
        """The address to set before this association (wpa_supplicant_associate), or None to keep the one
        there: a random one for another network than the last, the permanent one again for mac_addr=0.
        ValueError for a style wpa_supplicant has none of: it then does not associate."""
        if request.style > 0 and request.network_id != self._last_network:
            return self.random_for(request.style, request.lifetime, now)
        if request.style == MacAddrStyle.PERMANENT and self.changed:
            return self.permanent
        return None

    def for_scan(self, style: int, lifetime: int, now: float) -> bytes | None:
        """preassoc_mac_addr's address for a scan while not associated (wpas_update_random_addr_disassoc)."""
        return None if style == 0 else self.random_for(style, lifetime, now)

    def took(self, address: bytes, style: int, now: float) -> None:
        """The interface took `address`, chosen for `style`."""
        self.changed = address != self.permanent
        if self.changed:  # the permanent address back leaves the last random one's style and time as they were
            self._style, self._set_at = style, now

    def associating(self, request: AddressRequest) -> None:
        """The address step of an association worked (the address set and `took`, or kept): the network is the
        last one from now on (wpa_supplicant's last_ssid)."""
        self._last_network = request.network_id
