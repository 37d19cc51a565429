"""autoscan= and AUTOSCAN: the specs read as wpa_supplicant's autoscan_init reads them, the waits its two modules
give (autoscan_exponential.c, autoscan_periodic.c), and the connection policy's scans spaced by them while no
network is found, begun again once one is joined. The same waits between Debian wpa_supplicant's scans and
pywps's on a radio: tests/vm/guest/test_hwsim_events_diff.py."""

from __future__ import annotations

import pytest
from shellfakes import SSID, beacon
from test_policies import drain, new_policy

from pywps.station import connection as conn
from pywps.station.autoscan import Autoscan, parse_autoscan


@pytest.mark.parametrize("spec,parsed", [
    ("exponential:3:300", Autoscan("exponential", 3, 300)),
    ("exp:2:8", Autoscan("exponential", 2, 8)),  # strncmp over the name given: a prefix names the module
    (":2:8", Autoscan("exponential", 2, 8)),  # an empty name matches the first module
    ("exponential:3", None),  # no limit: exponential refuses it
    ("exponential", None),
    ("periodic:30", Autoscan("periodic", 30)),
    ("periodic:7x", Autoscan("periodic", 7)),  # atoi
    ("periodic", Autoscan("periodic", 0)),
    ("periodic:-1", None),
    ("nosuch:1", None),
    ("exponentially:2:8", None),
    (None, None),
])
def test_specs_are_read_as_wpa_supplicants_autoscan_init_reads_them(spec, parsed):
    assert parse_autoscan(spec) == parsed


def waits(autoscan: Autoscan, n: int) -> list[int]:
    return [autoscan.next_wait() for _ in range(n)]


def test_the_modules_waits():
    assert waits(Autoscan("exponential", 3, 300), 7) == [3, 9, 27, 81, 243, 300, 300]
    assert waits(Autoscan("exponential", 2, 5), 4) == [2, 4, 5, 5]
    assert waits(Autoscan("periodic", 30), 3) == [30, 30, 30]
    assert waits(Autoscan("periodic", 0), 2) == [1, 1]  # 0 would stop wpa_supplicant choosing from scans at all


def gaps_between_scans(policy: conn.ConnectionPolicy, scans: int, start: float = 0.0, kick: bool = True) -> list[float]:
    """Let the policy scan `scans` times, each finding nothing: the seconds from each scan's end to the next."""
    now, gaps = start, []
    if kick:
        policy.kick(now)
    for _ in range(scans):
        actions, _ = drain(policy)
        assert any(isinstance(a, conn.Scan) for a in actions), actions
        now += 1.0  # the scan takes a second
        policy.scan_done(now)
        timer = policy.get_timer()
        gaps.append(timer - now)
        now = timer
        policy.handle_timer(now)
    return gaps


STORED = 'autoscan=exponential:2:8\nnetwork={\n\tssid="elsewhere"\n\tpsk="12345678"\n}\n'


def test_scans_are_spaced_by_autoscan_while_nothing_is_found():
    policy = new_policy(STORED, seen=False)
    policy._tried_cache = True  # no kernel cache to read first
    assert gaps_between_scans(policy, 5) == [2, 4, 8, 8, 8]
    plain = new_policy(STORED.replace("autoscan=exponential:2:8\n", ""), seen=False)
    plain._tried_cache = True
    assert gaps_between_scans(plain, 3) == [conn.RESCAN_INTERVAL] * 3
    broken = new_policy(STORED.replace("exponential:2:8", "exponential:2"), seen=False)
    broken._tried_cache = True
    assert gaps_between_scans(broken, 2) == [conn.RESCAN_INTERVAL] * 2


def test_the_waits_begin_again_after_a_join_and_after_autoscan():
    policy = new_policy(f'autoscan=exponential:2:8\nnetwork={{\n\tssid="{SSID.decode()}"\n\tpsk="x1234567"\n}}\n',
                        seen=False)
    policy._tried_cache = True
    assert gaps_between_scans(policy, 3) == [2, 4, 8]
    policy.autoscan_changed()  # AUTOSCAN while scanning: wpa_supplicant_reinit_autoscan
    assert gaps_between_scans(policy, 2, start=100.0) == [2, 4]
    drain(policy)
    policy.table.update([beacon()], 200.0)  # the AP is back: joined, past SCANNING
    policy.handle_timer(policy.get_timer())
    policy.scan_done(201.0)
    assert isinstance(drain(policy)[0][0], conn.Associate)
    policy.disconnect(202.0)  # DISCONNECT, the AP gone again, RECONNECT
    policy.table.flush(0.0, 300.0)
    policy.reconnect(300.0)
    assert gaps_between_scans(policy, 2, start=300.0, kick=False) == [2, 4]
