"""A WPS run and the BSSID ignore list, Debian wpa_supplicant against pywps on wlan1 (one after the other), Debian
hostapd on wlan0.

A WPS run skips every AP in the ignore list, and when that leaves none it clears the list and chooses again
(wpa_supplicant_pick_network: "No APs found - clear BSSID ignore list and try again"): an AP that BSSID_IGNORE
put there is joined after the run's first scan. A PIN run's attempt that ends without success (the AP's
registrar does not know the PIN: WPS-M2D) puts the AP in the list, leaves the link and scans at once
(wpas_wps_eapol_cb); that scan's choice clears the list and takes the same AP again (compared through the
second association, whose WPS-M2D both programs must say). A wrong PIN does the same at its EAP-Failure, but the
run's network is removed 0.1 s after WPS-FAIL, before that scan ends: its results find no network and clear the
list, as the results of any scan of the station's own that find nothing past the list do. A refused association
(status 17: the test answers the association requests, as test_hwsim_rejects does) puts the AP in the list too
(wpas_connection_failed), and the next attempt follows the same way. A PIN run takes an AP whose registrar is not
active for it only after three scans and five seconds. Compared: the lines below with their levels, in order.
Each AP beacons every 20 TU, so that the first scan hears it even while the test handles its frames (HEARD_AT_ONCE).
Left out: "CTRL-EVENT-DSCP-POLICY clear_all", which wpa_supplicant says after each link it leaves (pywps has no
QoS Management: test_hwsim_mfp), and the timing (pywps scans the AP's channel first again before each new
attempt of a run, where wpa_supplicant scans every channel after the run's first scan)."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from netlab import Monitor
from test_hwsim_rejects import refuse_associations

from hwlab import AP_MAC, HEARD_AT_ONCE, one_after_the_other, request, sta_conf, undisturbed, wsc_message_type
from pywps.wps.defs import MsgType

SAID = re.compile(r"^(SME: |Trying to associate|Associated with|WPS-|WPA: |CTRL-EVENT-(?!BSS-|DSCP-POLICY))")
PIN = "12345670"
LOG_LINES = r"SME|scan|ignore|WPS|DISCONNECTED|REJECT"


def said(sta) -> list[str]:
    """The lines SAID matches that the station said since the test cleared its monitor, each with its level."""
    return [f"<{level}>{text}" for level, text in sta.monitor.leveled if SAID.search(text)]


def pbc_with_the_ap_ignored(lab, program: str) -> list[object]:
    ap = lab.hostapd(**HEARD_AT_ONCE)
    sta = lab.station(sta_conf(), program)
    assert sta.cli("bssid_ignore", AP_MAC).strip() == "OK"
    assert "OK" in ap.cli("wps_pbc")
    sta.monitor.leveled.clear()
    assert sta.cli("wps_pbc").strip() == "OK"
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED ", 60)
    return [said(sta), "BSSID_IGNORE: " + sta.cli("bssid_ignore")]


def m2d_twice(lab, program: str) -> list[str]:
    lab.hostapd(**HEARD_AT_ONCE)  # no PIN given to its registrar: M2D
    sta = lab.station(sta_conf(), program)
    sta.monitor.leveled.clear()
    assert sta.cli("wps_pin", AP_MAC, PIN).strip() == PIN
    for _ in range(2):
        sta.monitor.wait(r"^WPS-M2D ", 60)
        sta.monitor.events.clear()
    sta.cli("wps_cancel")
    # through the second association: after it wpa_supplicant's EAP-STARTED may come before or after its
    # SUBNET-STATUS-UPDATE (the AP's first EAP frame can overtake the association event)
    lines = said(sta)
    second = [i for i, t in enumerate(lines) if t.startswith("<3>Associated with")][1]
    return lines[:second + 1]


def refused_twice(lab, program: str) -> list[str]:
    ap = lab.hostapd(**HEARD_AT_ONCE)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert request(ap_ctrl, "SET ext_mgmt_frame_handling 1") == "OK\n"
    assert "OK" in ap.cli("wps_pin", "any", PIN)
    stop = threading.Event()
    answering = threading.Thread(target=refuse_associations, args=(ap_ctrl, stop))
    answering.start()
    try:
        sta = lab.station(sta_conf(), program)
        sta.monitor.leveled.clear()
        assert sta.cli("wps_pin", "any", PIN).strip() == PIN
        for _ in range(3):
            sta.monitor.wait(r"^SME: Trying to authenticate", 60)
            sta.monitor.events.clear()
        sta.cli("wps_cancel")
        lines = said(sta)
        third = [i for i, t in enumerate(lines) if "SME: Trying" in t][2]
        return lines[:third + 1]
    finally:
        stop.set()
        answering.join()


def test_a_pbc_run_takes_the_ap_the_ignore_list_holds_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, pbc_with_the_ap_ignored, LOG_LINES)
    report = json.dumps(seen, indent=1)
    lines, ignore = seen["wpa_supplicant"]
    # what the comparison rests on: one scan before the association, and the list empty at the end
    assert sum(1 for t in lines[:lines.index(next(t for t in lines if "SME: " in t))] if "SCAN-STARTED" in t) == 1
    assert ignore == "BSSID_IGNORE: ", report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def test_a_pin_run_after_an_m2d_tries_the_ap_again_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, m2d_twice, LOG_LINES)
    report = json.dumps(seen, indent=1)
    lines = seen["wpa_supplicant"]
    # three scans before the first association (the AP's registrar is not active), one between the attempts
    first, second = [i for i, t in enumerate(lines) if "SME: Trying" in t]
    assert sum(1 for t in lines[:first] if "SCAN-STARTED" in t) == 3, report
    assert sum(1 for t in lines[first:second] if "SCAN-STARTED" in t) == 1, report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def test_a_pin_run_after_a_refused_association_tries_the_ap_again_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, refused_twice, LOG_LINES)
    report = json.dumps(seen, indent=1)
    assert sum(1 for t in seen["wpa_supplicant"] if "ASSOC-REJECT" in t) == 2, report
    assert seen["pywps"] == seen["wpa_supplicant"], report



# How often a program's wrong-PIN run is tried for its EAP-Failure to come in time (see below)
WRONG_PIN_TRIES = 3


def wrong_pin(lab, program: str) -> list[object] | None:
    """None when its EAP-Failure came after the run's 0.1 s: no scan, nothing to compare (see the test)."""
    ap = lab.hostapd(**HEARD_AT_ONCE)
    assert "OK" in ap.cli("wps_pin", "any", "87654325")  # not the station's
    sta = lab.station(sta_conf(), program)
    sta.monitor.leveled.clear()
    assert sta.cli("wps_pin", AP_MAC, PIN).strip() == PIN
    sta.monitor.wait(r"^CTRL-EVENT-NETWORK-REMOVED", 90)
    lines = said(sta)
    if not any("SCAN-STARTED" in t for t in lines[lines.index("<3>WPS-FAIL msg=8 config_error=18"):]):
        return None
    sta.monitor.wait(r"^CTRL-EVENT-NETWORK-NOT-FOUND", 90)
    sta.monitor.gather(1)
    lines = said(sta)
    return [lines[lines.index("<3>WPS-FAIL msg=8 config_error=18"):], "BSSID_IGNORE: " + sta.cli("bssid_ignore"),
            sta.cli("list_networks"), sta.cli("status").splitlines()[0]]


def wrong_pin_in_time(lab, program: str) -> list[object]:
    return undisturbed(lab, lambda: wrong_pin(lab, program), lambda seen: seen is None, WRONG_PIN_TRIES)


# How long hostapd is stopped after it sends M4: the station's WSC_NACK waits in its socket, so its EAP-Failure
# comes about that late
AP_STOPPED = 0.5


def pass_on_frames(ap_ctrl: str, ap_pid: int, stop: threading.Event) -> int:
    """Pass on every EAPOL frame hostapd hands over (ext_eapol_frame_io) at once; after M4, stop hostapd for
    AP_STOPPED seconds. How many M4s it held after."""
    frames = Monitor(ap_ctrl)
    held = 0
    try:
        while not stop.is_set():
            frames.gather(0.05)
            sent = [m for text in frames.events if (m := re.match(r"^EAPOL-TX (\S+) (\S+)", text))]
            frames.events.clear()
            for m in sent:
                assert request(ap_ctrl, f"EAPOL_TX {m[1]} {m[2]}") == "OK\n"
                if wsc_message_type(bytes.fromhex(m[2])) is MsgType.M4:
                    os.kill(ap_pid, signal.SIGSTOP)
                    time.sleep(AP_STOPPED)
                    os.kill(ap_pid, signal.SIGCONT)
                    held += 1
        return held
    finally:
        frames.close()


def wrong_pin_failure_late(lab, program: str) -> list[object]:
    ap = lab.hostapd(**HEARD_AT_ONCE)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert "OK" in ap.cli("wps_pin", "any", "87654325")  # not the station's
    assert request(ap_ctrl, "SET ext_eapol_frame_io 1") == "OK\n"
    stop = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        relay = pool.submit(pass_on_frames, ap_ctrl, ap.proc.pid, stop)
        try:
            sta = lab.station(sta_conf(), program)
            sta.monitor.leveled.clear()
            assert sta.cli("wps_pin", AP_MAC, PIN).strip() == PIN
            sta.monitor.wait(r"^CTRL-EVENT-NETWORK-REMOVED", 90)
            sta.monitor.gather(2 + AP_STOPPED)  # the EAP-Failure's time, and what would follow it
        finally:
            stop.set()
        assert relay.result() == 1
    lines = said(sta)
    return [lines[lines.index("<3>WPS-FAIL msg=8 config_error=18"):], "BSSID_IGNORE: " + sta.cli("bssid_ignore"),
            sta.cli("list_networks"), sta.cli("status").splitlines()[0]]


def scan_with_the_ap_ignored(lab, program: str) -> list[object]:
    """SCAN with the AP in the list: with no network, then with one the AP is not of."""
    lab.hostapd(**HEARD_AT_ONCE)
    out = []
    for conf in (sta_conf(), sta_conf() + 'network={\n ssid="elsewhere"\n psk="12345678"\n}\n'):
        sta = lab.station(conf, program)
        sta.monitor.gather(6)  # the start's own scan (with a network) is over
        assert sta.cli("bssid_ignore", AP_MAC).strip() == "OK"
        sta.monitor.leveled.clear()
        sta.monitor.events.clear()
        assert sta.cli("scan").strip() == "OK"
        sta.monitor.wait("CTRL-EVENT-SCAN-RESULTS", 30)
        sta.monitor.gather(2)
        out.append([said(sta), "BSSID_IGNORE: " + sta.cli("bssid_ignore"), sta.cli("status").splitlines()[0]])
        sta.stop()
    return out


def test_a_wrong_pin_leaves_the_ap_scans_and_the_results_clear_the_list_as_wpa_supplicant_does(lab):
    """At the EAP-Failure after WPS-FAIL (hostapd's registrar has another PIN): the AP in the ignore list, the
    link left, a scan started (wpas_wps_eapol_cb); the run's network removed 0.1 s after WPS-FAIL
    (wpas_wps_clear_timeout); that scan's results then find no network and clear the list. pywps's removal waits
    for its scan to start (wpsrun.SCAN_START_WAIT): in a CI run it had come first. Both programs depend on the
    EAP-Failure coming within those 0.1 s: with three busy loops in the guest, and once in CI, wpa_supplicant's
    came later, it removed the network at once and scanned no more (pywps's run ends the same way then). Such a
    run says nothing of the path compared here: it is run again, up to WRONG_PIN_TRIES times."""
    seen = one_after_the_other(lab, wrong_pin_in_time, LOG_LINES)
    report = json.dumps(seen, indent=1)
    lines, ignore, networks, state = seen["wpa_supplicant"]
    assert [t.split(" ")[0] for t in lines if "EAP-" not in t] == [
        "<3>WPS-FAIL", "<3>CTRL-EVENT-DISCONNECTED", "<3>CTRL-EVENT-SCAN-STARTED", "<3>CTRL-EVENT-NETWORK-REMOVED",
        "<3>CTRL-EVENT-SCAN-RESULTS", "<3>WPS-AP-AVAILABLE-AUTH", "<3>CTRL-EVENT-NETWORK-NOT-FOUND"], report
    assert (ignore, networks, state) == ("BSSID_IGNORE: ", "network id / ssid / bssid / flags\n",
                                         "wpa_state=INACTIVE"), report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def test_a_wrong_pins_late_eap_failure_finds_the_run_ended_as_in_wpa_supplicant(lab):
    """The late path, which the test above leaves out (it runs a program again then): hostapd, stopped after it
    sends M4, takes the station's WSC_NACK and answers with its EAP-Failure 0.5 s late. wpa_supplicant's run ends
    0.1 s after WPS-FAIL (wpas_wps_clear_timeout -> wpas_clear_wps): it deauthenticates, then removes the run's
    network; the EAP-Failure finds no link. No ignore-list entry, no scan. pywps's run ends at the same 0.1 s
    (wpsrun's CLEAR_WAIT) with the same outcome, in the same order: the shell ends a run once it has left its link
    (RunEnded.leaves_link). This test found pywps saying the removal first."""
    seen = one_after_the_other(lab, wrong_pin_failure_late, LOG_LINES)
    report = json.dumps(seen, indent=1)
    assert seen["wpa_supplicant"] == [
        ["<3>WPS-FAIL msg=8 config_error=18",
         f"<3>CTRL-EVENT-DISCONNECTED bssid={AP_MAC} reason=3 locally_generated=1", "<3>CTRL-EVENT-NETWORK-REMOVED 0"],
        "BSSID_IGNORE: ", "network id / ssid / bssid / flags\n", "wpa_state=INACTIVE"], report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def test_a_scan_whose_results_offer_nothing_clears_the_ignore_list_as_wpa_supplicant_does(lab):
    """wpa_supplicant_pick_network after each scan of its own: nothing found past the ignore list clears it
    ("No APs found - clear BSSID ignore list and try again"), with no network enabled as with one."""
    seen = one_after_the_other(lab, scan_with_the_ap_ignored, LOG_LINES)
    report = json.dumps(seen, indent=1)
    assert [ignore for _, ignore, _ in seen["wpa_supplicant"]] == ["BSSID_IGNORE: "] * 2, report
    assert seen["pywps"] == seen["wpa_supplicant"], report
