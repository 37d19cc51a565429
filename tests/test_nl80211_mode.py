"""The nl80211 driver makes a station of an interface of another type, as wpa_supplicant does (its set_mode),
with the netlink request and the interface's up flag replaced (no radio needed): mac80211 answers EBUSY to a
type change on a running interface, so the driver takes it down, switches (again while the kernel is still
taking it down) and brings it up again; what the kernel refuses for good is a DriverError that names both types."""

from __future__ import annotations

import asyncio
import errno

import pytest
from pyroute2.netlink.exceptions import NetlinkError

from pywps.driver import nl80211
from pywps.driver.base import DriverError
from pywps.driver.nl80211 import IFTYPE_STATION, Nl80211Driver
from pywps.driver.nl80211_info import IfType


class FakeInterface:
    """The kernel's side: the type, the up flag, and how many SET_INTERFACE requests are refused with EBUSY
    once the interface is down (it is still going down)."""

    def __init__(self, iftype: int, up: bool, busy_while_down: int = 0, refuse: int = 0) -> None:
        self.iftype, self.up, self.busy_while_down, self.refuse = iftype, up, busy_while_down, refuse
        self.log: list[str] = []

    def driver(self, monkeypatch: pytest.MonkeyPatch) -> Nl80211Driver:
        driver = Nl80211Driver("wlan-test")
        driver.ifindex = 7

        async def request(cmd: str, *attrs: tuple[str, object], dump: bool = False) -> list:
            assert cmd == "SET_INTERFACE" and dict(attrs)["NL80211_ATTR_IFINDEX"] == 7
            self.log.append(f"set {dict(attrs)['NL80211_ATTR_IFTYPE']}")
            if self.refuse:
                raise NetlinkError(self.refuse)
            if self.up or self.busy_while_down:
                self.busy_while_down -= not self.up
                raise NetlinkError(errno.EBUSY)
            self.iftype = dict(attrs)["NL80211_ATTR_IFTYPE"]
            return []

        def set_interface_up(ifname: str, up: bool) -> None:
            self.log.append("up" if up else "down")
            self.up = up

        driver._request = request  # type: ignore[method-assign]
        monkeypatch.setattr(nl80211, "interface_is_up", lambda ifname: self.up)
        monkeypatch.setattr(nl80211, "set_interface_up", set_interface_up)
        monkeypatch.setattr(nl80211.asyncio, "sleep", _no_sleep)
        return driver


async def _no_sleep(seconds: float) -> None:
    pass


@pytest.mark.parametrize("iftype", [IfType.ADHOC, IfType.AP, 6, IfType.MESH_POINT, IfType.P2P_CLIENT])
def test_a_down_interface_of_another_type_is_switched_and_left_down(monkeypatch, iftype):
    kernel = FakeInterface(iftype, up=False)
    asyncio.run(kernel.driver(monkeypatch)._switch_to_station(iftype))
    assert (kernel.iftype, kernel.up, kernel.log) == (IFTYPE_STATION, False, ["set 2"])


def test_a_running_interface_is_taken_down_for_the_switch_and_brought_up_again(monkeypatch):
    kernel = FakeInterface(6, up=True, busy_while_down=2)  # monitor; EBUSY twice more while it goes down
    asyncio.run(kernel.driver(monkeypatch)._switch_to_station(6))
    assert (kernel.iftype, kernel.up) == (IFTYPE_STATION, True)
    assert kernel.log == ["set 2", "down", "set 2", "set 2", "set 2", "up"]


def test_a_refused_switch_names_both_types_and_leaves_the_interface_as_it_was(monkeypatch):
    kernel = FakeInterface(6, up=True, refuse=errno.EOPNOTSUPP)
    with pytest.raises(DriverError, match="cannot switch wlan-test from monitor to station mode: Operation not supp"):
        asyncio.run(kernel.driver(monkeypatch)._switch_to_station(6))
    assert (kernel.iftype, kernel.up, kernel.log) == (6, True, ["set 2"])


def test_an_interface_that_stays_busy_is_brought_up_again_and_the_error_said(monkeypatch):
    kernel = FakeInterface(IfType.AP, up=True, busy_while_down=100)
    with pytest.raises(DriverError, match="from AP to station mode: Device or resource busy"):
        asyncio.run(kernel.driver(monkeypatch)._switch_to_station(IfType.AP))
    assert (kernel.iftype, kernel.up) == (IfType.AP, True)
    assert kernel.log == ["set 2", "down", *["set 2"] * 10, "up"]
