"""What a radio's monitor hears of the BSS table, the networks and the end, side by side: Debian wpa_supplicant 2.10
-D nl80211 and pywps -D nl80211 on wlan1, one after the other, each with an empty scan cache, against Debian
hostapd (WPS AP) on wlan0.

What wpa_supplicant 2.10 says (bss.c, wpa_supplicant.c), and pywps now says:
- CTRL-EVENT-BSS-ADDED <id> <bssid> for each BSS a scan adds to the table, before CTRL-EVENT-SCAN-RESULTS; ids
  grow from 0 and are not reused;
- CTRL-EVENT-BSS-REMOVED <id> <bssid> for each BSS leaving it (BSS_FLUSH here);
- at the end (TERMINATE): CTRL-EVENT-DISCONNECTED when associated, CTRL-EVENT-NETWORK-REMOVED for every network,
  CTRL-EVENT-BSS-REMOVED for every BSS left, then CTRL-EVENT-TERMINATING.
wpa_cli's interactive mode keeps its BSSID completions from the BSS events, and wpa_gui's Peers window lists the
APs it is told of by CTRL-EVENT-BSS-ADDED.

Runs only in the hwsim VM (tests/vm/run.sh).
"""

from __future__ import annotations

import re
import time

from hwlab import sta_conf

PROGRAMS = ("wpa_supplicant", "pywps")
# the events compared; the rest of what a monitor hears on these steps is compared in other tests
COMPARED = re.compile(r"CTRL-EVENT-(BSS-ADDED|BSS-REMOVED|NETWORK-ADDED|NETWORK-REMOVED|DISCONNECTED|TERMINATING)")


def heard(sta, until: str | None, timeout: float = 90) -> list[str]:
    """The compared events up to the first matching `until` (None: those of the next second)."""
    if until is not None:
        sta.monitor.wait(until, timeout)
    else:
        try:
            sta.monitor.wait(r"^$(?!)", 1.0)  # matches nothing: gathers a second's events
        except AssertionError:
            pass
    events = [e.rstrip() for e in sta.monitor.events if COMPARED.match(e)]
    sta.monitor.events.clear()
    return events


def record(lab, program: str) -> list[tuple[str, list[str]]]:
    ap = lab.hostapd()
    sta = lab.station(sta_conf(), program)
    time.sleep(1)  # no network: neither program scans at start
    steps = []
    sta.monitor.events.clear()
    assert sta.cli("scan").strip() == "OK"
    steps.append(("scan", heard(sta, r"^CTRL-EVENT-SCAN-RESULTS")))
    assert sta.cli("bss_flush", "0").strip() == "OK"
    steps.append(("bss_flush 0", heard(sta, None)))
    assert sta.cli("scan").strip() == "OK"
    steps.append(("scan again", heard(sta, r"^CTRL-EVENT-SCAN-RESULTS")))
    ap.cli("wps_pbc")
    assert sta.cli("wps_pbc").strip() == "OK"
    steps.append(("wps_pbc", heard(sta, r"^CTRL-EVENT-CONNECTED")))
    time.sleep(1)
    sta.monitor.events.clear()
    assert sta.cli("terminate").strip() == "OK"
    steps.append(("terminate", heard(sta, r"^CTRL-EVENT-TERMINATING", 15)))
    lab.restart()
    return steps


def test_bss_network_and_ending_events_match_wpa_supplicant(lab):
    got = {program: record(lab, program) for program in PROGRAMS}
    theirs = dict(got["wpa_supplicant"])
    assert theirs["scan"] == ["CTRL-EVENT-BSS-ADDED 0 02:00:00:00:00:00"], theirs
    assert theirs["terminate"][-1] == "CTRL-EVENT-TERMINATING", theirs
    differ = [f"{step}:\n  wpa_supplicant: {events}\n  pywps:          {ours}"
              for (step, events), (_, ours) in zip(got["wpa_supplicant"], got["pywps"]) if events != ours]
    assert not differ, "\n".join(differ)
