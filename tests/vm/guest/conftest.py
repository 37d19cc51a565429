"""Fixtures of the tests that run inside the mac80211_hwsim VM: every test gets fresh APs and stations,
stopped afterwards even when it fails, and an empty scan cache on the station's radio.

Several VMs share one run of these tests (tests/test_vm.py): each takes the next test no other has taken, by
making its directory in a folder every VM sees (PYWPS_VM_CLAIMS; mkdir is atomic on the host, where the VMs' 9p
exports meet), and writes each test's outcome as it ends (PYWPS_VM_RESULTS, a JSON line per phase), so that a VM
stopped by its timeout still tells what it ran."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import pytest

from hwlab import HwHostapd, Station, fresh_scan_cache

CLAIMS = os.environ.get("PYWPS_VM_CLAIMS")
RESULTS = os.environ.get("PYWPS_VM_RESULTS")


def _claimed(items: list[pytest.Item]) -> Iterator[pytest.Item]:
    """The items this VM takes, each taken when asked for."""
    for item in items:
        try:
            os.mkdir(os.path.join(CLAIMS, re.sub(r"[^\w.-]", "_", item.nodeid)))
        except FileExistsError:
            continue
        _record(item.nodeid, "claimed", "", "")
        yield item


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """The default loop over the items this VM claims. The next item is claimed before this one runs: pytest
    tears a test's fixtures down by which item runs next."""
    if CLAIMS is None or session.config.option.collectonly:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} error(s) during collection")
    claimed = _claimed(session.items)
    item = next(claimed, None)
    while item is not None:
        following = next(claimed, None)
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
        item = following
    return True


def _record(nodeid: str, when: str, outcome: str, text: str, duration: float = 0.0) -> None:
    if RESULTS is not None:
        with open(RESULTS, "a") as out:
            out.write(json.dumps({"nodeid": nodeid, "when": when, "outcome": outcome, "text": text,
                                  "duration": round(duration, 1)}) + "\n")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    text = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        text = report.longrepr[2]  # (path, line, reason)
    elif report.failed:
        text = report.longreprtext
    _record(report.nodeid, report.when, report.outcome, text, report.duration)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _record(report.nodeid, "collect", "failed", report.longreprtext)


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
