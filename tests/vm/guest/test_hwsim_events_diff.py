"""What a radio's monitor hears of scans, the BSS table, the networks and the end, side by side: Debian
wpa_supplicant 2.10 -D nl80211 on wlan1 and pywps -D nl80211 on wlan3 at the same time (each radio has its own scan
cache), with Debian hostapd on wlan0 (channel 1, the WPS AP) and wlan2 (channel 6, stopped midway); then a hidden
AP alone.

What wpa_supplicant 2.10 says (bss.c, scan.c, wpa_supplicant.c, events.c), and pywps now says:
- CTRL-EVENT-BSS-ADDED <id> <bssid> for each BSS a scan adds to the table, before CTRL-EVENT-SCAN-RESULTS; ids
  grow from 0 and are never reused; CTRL-EVENT-BSS-REMOVED <id> <bssid> for each one that leaves it:
  - BSS_FLUSH;
  - missing from bss_expiration_scan_count (2) scans that covered its channel, once the kernel's own cache has
    let it go (SCAN only_new=1 flushes that cache; else it keeps an AP 30 s): a scan of other channels counts no
    miss;
  - not seen for bss_expiration_age seconds, checked every 10 s without any scan (10 s here: BSS_EXPIRE_AGE);
- another program's scan (`iw scan`): CTRL-EVENT-SCAN-STARTED, then its results in the table as a scan of ours;
- SCAN use_id=1: the scan's id as the reply and in its two events;
- `SCAN ssid <hex>` probes for a hidden SSID, and the AP is then two entries (its beacons', SSID empty, and its
  answer's);
- after a scan of its own (not another program's) that offers no network to join, with no network at all too:
  CTRL-EVENT-NETWORK-NOT-FOUND;
- after DISCONNECT, a scan says no WPS-AP-AVAILABLE nor NETWORK-NOT-FOUND; a WPS run lifts DISCONNECT and joins
  its credential;
- ENABLE_NETWORK, RECONNECT after DISCONNECT and SELECT_NETWORK choose from results at most 5 s old first
  (wpa_supplicant_fast_associate): CTRL-EVENT-NETWORK-NOT-FOUND at once when they offer nothing, then a scan;
  from older results, only the scan's;
- after a WPS run whose credential's network is not on the air, the next 5 scans cover the run's channel alone,
  half a second apart, and only the last says CTRL-EVENT-NETWORK-NOT-FOUND (wpa_supplicant's after_wps);
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
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from hwlab import (AP2_MAC, AP_MAC, HEARD_AT_ONCE, ScanWatch, fresh_scan_cache, scan_watches, side_by_side, sta_conf,
                   undisturbed, wait_for)

PIN = "12345670"
RADIOS = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
UUIDS = {"wpa_supplicant": "2b1a0000-0000-4000-8000-000000000001", "pywps": "2b1a0000-0000-4000-8000-000000000002"}
SECOND = "second"  # the SSID of the AP on channel 6
# the events compared; the rest of what a monitor hears on these steps is compared in other tests
COMPARED = re.compile(r"CTRL-EVENT-(BSS-ADDED|BSS-REMOVED|NETWORK-ADDED|NETWORK-REMOVED|DISCONNECTED|TERMINATING)")
# on the scan steps: everything a scan says (no scan of the programs' own comes between)
SCAN_EVENTS = re.compile(r"CTRL-EVENT-(SCAN-STARTED|SCAN-RESULTS|BSS-ADDED|BSS-REMOVED|NETWORK-NOT-FOUND)"
                         r"|WPS-AP-AVAILABLE")
SEARCH_EVENTS = re.compile(r"CTRL-EVENT-(SCAN-STARTED|SCAN-RESULTS|NETWORK-NOT-FOUND)")


def heard(sta, until: str | None, seconds: float = 90, compared: re.Pattern = COMPARED) -> list[str]:
    """The compared events up to the first matching `until` (None: those of the next `seconds`); on the scan
    steps, with what follows the results in the next second (WPS-AP-AVAILABLE, NETWORK-NOT-FOUND)."""
    if until is not None:
        sta.monitor.wait(until, seconds)
        if compared is not COMPARED:
            sta.monitor.gather(1)
    else:
        sta.monitor.gather(seconds)
    events = [e.rstrip() for e in sta.monitor.events if compared.match(e)]
    sta.monitor.events.clear()
    return events


def scan(sta, *args: str, reply: str = "OK", compared: re.Pattern = COMPARED) -> list[str]:
    assert sta.cli("scan", *args).strip() == reply
    return heard(sta, r"^CTRL-EVENT-SCAN-RESULTS", compared=compared)


def others_scan(sta) -> list[str]:
    """A scan of another program on the station's radio: `iw scan`, all channels, the wildcard SSID."""
    subprocess.run(["iw", "dev", RADIOS[sta.program], "scan", "trigger"], check=True, timeout=10)
    return heard(sta, r"^CTRL-EVENT-SCAN-RESULTS", compared=SCAN_EVENTS)


def hidden_entries(sta) -> list[str]:
    """The hidden AP's SSIDs in scan_results once both of its entries are there, and how many BSS-ADDED told
    of them: `scan ssid <hex>` of its channel brings its answer at once; its beacon (SSID empty) comes when a
    scan's dwell on channel 6 catches one."""
    added = []
    for _ in range(8):
        added += [e for e in scan(sta, "freq=2437", "ssid", SECOND.encode().hex()) if e.endswith(AP2_MAC)]
        ssids = sorted(row.split("\t")[4] for row in sta.cli("scan_results").splitlines() if row.startswith(AP2_MAC))
        if len(ssids) == 2:
            break
    return [*ssids, f"{len(added)} added"]


def script(sta, ap, ap2_changes: threading.Barrier) -> list[tuple[str, list[str]]]:
    def ap2_change() -> None:  # both programs are here: the test stops the AP on channel 6
        ap2_changes.wait(120)
        ap2_changes.wait(30)

    steps = [("scan", scan(sta))]
    assert sta.cli("bss_flush", "0").strip() == "OK"
    steps.append(("bss_flush 0", heard(sta, None, 1)))
    steps.append(("another program's scan (iw scan trigger)", others_scan(sta)))
    ap2_change()  # it stops; the kernel's cache still holds it for 30 s
    steps.append(("scan freq=2412 only_new=1 use_id=1: no miss off channel 1, the kernel's cache flushed",
                  scan(sta, "freq=2412", "only_new=1", "use_id=1", reply="1", compared=SCAN_EVENTS)))
    steps.append(("scan: its first miss", scan(sta)))
    steps.append(("scan: its second miss", scan(sta)))
    assert sta.cli("disconnect").strip() == "OK"  # until the WPS run below lifts it
    steps.append(("scan after DISCONNECT: no WPS-AP-AVAILABLE", scan(sta, compared=SCAN_EVENTS)))
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
    ap = lab.hostapd(**HEARD_AT_ONCE)
    ap2 = lab.hostapd("wlan2", channel="6", ssid=SECOND, **HEARD_AT_ONCE)
    # both APs in each radio's cache, in channel order, before the programs start: their first scan reads them
    # from it in that order (where their ranking ties, as here, both number new BSSes in the kernel's order),
    # whatever that scan hears. In CI the first scan of a loaded guest has missed the AP on channel 1
    # (wpa_supplicant's), or one radio's cache had heard it last (pywps's): the APs were numbered the other way
    for iface in RADIOS.values():
        fresh_scan_cache(iface, freqs=("2412", "2437"), bssids=(AP_MAC, AP2_MAC))
    stations = {program: lab.station(sta_conf(uuid=UUIDS[program]), program, iface=iface)
                for program, iface in RADIOS.items()}
    time.sleep(1)  # no network: neither program scans at start
    ap2_changes = threading.Barrier(len(stations) + 1)
    with ThreadPoolExecutor(len(stations)) as pool:
        futures = {program: pool.submit(script, sta, ap, ap2_changes) for program, sta in stations.items()}
        try:
            ap2_changes.wait(120)
            ap2.stop()
            ap2_changes.wait(30)
        except threading.BrokenBarrierError:
            pass  # a script failed before: its error is the one to see
        failed = [e for f in futures.values()
                  if (e := f.exception()) is not None and not isinstance(e, threading.BrokenBarrierError)]
        if failed:
            raise failed[0]
        got = {program: future.result() for program, future in futures.items()}
    theirs = dict(got["wpa_supplicant"])
    assert theirs["scan"] == [f"CTRL-EVENT-BSS-ADDED 0 {AP_MAC}", f"CTRL-EVENT-BSS-ADDED 1 {AP2_MAC}"], theirs
    assert theirs["scan: its second miss"] == [f"CTRL-EVENT-BSS-REMOVED 3 {AP2_MAC}"], theirs
    assert theirs["terminate"][-1] == "CTRL-EVENT-TERMINATING", theirs
    differ = [f"{step}:\n  wpa_supplicant: {events}\n  pywps:          {ours}"
              for (step, events), (_, ours) in zip(got["wpa_supplicant"], got["pywps"]) if events != ours]
    assert not differ, "\n".join(differ)


def test_a_hidden_ap_is_two_entries_as_in_wpa_supplicant(lab):
    """A hidden AP alone (its own test: whether cfg80211 still lists a hidden AP stopped a moment ago depends on
    the order its two entries were last heard, which would make what follows it a matter of chance)."""
    fresh_scan_cache("wlan3")
    lab.hostapd("wlan2", channel="6", ssid=SECOND, ignore_broadcast_ssid="1")
    stations = {program: lab.station(sta_conf(uuid=UUIDS[program]), program, iface=iface)
                for program, iface in RADIOS.items()}
    time.sleep(1)
    got = side_by_side(stations, hidden_entries)
    assert got["wpa_supplicant"] == ["", SECOND, "2 added"], got
    assert got["pywps"] == got["wpa_supplicant"]


def asked_to_connect(sta) -> list[tuple[str, list[str]]]:
    """Requests to connect to a network that is not on the air, with recent results and with older ones."""
    def request(*args: str) -> list[str]:
        assert sta.cli(*args).strip() == "OK"
        return heard(sta, r"^CTRL-EVENT-SCAN-RESULTS", compared=SEARCH_EVENTS)  # the scan it starts, then 1 s

    steps = [("scan, the network disabled", scan(sta, compared=SEARCH_EVENTS))]
    steps.append(("enable_network, results ~1 s old", request("enable_network", "0")))
    assert sta.cli("disconnect").strip() == "OK"
    steps.append(("reconnect after disconnect, results ~1 s old", request("reconnect")))
    assert sta.cli("disconnect").strip() == "OK"
    time.sleep(6)
    steps.append(("reconnect after disconnect, results 7 s old", request("reconnect")))
    steps.append(("select_network, results ~1 s old", request("select_network", "0")))
    assert sta.cli("disconnect").strip() == "OK"
    return steps


def test_a_request_to_connect_says_network_not_found_from_recent_results_as_wpa_supplicant(lab):
    fresh_scan_cache("wlan3")
    lab.hostapd()
    conf = sta_conf() + 'network={\n\tssid="absent"\n\tkey_mgmt=NONE\n\tdisabled=1\n}\n'
    stations = {program: lab.station(conf, program, iface=iface) for program, iface in RADIOS.items()}
    time.sleep(1)  # no enabled network: neither program scans at start
    got = side_by_side(stations, asked_to_connect)
    theirs = dict(got["wpa_supplicant"])
    not_found, started, results = ("CTRL-EVENT-NETWORK-NOT-FOUND", "CTRL-EVENT-SCAN-STARTED",
                                   "CTRL-EVENT-SCAN-RESULTS")
    assert theirs["reconnect after disconnect, results ~1 s old"] == [not_found, started, results, not_found], theirs
    assert theirs["reconnect after disconnect, results 7 s old"] == [started, results, not_found], theirs
    differ = [f"{step}:\n  wpa_supplicant: {events}\n  pywps:          {ours}"
              for (step, events), (_, ours) in zip(got["wpa_supplicant"], got["pywps"]) if events != ours]
    assert not differ, "\n".join(differ)


def after_wps(sta, ap) -> tuple[list[str], list[list[int]]]:
    """A WPS run whose credential names a network that is not on the air; the 6 s after WPS-SUCCESS."""
    ap.cli("wps_pin", UUIDS[sta.program], PIN)
    with ScanWatch(RADIOS[sta.program]) as scans:
        assert sta.cli("wps_pin", "any", PIN).strip() == PIN
        sta.monitor.wait(r"^WPS-SUCCESS", 90)
        sta.monitor.events.clear()
        before = len(scans.finished)
        events = heard(sta, None, 6, compared=SEARCH_EVENTS)
        return events, scans.finished[before:]


def test_after_a_wps_credential_the_runs_channel_is_scanned_as_wpa_supplicant_does(lab, tmp_path):
    from pywps.wps.credential import Credential
    from pywps.wps.defs import AuthType, EncrType

    fresh_scan_cache("wlan3")
    cred = tmp_path / "cred.bin"  # hostapd hands out this credential alone (skip_cred_build, extra_cred)
    elsewhere = Credential(b"elsewhere", AuthType.WPA2PSK, EncrType.AES, b"12345678", bytes(6))
    cred.write_bytes(elsewhere.to_credential_attr())
    ap = lab.hostapd(skip_cred_build="1", extra_cred=str(cred))
    stations = {program: lab.station(sta_conf(uuid=UUIDS[program]), program, iface=iface)
                for program, iface in RADIOS.items()}
    time.sleep(1)
    got = side_by_side(stations, lambda sta: after_wps(sta, ap))
    theirs = got["wpa_supplicant"]
    started, results, not_found = ("CTRL-EVENT-SCAN-STARTED", "CTRL-EVENT-SCAN-RESULTS",
                                   "CTRL-EVENT-NETWORK-NOT-FOUND")
    assert theirs == ([started, results] * 4 + [started, results, not_found], [[2412]] * 5), got
    assert got["pywps"] == theirs


def test_scans_for_networks_with_scan_freq_cover_those_channels_as_wpa_supplicant(lab):
    """Two enabled networks not on the air, each with a scan_freq: from the start, each scan covers the union of
    their channels, and a scan ends with CTRL-EVENT-NETWORK-NOT-FOUND; a third enabled network without one makes
    the next scans cover every channel. The channels are read from the kernel (`iw event`)."""
    networks = ('network={\n\tssid="absent"\n\tkey_mgmt=NONE\n\tscan_freq=2462 2412\n}\n'
                'network={\n\tssid="gone"\n\tkey_mgmt=NONE\n\tscan_freq=2412\n}\n')

    started, results, not_found = ("CTRL-EVENT-SCAN-STARTED", "CTRL-EVENT-SCAN-RESULTS",
                                   "CTRL-EVENT-NETWORK-NOT-FOUND")

    def scanned(sta) -> tuple[list[str], list[list[int]]]:
        scans = watches[sta.program]
        wait_for(lambda: len(scans.finished) >= 2, 60, "two scans")

        # the monitor may attach while the first scan is under way or over (a loaded machine): the events compared
        # are those of the first whole scan it hears; the kernel's channels are those of the scans from the start
        def first_whole_scan() -> list[str]:
            sta.monitor.gather(0.2)
            events = [e.rstrip() for e in sta.monitor.events if SEARCH_EVENTS.match(e)]
            whole = events[events.index(started):][:3] if started in events else []
            return whole if len(whole) == 3 else []

        whole = wait_for(first_whole_scan, 30, "a whole scan heard")
        sta.monitor.events.clear()
        limited = scans.finished[:2]
        assert sta.cli("add_network").strip() == "2"
        for field, value in (("ssid", '"third"'), ("key_mgmt", "NONE")):
            assert sta.cli("set_network", "2", field, value).strip() == "OK"
        before = len(scans.finished)
        assert sta.cli("enable_network", "2").strip() == "OK"
        wait_for(lambda: len(scans.finished) > before, 30, "a scan after the third network came")
        return whole, limited + scans.finished[before:before + 1]

    with scan_watches(RADIOS) as watches:
        stations = {program: lab.station(sta_conf() + networks, program, iface=iface)
                    for program, iface in RADIOS.items()}
        got = side_by_side(stations, scanned)
    events, channels = got["wpa_supplicant"]
    assert events == [started, results, not_found], got
    assert channels[:2] == [[2412, 2462]] * 2 and len(channels[2]) > 2, got
    assert got["pywps"] == got["wpa_supplicant"]


def test_the_global_freq_list_limits_every_scan_that_names_no_channels_as_wpa_supplicant(lab):
    """freq_list=2462 2412 in the file: the scans for a network (at start and after), a SCAN command's, each
    cover those channels; `SCAN freq=2437` names its own. The channels are read from the kernel (`iw event`)."""
    conf = sta_conf() + "freq_list=2462 2412\n" + 'network={\n\tssid="absent"\n\tkey_mgmt=NONE\n}\n'

    def scanned(sta) -> list[list[int]]:
        scans = watches[sta.program]
        wait_for(lambda: len(scans.finished) >= 2, 60, "two scans")
        for args in ((), ("freq=2437",)):
            before = len(scans.finished)
            wait_for(lambda: sta.cli("scan", *args).strip() == "OK", 30, "a SCAN taken")  # not FAIL-BUSY
            wait_for(lambda: len(scans.finished) > before, 30, "the SCAN's scan")
        return scans.finished[:2] + scans.finished[-2:]

    with scan_watches(RADIOS) as watches:
        stations = {program: lab.station(conf, program, iface=iface) for program, iface in RADIOS.items()}
        got = side_by_side(stations, scanned)
    theirs = got["wpa_supplicant"]
    assert [sorted(channels) for channels in theirs] == [[2412, 2462]] * 3 + [[2437]], got
    assert got["pywps"] == theirs


def test_a_scan_the_kernel_refuses_is_reported_and_tried_again_as_wpa_supplicant(lab):
    """A network whose scan_freq names no channel of the radio (1 MHz): the kernel refuses every scan for it
    (EINVAL), which each program reports as CTRL-EVENT-SCAN-FAILED ret=-22 retry=1 and tries again a second
    later (pywps used to report ret=-1 with the kernel's words and wait SCAN_INTERVAL, 5 s); a SCAN command
    covers every channel and runs. Debian wpa_supplicant on wlan1 and pywps on wlan3."""
    conf = sta_conf() + 'network={\n\tssid="absent"\n\tkey_mgmt=NONE\n\tscan_freq=1\n}\n'
    stations = {program: lab.station(conf, program, iface=iface) for program, iface in RADIOS.items()}
    failed = r"^CTRL-EVENT-SCAN-FAILED"

    def refused(sta) -> tuple[list[str], bool, list[str]]:
        sta.monitor.wait(failed, 60)
        sta.monitor.events.clear()
        sta.monitor.gather(4)  # a retry a second: 3 or 4 more (one SCAN_INTERVAL, 5 s, would give none)
        texts = [e.rstrip() for e in sta.monitor.events if e.startswith("CTRL-EVENT-SCAN")]
        sta.monitor.events.clear()
        return sorted(set(texts)), len(texts) >= 2, scan(sta, compared=SEARCH_EVENTS)

    got = side_by_side(stations, refused)
    assert got["wpa_supplicant"][:2] == (["CTRL-EVENT-SCAN-FAILED ret=-22 retry=1"], True), got
    assert got["wpa_supplicant"][2][:2] == ["CTRL-EVENT-SCAN-STARTED", "CTRL-EVENT-SCAN-RESULTS"], got
    assert got["pywps"] == got["wpa_supplicant"]


JOIN_EVENTS = re.compile(r"CTRL-EVENT-(SCAN-STARTED|SCAN-RESULTS|NETWORK-NOT-FOUND|CONNECTED)|Trying to associate")


def test_a_scan_commands_results_are_chosen_from_unless_type_only_as_wpa_supplicant(lab):
    """A stored network whose AP is not up yet, scans every 60 s (SCAN_INTERVAL): `SCAN TYPE=ONLY` gives results
    and no selection (no NETWORK-NOT-FOUND; once the AP is up, no join); a plain SCAN's results are chosen from
    at once, so the network is joined without waiting for the next scan of the program's own. Debian
    wpa_supplicant on wlan1 and pywps on wlan3."""
    fresh_scan_cache("wlan3")
    conf = sta_conf() + 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n}\n'
    stations = {program: lab.station(conf, program, iface=iface) for program, iface in RADIOS.items()}

    def slowed(sta) -> list[str]:
        sta.monitor.wait(r"^CTRL-EVENT-NETWORK-NOT-FOUND", 60)
        assert sta.cli("scan_interval", "60").strip() == "OK"
        sta.monitor.events.clear()
        sta.monitor.wait(r"^CTRL-EVENT-NETWORK-NOT-FOUND", 30)  # the scan already planned; the next in 60 s
        sta.monitor.events.clear()
        return scan(sta, "TYPE=ONLY", compared=JOIN_EVENTS)

    def scanned(sta) -> tuple[list[str], list[str]]:
        only = scan(sta, "TYPE=ONLY", compared=JOIN_EVENTS)
        assert sta.cli("scan").strip() == "OK"
        return only, heard(sta, r"^CTRL-EVENT-CONNECTED", 30, compared=JOIN_EVENTS)

    got = {program: [events] for program, events in side_by_side(stations, slowed).items()}
    lab.hostapd()
    for program, (only, joined) in side_by_side(stations, scanned).items():
        got[program] += [only, joined]
    started, results = "CTRL-EVENT-SCAN-STARTED", "CTRL-EVENT-SCAN-RESULTS"
    trying = f"Trying to associate with {AP_MAC} (SSID='jkm-wps-test' freq=2412 MHz)"
    assert got["wpa_supplicant"] == [[started, results]] * 2 + [
        [started, results, trying, f"CTRL-EVENT-CONNECTED - Connection to {AP_MAC} completed [id=0 id_str=]"]], got
    assert got["pywps"] == got["wpa_supplicant"]


def test_select_network_freq_limits_the_next_scan_as_wpa_supplicant(lab):
    """SELECT_NETWORK 0 freq=2437 for a network not on the air: the scan it starts covers channel 6 alone, the
    next one every channel (wpa_supplicant's select_network_scan_freqs, used once). Channels read from the
    kernel (`iw event`)."""
    conf = sta_conf() + 'network={\n\tssid="absent"\n\tkey_mgmt=NONE\n\tdisabled=1\n}\n'

    def selected(sta) -> list[list[int]]:
        scans = watches[sta.program]
        time.sleep(1)  # no enabled network: no scan at start
        before = len(scans.finished)
        assert sta.cli("select_network", "0", "freq=2437").strip() == "OK"
        wait_for(lambda: len(scans.finished) >= before + 2, 60, "two scans")
        return scans.finished[before:before + 2]

    with scan_watches(RADIOS) as watches:
        stations = {program: lab.station(conf, program, iface=iface) for program, iface in RADIOS.items()}
        got = side_by_side(stations, selected)
    assert got["wpa_supplicant"][0] == [2437] and len(got["wpa_supplicant"][1]) > 2, got
    assert got["pywps"] == got["wpa_supplicant"]


def waits_between_scans(sta, count: int) -> list[int]:
    """The seconds (rounded) from each of the next `count` scans' results to the start of the scan after, and
    STATUS's wpa_state in the first of those waits."""
    gaps: list[int] = []
    results_at = None
    deadline = time.monotonic() + 120
    while len(gaps) < count and (event := sta.monitor._next(deadline)) is not None:
        if event.startswith("CTRL-EVENT-SCAN-RESULTS"):
            results_at = time.monotonic()
        elif event.startswith("CTRL-EVENT-SCAN-STARTED") and results_at is not None:
            gaps.append(round(time.monotonic() - results_at))
            results_at = None
    return gaps


def test_autoscan_spaces_the_scans_for_a_missing_network_as_wpa_supplicant(lab):
    """autoscan=exponential:2:8 in the file, the stored network nowhere: the waits between the scans grow
    2, 4, 8, 8 s. Then `AUTOSCAN periodic:3`, sent just after a scan's results: the waits from the next results on.
    Then `AUTOSCAN ` (none): SCAN_INTERVAL's 5 s."""
    conf = sta_conf() + "autoscan=exponential:2:8\n" + 'network={\n\tssid="nowhere"\n\tkey_mgmt=NONE\n}\n'

    def waits(sta) -> dict[str, object]:
        seen: dict[str, object] = {"exponential": waits_between_scans(sta, 4)}
        sta.monitor.events.clear()
        sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 60)
        seen["state"] = re.search(r"^wpa_state=(\S+)", sta.cli("status"), re.M)[1]
        assert sta.cli("autoscan", "periodic:3").strip() == "OK"
        seen["periodic"] = waits_between_scans(sta, 4)
        sta.monitor.events.clear()
        sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 60)
        assert sta.cli("autoscan", "").strip() == "OK"
        seen["none"] = waits_between_scans(sta, 3)
        return seen

    def both() -> dict[str, dict[str, object]]:
        return side_by_side({program: lab.station(conf, program, iface=iface) for program, iface in RADIOS.items()},
                            waits)

    # The first exponential wait is left out: Debian wpa_supplicant's measured 2, 1 and 0 s in full guest runs
    # (its autoscan starts with a state change that may come before or after the first scan's results); pywps's
    # is 2 s. Once, with three VMs on two cores, it measured 0, 0, 8, 8: its start then gets a second chance.
    # wpa_supplicant's 4, 8, 8 is what the comparison rests on.
    got = undisturbed(lab, both, lambda got: not within_a_second(got["wpa_supplicant"]["exponential"][1:], [4, 8, 8]),
                      2)
    mine, reference = got["pywps"], got["wpa_supplicant"]
    assert mine["state"] == reference["state"] and mine["exponential"][0] == 2, got
    for schedule, first in (("exponential", 1), ("periodic", 0), ("none", 0)):
        assert within_a_second(mine[schedule][first:], reference[schedule][first:]), (schedule, got)


def within_a_second(waits: list[int], others: list[int]) -> bool:
    """The same waits, each give or take the second that an event's way to the test can add under TCG (Debian
    wpa_supplicant's first exponential wait once measured 1 s in a full guest run)."""
    return len(waits) == len(others) and all(abs(a - b) <= 1 for a, b in zip(waits, others))
