"""Fixtures of the tests that run inside the mac80211_hwsim VM: every test gets fresh APs and stations,
stopped afterwards even when it fails, and an empty scan cache on the station's radio."""

from __future__ import annotations

import pytest

from hwlab import HwHostapd, Station, fresh_scan_cache


@pytest.fixture
def lab():
    fresh_scan_cache()  # no BSS of an earlier test's AP (same BSSID, other IEs) in the station radio's cache
    started: list = []

    class Lab:
        def hostapd(self, iface: str = "wlan0", **overrides: str) -> HwHostapd:
            started.append(h := HwHostapd(iface, **overrides))
            return h

        def station(self, conf_text: str, program: str = "pywps", **kw) -> Station:
            started.append(s := Station(conf_text, program, **kw))
            return s

        def started_log(self) -> str:
            """The log of the station started last, if one was."""
            from hwlab import Station as _Station
            stations = [thing for thing in started if isinstance(thing, _Station)]
            return stations[-1].log_text() if stations else ""

        def restart(self) -> None:
            """Stop what the test started and empty the scan cache again: a second program's turn."""
            while started:
                started.pop().stop()
            fresh_scan_cache()

    yield Lab()
    for thing in reversed(started):
        thing.stop()
