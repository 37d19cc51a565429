"""Drivers move frames: EAPOL in and out, scans and association where the medium has them.

`make_driver` picks one by its `-D` name and loads only that one's module (and its libraries); `driver_names`
reads `-D` as wpa_supplicant does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Driver


DRIVERS = ("nl80211", "wired")


def driver_names(spec: str) -> list[str]:
    """The drivers a `-D` value names that pywps has, in its order. wpa_supplicant takes a comma-separated list
    (Debian's ifupdown passes `nl80211,wext`), passes over names it was built without and starts the first
    driver that works; pywps passes over the names it lacks (wext, ...) in the same way."""
    names = [name for name in spec.split(",") if name in DRIVERS]
    if not names:
        from .base import DriverError

        raise DriverError(f"Unsupported driver '{spec}' (pywps has {' and '.join(DRIVERS)})")
    return names


def make_driver(name: str, ifname: str) -> Driver:
    if name == "wired":
        from .wired import WiredDriver

        return WiredDriver(ifname)
    if name == "nl80211":
        load_pyroute2_bare()
        from .nl80211 import Nl80211Driver

        return Nl80211Driver(ifname)
    from .base import DriverError

    raise DriverError(f"unknown driver {name!r} (use wired or nl80211)")


def load_pyroute2_bare() -> None:
    """Let the nl80211 driver import pyroute2's netlink modules without the package's __init__, which imports
    the whole library (IPDB, NDB, conntrack, ipset, plan9, ...: 226 modules, +13 MiB RSS, more time than the
    rest of the daemon's start; 11 s of a 37 s cold start in the hwsim VM) for the few modules the driver uses.
    The package is registered bare: its submodules import one another by full name and need nothing from it.
    Only a process that makes its driver here (the daemon's) does this, so other users of pyroute2 (a program
    that imports pywps.driver.nl80211 itself) see the whole package."""
    if "pyroute2" in sys.modules:
        return
    import importlib.util

    spec = importlib.util.find_spec("pyroute2")
    if spec is not None:  # else the driver's import fails with pyroute2's ImportError
        sys.modules["pyroute2"] = importlib.util.module_from_spec(spec)
