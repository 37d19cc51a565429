"""What a radio's monitor hears of the BSS table, the networks and the end, side by side: Debian wpa_supplicant 2.10
-D nl80211 on wlan1 and pywps -D nl80211 on wlan3 at the same time (each radio has its own scan cache), with
Debian hostapd on wlan0 (channel 1, the WPS AP) and wlan2 (channel 6, stopped midway).

What wpa_supplicant 2.10 says (bss.c, wpa_supplicant.c, events.c), and pywps now says:
- CTRL-EVENT-BSS-ADDED <id> <bssid> for each BSS a scan adds to the table, before CTRL-EVENT-SCAN-RESULTS; ids
  grow from 0 and are never reused; CTRL-EVENT-BSS-REMOVED <id> <bssid> for each one that leaves it:
  - BSS_FLUSH;
  - missing from bss_expiration_scan_count (2) scans that covered its channel, once the kernel's own cache has
    let it go (30 s): a scan of other channels counts no miss;
  - not seen for bss_expiration_age seconds, checked every 10 s without any scan (10 s here: BSS_EXPIRE_AGE);
- after a WPS run, the station's own deauthentication: CTRL-EVENT-DISCONNECTED reason=3 locally_generated=1,
  told when it leaves, whatever the AP's deauthentication (reason 23, ~10 ms after its EAP-Failure) does;
- at the end (TERMINATE): CTRL-EVENT-DISCONNECTED when associated, CTRL-EVENT-NETWORK-REMOVED for every network,
  CTRL-EVENT-BSS-REMOVED for every BSS left, then CTRL-EVENT-TERMINATING.
wpa_cli's interactive mode keeps its BSSID completions from the BSS events, and wpa_gui's Peers window lists the
APs it is told of by CTRL-EVENT-BSS-ADDED.

Runs only in the hwsim VM (tests/vm/run.sh).
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from hwlab import AP2_MAC, AP_MAC, fresh_scan_cache, sta_conf

PIN = "12345670"
RADIOS = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
UUIDS = {"wpa_supplicant": "2b1a0000-0000-4000-8000-000000000001", "pywps": "2b1a0000-0000-4000-8000-000000000002"}
KERNEL_CACHE_SECONDS = 31  # cfg80211 keeps a BSS 30 s after it was last heard (IEEE80211_SCAN_RESULT_EXPIRE)
# the events compared; the rest of what a monitor hears on these steps is compared in other tests
COMPARED = re.compile(r"CTRL-EVENT-(BSS-ADDED|BSS-REMOVED|NETWORK-ADDED|NETWORK-REMOVED|DISCONNECTED|TERMINATING)")


def heard(sta, until: str | None, seconds: float = 90) -> list[str]:
    """The compared events up to the first matching `until` (None: those of the next `seconds`)."""
    if until is not None:
        sta.monitor.wait(until, seconds)
    else:
        sta.monitor.gather(seconds)
    events = [e.rstrip() for e in sta.monitor.events if COMPARED.match(e)]
    sta.monitor.events.clear()
    return events


def scan(sta, *args: str) -> list[str]:
    assert sta.cli("scan", *args).strip() == "OK"
    return heard(sta, r"^CTRL-EVENT-SCAN-RESULTS")


def script(sta, ap, ap2_goes: threading.Barrier) -> list[tuple[str, list[str]]]:
    steps = [("scan", scan(sta))]
    assert sta.cli("bss_flush", "0").strip() == "OK"
    steps.append(("bss_flush 0", heard(sta, None, 1)))
    steps.append(("scan again", scan(sta)))
    ap2_goes.wait(120)  # both programs have scanned it twice: the test stops the AP on channel 6
    ap2_goes.wait(30)
    time.sleep(KERNEL_CACHE_SECONDS)
    steps.append(("scan of channel 1 (the AP on channel 6 gone)", scan(sta, "freq=2412")))
    steps.append(("scan: its first miss", scan(sta)))
    steps.append(("scan: its second miss", scan(sta)))
    assert sta.cli("bss_expire_age", "10").strip() == "OK"
    # the age rule comes at the first 10-s tick after 10 s without a sighting: within 20 s of the last scan
    steps.append(("21 s without a scan, bss_expiration_age 10", heard(sta, None, 21)))
    ap.cli("wps_pin", UUIDS[sta.program], PIN)  # a PIN for this station's UUID: both runs at once
    assert sta.cli("wps_pin", "any", PIN).strip() == PIN
    steps.append(("wps_pin", heard(sta, r"^CTRL-EVENT-CONNECTED")))
    time.sleep(1)
    sta.monitor.events.clear()
    assert sta.cli("terminate").strip() == "OK"
    steps.append(("terminate", heard(sta, r"^CTRL-EVENT-TERMINATING", 15)))
    return steps


def test_bss_network_and_ending_events_match_wpa_supplicant(lab):
    fresh_scan_cache("wlan3")
    ap = lab.hostapd()
    ap2 = lab.hostapd("wlan2", channel="6", ssid="second")
    stations = {program: lab.station(sta_conf(uuid=UUIDS[program]), program, iface=iface)
                for program, iface in RADIOS.items()}
    time.sleep(1)  # no network: neither program scans at start
    ap2_goes = threading.Barrier(len(stations) + 1)
    with ThreadPoolExecutor(len(stations)) as pool:
        futures = {program: pool.submit(script, sta, ap, ap2_goes) for program, sta in stations.items()}
        try:
            ap2_goes.wait(120)
            ap2.stop()
            ap2_goes.wait(30)
        except threading.BrokenBarrierError:
            pass  # a script failed before: its error is the one to see
        got = {program: future.result() for program, future in futures.items()}
    theirs = dict(got["wpa_supplicant"])
    assert theirs["scan"] == [f"CTRL-EVENT-BSS-ADDED 0 {AP_MAC}", f"CTRL-EVENT-BSS-ADDED 1 {AP2_MAC}"], theirs
    assert theirs["scan: its second miss"] == [f"CTRL-EVENT-BSS-REMOVED 3 {AP2_MAC}"], theirs
    assert theirs["terminate"][-1] == "CTRL-EVENT-TERMINATING", theirs
    differ = [f"{step}:\n  wpa_supplicant: {events}\n  pywps:          {ours}"
              for (step, events), (_, ours) in zip(got["wpa_supplicant"], got["pywps"]) if events != ours]
    assert not differ, "\n".join(differ)
