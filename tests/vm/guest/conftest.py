"""Fixtures of the tests that run inside the mac80211_hwsim VM: every test gets fresh APs and stations,
stopped afterwards even when it fails."""

from __future__ import annotations

import pytest

from hwlab import HwHostapd, Station


@pytest.fixture
def lab():
    started: list = []

    class Lab:
        def hostapd(self, iface: str = "wlan0", **overrides: str) -> HwHostapd:
            started.append(h := HwHostapd(iface, **overrides))
            return h

        def station(self, conf_text: str, program: str = "pywps", **kw) -> Station:
            started.append(s := Station(conf_text, program, **kw))
            return s

    yield Lab()
    for thing in reversed(started):
        thing.stop()
