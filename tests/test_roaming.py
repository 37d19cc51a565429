"""Roaming within the network the link is on (pywps/station/roaming.py, the connection policy's choice after a
scan while connected, ROAM): wpa_supplicant 2.10's wpa_supplicant_need_to_roam and _within_ess, step by step,
then the policy's actions, then the whole daemon on the fake radio. The same against Debian wpa_supplicant on
hwsim radios: tests/vm/guest/test_hwsim_roam.py."""

from __future__ import annotations

from pywps.config import parse
from pywps.ctrl.events import event_texts
from pywps.driver.base import ScanEntry
from pywps.driver.radio import SignalInfo
from pywps.events import RoamConsidered
from pywps.station import connection as conn
from pywps.station.bss import Bss, BssTable
from pywps.station.roaming import roam_within_ess
from shellfakes import AP, PASSPHRASE, RSN_CCMP, SSID, STA, FakeAp, FakeRadioDriver, beacon
from shellrig import Rig, run
from test_policies import drain

AP2 = bytes.fromhex("020000000300")
RATES_G = bytes.fromhex("010882848b960c121824") + bytes.fromhex("3204 3048606c")  # up to 54 Mbit/s
RATES_B = bytes.fromhex("010482848b96")  # up to 11 Mbit/s
CS, CI = conn.LinkState, conn.LinkInput
STORED = f'network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n}}\n'


def bss(bssid: bytes = AP, level: int = -60, freq: int = 2412, rates: bytes = b"", scan: int = 1) -> Bss:
    ies = bytes([0, len(SSID)]) + SSID + rates + RSN_CCMP
    return Bss(0, ScanEntry(bssid, freq, level * 100, 0x0411, 100, ies), 0.0, scan)


def poll(level: int, noise: int | None = -92, freq: int = 2412) -> SignalInfo:
    return SignalInfo(signal=level, tx_rate_mbps=54, noise=noise, freq=freq, avg_signal=level, avg_beacon_signal=level)


# -- the decision, step by step ----------------------------------------------------------------------------


def test_a_bss_the_network_names_is_taken():
    assert roam_within_ess(bss(level=-40), bss(AP2, level=-90), [], None, preferred=AP2) == (True, None)


def test_a_better_estimated_throughput_decides_either_way_without_an_event():
    """54 against 11 Mbit/s: past the 5 Mbit/s margin, whatever the signals."""
    assert roam_within_ess(bss(rates=RATES_B, level=-40), bss(AP2, rates=RATES_G, level=-70), [], None) == (True, None)
    assert roam_within_ess(bss(rates=RATES_G, level=-70), bss(AP2, rates=RATES_B, level=-40), [], None) == (False, None)


def test_a_louder_current_bss_stays_unless_the_other_is_much_faster():
    """Equal throughputs: not 1.2x. With no rates known both are 0, and 0 < 0 * 1.2 fails in C as here: the
    signal margin decides then, and is told."""
    assert roam_within_ess(bss(level=-50, rates=RATES_G), bss(AP2, level=-60, rates=RATES_G), [], None) == (False, None)
    assert roam_within_ess(bss(level=-50), bss(AP2, level=-60), [], None)[1] is not None


def test_a_signal_poll_stands_for_the_current_bss_and_a_great_snr_stays_silently():
    """Scanned at -80, but the kernel hears the AP at -60 over a -92 dBm floor: 32 dB, more than GREAT_SNR."""
    assert roam_within_ess(bss(level=-80), bss(AP2, level=-50), [], poll(-60)) == (False, None)


def test_the_signal_margin_grows_with_the_current_signal_and_is_told():
    """At -80 dBm the other BSS must be 3 dB better (equal throughputs): CTRL-EVENT-DO-ROAM at 3, SKIP at 2."""
    roam, event = roam_within_ess(bss(level=-80), bss(AP2, level=-77, freq=2437), [], None)
    assert roam and event == RoamConsidered(True, AP, 2412, -80, 0, AP2, 2437, -77, 0)
    assert event_texts(event) == [
        "CTRL-EVENT-DO-ROAM cur_bssid=02:00:00:00:01:00 cur_freq=2412 cur_level=-80 cur_est=0 "
        "sel_bssid=02:00:00:00:03:00 sel_freq=2437 sel_level=-77 sel_est=0"]
    roam, event = roam_within_ess(bss(level=-80), bss(AP2, level=-78), [], None)
    assert not roam and event_texts(event)[0].startswith("CTRL-EVENT-SKIP-ROAM cur_bssid=02:00:00:00:01:00")
    assert roam_within_ess(bss(level=-60), bss(AP2, level=-56), [], None)[0] is False  # above -70: 5 dB
    assert roam_within_ess(bss(level=-60), bss(AP2, level=-55), [], None)[0] is True


def test_a_poll_without_noise_takes_the_bands_default_floor():
    """-70 dBm over 2.4 GHz's default -89: 19 dB, under GREAT_SNR, so the margin (5 dB at -70) decides, with the
    polled level in the event."""
    roam, event = roam_within_ess(bss(level=-85), bss(AP2, level=-65), [], poll(-70, noise=None))
    assert roam and event is not None and event.current_level == -70


def test_a_move_to_5ghz_needs_2_db_less():
    assert roam_within_ess(bss(level=-72), bss(AP2, level=-70, freq=5180), [], None)[0] is True  # 4 - 2
    assert roam_within_ess(bss(level=-72), bss(AP2, level=-71, freq=2437), [], None)[0] is False


# -- the policy ------------------------------------------------------------------------------------------------


def connected_policy(conf: str = STORED) -> conn.ConnectionPolicy:
    """A policy joined to AP (at -80 dBm) and done with its handshake."""
    config = parse(conf)
    table = BssTable()
    table.update([beacon(AP, signal=-8000)], 0.0)
    policy = conn.ConnectionPolicy(lambda: config, table, STA)
    policy.target = policy._best(0.0, fresh_only=False)
    policy.state = CS.COMPLETED
    return policy


def test_a_scan_that_finds_a_stronger_bss_of_the_network_moves_the_link_after_a_signal_poll():
    policy = connected_policy()
    # in wpa_supplicant's order, as the station folds them in: the stronger first
    policy.table.update([beacon(AP2, signal=-7000, freq=2437), beacon(AP, signal=-8000)], 10.0)
    policy.scan_done(10.0)
    assert drain(policy) == ([conn.PollSignal()], []) and policy.state is CS.COMPLETED
    policy.signal_polled(None, [], 10.1)
    actions, events = drain(policy)
    assert [type(e) for e in events] == [RoamConsidered] and events[0].roam
    assert actions[0] == conn.SetOperState(False)  # DORMANT while the new link is made, as wpa_supplicant
    assert isinstance(actions[1], conn.Associate) and actions[1].bss.bssid == AP2 and actions[1].prev_bssid == AP
    assert policy.state is CS.ASSOCIATING and policy.target.bss.bssid == AP2


def test_a_scan_that_finds_a_bss_not_better_enough_keeps_the_link_and_says_so():
    policy = connected_policy()
    policy.table.update([beacon(AP2, signal=-7800, freq=2437), beacon(AP, signal=-8000)], 10.0)
    policy.scan_done(10.0)
    drain(policy)
    policy.signal_polled(None, [], 10.1)
    actions, events = drain(policy)
    assert actions == [] and [e.roam for e in events] == [False] and policy.state is CS.COMPLETED


def test_the_current_bss_missing_from_the_scan_moves_the_link_at_once():
    policy = connected_policy()
    policy.table.update([beacon(AP2, signal=-9000, freq=2437)], 10.0)
    policy.scan_done(10.0)
    actions, events = drain(policy)
    assert events == [] and isinstance(actions[1], conn.Associate) and actions[1].prev_bssid == AP


def test_a_network_of_higher_priority_is_joined_by_leaving_the_link():
    other = 'network={\n\tssid="better"\n\tpsk="12345678"\n\tpriority=5\n}\n'
    policy = connected_policy(STORED + other)
    better = ScanEntry(AP2, 2437, -9000, 0x0411, 100, bytes([0, 6]) + b"better" + RSN_CCMP)
    policy.table.update([beacon(AP, signal=-8000), better], 10.0)
    policy.scan_done(10.0)
    actions, _ = drain(policy)
    assert isinstance(actions[1], conn.Associate) and actions[1].bss.bssid == AP2 and actions[1].prev_bssid is None


def test_nothing_moves_when_the_scan_chooses_the_current_bss_or_is_the_kernels_cache():
    policy = connected_policy()
    policy.table.update([beacon(AP, signal=-8000), beacon(AP2, signal=-9000, freq=2437)], 10.0)
    policy.scan_done(10.0)
    assert drain(policy) == ([], [])
    policy.table.update([beacon(AP, signal=-8000), beacon(AP2, signal=-3000, freq=2437)], 11.0)
    policy.scan_done(11.0, cached=True)
    assert drain(policy) == ([], [])


def test_a_signal_poll_answered_after_the_link_is_gone_changes_nothing():
    policy = connected_policy()
    policy.table.update([beacon(AP2, signal=-3000, freq=2437), beacon(AP, signal=-8000)], 10.0)
    policy.scan_done(10.0)
    assert drain(policy)[0] == [conn.PollSignal()]
    policy.link_lost(3, False, 10.05)
    drain(policy)
    policy.signal_polled(None, [], 10.1)
    actions, events = drain(policy)
    assert events == [] and not any(isinstance(a, conn.Associate) for a in actions)


def test_roam_reassociates_with_a_named_bss_of_the_network_even_the_current_one():
    policy = connected_policy()
    assert not policy.roam(AP2, 1.0)  # not in the table
    policy.table.update([beacon(AP, signal=-8000), beacon(AP2, signal=-9000, freq=2437)], 10.0)
    assert policy.roam(AP2, 10.0)
    actions, _ = drain(policy)
    assert actions[1].bss.bssid == AP2 and actions[1].prev_bssid == AP and policy.state is CS.ASSOCIATING
    policy.state = CS.COMPLETED
    assert policy.roam(AP2, 11.0)
    assert drain(policy)[0][1].prev_bssid == AP2
    policy.disconnect(12.0)
    assert not policy.roam(AP, 12.0)


# -- the daemon on the fake radio -----------------------------------------------------------------------------


def test_the_daemon_roams_after_a_scan_and_on_roam_without_a_disconnect():
    async def main():
        driver = FakeRadioDriver(FakeAp(signal=-6000))
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:01:00")
            stronger = FakeAp(bssid=AP2, freq=2437, signal=-3000)
            driver.aps[AP2] = stronger
            driver.wps_ies[AP2] = b""
            before = len(rig.events)
            await rig.scan()
            await rig.wait_event("^CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:03:00", after=before)
            texts = [t for t in rig.texts()[before:] if not t.startswith(("CTRL-EVENT-BSS", "CTRL-EVENT-SCAN"))]
            assert texts == [
                "CTRL-EVENT-DO-ROAM cur_bssid=02:00:00:00:01:00 cur_freq=2412 cur_level=-60 cur_est=0 "
                "sel_bssid=02:00:00:00:03:00 sel_freq=2437 sel_level=-30 sel_est=0",
                "Trying to associate with 02:00:00:00:03:00 (SSID='pywps-test' freq=2437 MHz)",
                "Associated with 02:00:00:00:03:00",
                "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0",
                "WPA: Key negotiation completed with 02:00:00:00:03:00 [PTK=CCMP GTK=CCMP]",
                "CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:03:00 completed [id=0 id_str=]",
            ]
            assert "reassociate from 02:00:00:00:01:00 to 02:00:00:00:03:00 crypto" in driver.log
            assert stronger.completed and "bssid=02:00:00:00:03:00" in await rig.cmd("STATUS")

            before = len(rig.events)
            assert await rig.cmd("ROAM 02:00:00:00:01:00") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:01:00", after=before)
            assert not any(t.startswith("CTRL-EVENT-DISCONNECTED") for t in rig.texts()[before:])
            assert await rig.cmd("ROAM 02:00:00:00:09:00") == "FAIL\n"
            assert await rig.cmd("ROAM nonsense") == "FAIL\n"
            assert await rig.cmd("DISCONNECT") == "OK\n"
            assert await rig.cmd("ROAM 02:00:00:00:03:00") == "FAIL\n"

    run(main())


def test_roam_on_a_wire_fails():
    from shellfakes import FakeWiredDriver

    async def main():
        async with Rig(FakeWiredDriver()) as rig:
            assert await rig.cmd("ROAM 02:00:00:00:01:00") == "FAIL\n"

    run(main())

