"""Background scans while connected (pywps/station/bgscan.py, `bgscan=` of a network): wpa_supplicant 2.10's
"simple" module, read and run as bgscan_simple.c does, then in the connection policy and the daemon on the fake
radio; SIGNAL_MONITOR and CTRL-EVENT-SIGNAL-CHANGE with it. Against Debian wpa_supplicant on hwsim radios:
tests/vm/guest/test_hwsim_roam.py."""

from __future__ import annotations

import asyncio

import pytest

from pywps.config import parse
from pywps.driver.base import SignalCrossed
from pywps.driver.radio import SignalInfo
from pywps.station import connection as conn
from pywps.station.bgscan import BgscanSimple, parse_bgscan
from pywps.station.bss import BssTable
from shellfakes import AP, PASSPHRASE, SSID, STA, FakeAp, FakeRadioDriver, beacon
from shellrig import Rig, run
from test_policies import drain

CS = conn.LinkState


@pytest.mark.parametrize("spec,expected", [
    ("simple:30:-70:3600", (30, -70, 3600)),
    ("simple", (30, 0, 30)),  # no parameters: every 30 s
    ("sim:5", (5, 0, 30)),  # a module's name may be cut short, as os_strncmp reads it
    (":10:-60:20", (10, -60, 20)),  # an empty name is the first module
    ("simple:0:-70:-5", (30, -70, 30)),  # intervals of 0 or less are 30
    ("simple: 7x:-65 dBm:40", (7, -65, 40)),  # atoi
])
def test_specs_are_read_as_bgscan_simple_init_reads_them(spec, expected):
    bgscan = parse_bgscan(spec)
    assert bgscan is not None and (bgscan.short_interval, bgscan.signal_threshold, bgscan.long_interval) == expected


@pytest.mark.parametrize("spec", ["simple:30:-70", "learn:30:-70:3600:/var/lib/bgscan", "nosuch:1:2:3", "simplex"])
def test_specs_that_start_no_simple_background_scans(spec):
    """A threshold without a long interval is refused; learn is not in pywps; no such module."""
    assert parse_bgscan(spec) is None


def test_the_interval_follows_the_signal_and_backs_off_after_short_scans():
    bgscan = BgscanSimple(10, -70, 30)
    assert bgscan.start(-60, 0.0) == 30.0  # above the threshold: the long interval
    bgscan = BgscanSimple(10, -70, 30)
    assert bgscan.start(-80, 0.0) == 10.0 and bgscan.max_short_scans == 4
    for i in range(4):
        assert bgscan.scan_interval == 10
        bgscan.scan_started(10.0 * (i + 1))
    assert bgscan.scan_interval == 30 and bgscan.short_scans == 4  # backing off
    bgscan.scan_started(70.0)
    assert bgscan.short_scans == 3  # a long interval without a drop gives one back


def test_signal_changes_move_the_next_scan():
    bgscan = BgscanSimple(10, -70, 60)
    bgscan.start(-60, 0.0)  # long: next at 60
    assert bgscan.signal_changed(False, 5.0, 60.0) == 5.0  # dropped below: at once
    assert bgscan.scan_interval == 10
    assert bgscan.signal_changed(True, 6.0, 15.0) == 66.0  # above again: the long interval from now
    bgscan.scan_started(70.0)
    assert bgscan.signal_changed(False, 70.5, 130.0) == 80.5  # below, but a scan just went: the short interval
    assert bgscan.signal_changed(False, 75.0, 80.5) is None  # further down, a scan less than 10 s ago
    assert bgscan.signal_changed(False, 81.0, 90.0) == 81.0  # further down, 11 s after the last scan
    assert BgscanSimple(10, 0, 60).signal_changed(False, 1.0, 10.0) is None  # no threshold: no monitor


def connected(bgscan: str | None, global_bgscan: str | None = None) -> conn.ConnectionPolicy:
    own = "" if bgscan is None else f'\tbgscan="{bgscan}"\n'
    file = "" if global_bgscan is None else f'bgscan="{global_bgscan}"\n'
    config = parse(f'{file}network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n{own}}}\n')
    table = BssTable()
    table.update([beacon(AP)], 0.0)
    policy = conn.ConnectionPolicy(lambda: config, table, STA)
    policy.target = policy._best(0.0, fresh_only=False)
    policy.state = CS.FOUR_WAY_HANDSHAKE
    policy.port_authorized(1.0)
    return policy


def test_the_policy_monitors_the_signal_then_scans_for_its_network_and_stops_with_the_link():
    policy = connected("simple:5:-70:20")
    actions, _ = drain(policy)
    assert actions == [conn.SetOperState(True), conn.MonitorSignal(-70, 4), conn.PollSignal()]
    assert policy.bgscan_active and policy.get_timer() is None  # the first interval waits for the signal
    policy.signal_polled(SignalInfo(signal=-80, tx_rate_mbps=54, noise=-92, freq=2412), [], 1.1)
    assert policy.get_timer() == 6.1  # below the threshold: the short interval
    policy.handle_timer(6.1)
    assert drain(policy)[0] == [conn.Scan((), ssids=(SSID,))]  # its SSID alone, every channel
    policy.table.update([beacon(AP)], 7.0)
    policy.scan_done(7.0)
    assert drain(policy) == ([], []) and policy.get_timer() == 12.0
    policy.signal_changed(True, 8.0)
    assert drain(policy)[0] == [conn.ReportSignal(True)] and policy.get_timer() == 28.0
    policy.link_lost(3, False, 9.0)
    actions, _ = drain(policy)
    assert conn.MonitorSignal(0, 0) in actions and not policy.bgscan_active


def test_without_a_threshold_the_scans_start_at_once_and_a_failed_one_waits_again():
    policy = connected("simple:7")
    actions, _ = drain(policy)
    assert actions == [conn.SetOperState(True)] and policy.get_timer() == 8.0
    policy.handle_timer(8.0)
    drain(policy)
    policy.scan_failed(8.5)
    assert policy.get_timer() == 15.5 and policy.state is CS.COMPLETED


def test_no_background_scans_without_bgscan_or_for_a_module_pywps_lacks():
    for spec in ("", "learn:30:-70:600"):
        policy = connected(spec)
        assert drain(policy)[0] == [conn.SetOperState(True)] and not policy.bgscan_active


STORED_BGSCAN = (f'network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n'
                 f'\tbgscan="simple:1:-70:30"\n}}\n')


def test_the_daemon_scans_in_the_background_and_reports_signal_changes():
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED_BGSCAN) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            scans = len(driver.scans)
            await asyncio.sleep(1.5)  # the fake radio cannot poll the signal: the short interval
            assert len(driver.scans) > scans and driver.scans[-1].ssids == (SSID,)
            assert "signal monitor -70 4" in driver.log
            assert await rig.cmd("SIGNAL_MONITOR THRESHOLD=-60 HYSTERESIS=2") == "FAIL\n"  # bgscan holds it
            before = len(rig.events)
            driver._emit(SignalCrossed(above=False))
            m = await rig.wait_event("^CTRL-EVENT-SIGNAL-CHANGE ", after=before)
            assert m.string == "CTRL-EVENT-SIGNAL-CHANGE above=0 signal=-9999 noise=9999 txrate=0"
            assert await rig.cmd("DISCONNECT") == "OK\n"
            await asyncio.sleep(0.05)  # the connector carries out the leave
            assert driver.log[-2:] == ["disconnect 3", "signal monitor 0 0"]
            assert await rig.cmd("SIGNAL_MONITOR THRESHOLD=-60 HYSTERESIS=2") == "OK\n"
            assert driver.log[-1] == "signal monitor -60 2"

    run(main())


def test_a_signal_change_is_told_with_the_links_values_as_the_kernel_reports_them():
    """signal and the rate in kbit/s from the station entry; no noise figure for the link's channel: 9999."""

    class Polled(FakeRadioDriver):
        async def signal_info(self) -> SignalInfo:
            return SignalInfo(signal=-61, tx_rate_mbps=54, noise=None, freq=2412, tx_rate_kbps=54000)

    async def main():
        driver = Polled(FakeAp())
        async with Rig(driver, f'network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n}}\n') as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            driver._emit(SignalCrossed(above=True))
            m = await rig.wait_event("^CTRL-EVENT-SIGNAL-CHANGE ")
            assert m.string == "CTRL-EVENT-SIGNAL-CHANGE above=1 signal=-61 noise=9999 txrate=54000"

    run(main())


def test_signal_monitor_on_a_wire_fails():
    from shellfakes import FakeWiredDriver

    async def main():
        async with Rig(FakeWiredDriver()) as rig:
            assert await rig.cmd("SIGNAL_MONITOR THRESHOLD=-60") == "FAIL\n"

    run(main())


def test_set_network_bgscan_on_the_link_begins_again_from_the_new_value():
    policy = connected("simple:7")
    drain(policy)
    policy.networks[0].set("bgscan", '"simple:3:-60:9"')
    policy.bgscan_changed(2.0)
    assert drain(policy)[0] == [conn.MonitorSignal(-60, 4), conn.PollSignal()]
    policy.networks[0].set("bgscan", '""')
    policy.bgscan_changed(3.0)
    assert drain(policy)[0] == [conn.MonitorSignal(0, 0)] and not policy.bgscan_active and policy.get_timer() is None


def test_the_files_global_bgscan_serves_a_network_without_its_own():
    """wpa_supplicant_reset_bgscan: the network's bgscan, else the global one; bgscan="" in a network is none.
    Neither SET nor GET knows the global key in Debian's wpa_supplicant (tests/test_diff_survey.py), so the
    file is the only way to it."""
    policy = connected(None, "simple:9")
    assert policy.bgscan_active and policy.get_timer() == 10.0
    assert not connected("", "simple:9").bgscan_active
    assert connected("simple:3", "simple:9").get_timer() == 4.0
