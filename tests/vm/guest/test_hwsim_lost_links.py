"""A link lost, Debian wpa_supplicant against pywps on wlan1 (one after the other), Debian hostapd on wlan0.

wpa_supplicant_event_disassoc_finish: a completed link the AP dropped for a reason it may take back (4,
inactivity; 6 or 7, a frame from a station it forgot) is joined again at once on the same BSS, without a scan
(fast_reconnect); after any other loss a scan comes 0.1 s later, and the join follows from its results. Either
way wpas_connection_failed puts the AP in the BSSID ignore list (a single network's choice clears it again to
take the AP, and the completed link takes it out) and counts a failure in a row; the fourth without a completed
link between disables the network (reason=CONN_FAILED), after a wrong key's own disabling (WRONG_KEY).
SELECT_NETWORK ends a network's disabling and forgets its failures (CTRL-EVENT-SSID-REENABLED), then joins from
the results in hand; of the network the link is with, it leaves the link alone. A port not open 10 s after the
association, or after the AP's first EAPOL frame, is "Authentication with ... timed out.": the link is left with
reason 3, and a wrong key suspected only once message 1 was taken (the AP here hands its frames to the test,
ext_eapol_frame_io, which passes on nothing or message 1 alone). Compared: the lines below with their levels, in
order, and BSSID_IGNORE after each step.
The network has key_mgmt=WPA-PSK (with WPA-EAP, the default, the durations take a random part) and
scan_freq=2412 (the scans take moments, not seconds)."""

from __future__ import annotations

import json
import re

import pytest
from test_hwsim_mfp import network

from hwlab import STA_MAC, one_after_the_other, request, sta_conf
from netlab import Monitor

SAID = re.compile(r"^(SME: |Trying to associate|Associated with|Authentication with|WPA: |CTRL-EVENT-(SCAN-STARTED|"
                  r"SCAN-RESULTS|"
                  r"SSID-TEMP-DISABLED|SSID-REENABLED|CONNECTED|DISCONNECTED))")
NETWORK_ID = re.compile(r" id=\d+")
NETWORK = "\tkey_mgmt=WPA-PSK\n\tscan_freq=2412\n"
# hostapd retries each EAPOL-Key message 4 times, then gives up on the station: here it outlasts the station's
# 10 s (its retries go to the test, which drops them)
PATIENT = {"wps_state": None, "wpa_pairwise_update_count": "30"}


def said_since(sta, start: int) -> list[str]:
    """The lines SAID matches that the station said from its monitor's `start`-th event on, each with its level."""
    return [f"<{level}>" + NETWORK_ID.sub("", text) for level, text in sta.monitor.leveled[start:] if SAID.search(text)]


def dropped(lab, program: str) -> list[object]:
    """Connected, then dropped by the AP with reason 4, then again with reason 3: what was said after each drop
    until connected again, and the ignore list then; last, what SELECT_NETWORK of the network the link is with
    makes said within a second, and the state after it."""
    ap = lab.hostapd(wps_state=None)
    sta = lab.station(sta_conf() + network(NETWORK), program)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED ", 60)
    seen: list[object] = []
    for reason in (4, 3):
        sta.monitor.events.clear()
        start = len(sta.monitor.leveled)
        assert "OK" in ap.cli("deauthenticate", STA_MAC, f"reason={reason}")
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED ", 30)
        seen += [said_since(sta, start), "BSSID_IGNORE: " + sta.cli("bssid_ignore")]
    start = len(sta.monitor.leveled)
    assert sta.cli("select_network", "0").strip() == "OK"
    sta.monitor.gather(1.0)
    state = re.search(r"^wpa_state=.*$", sta.cli("status"), re.M)
    return [*seen, said_since(sta, start), state and state[0]]


def wrong_key(lab, program: str) -> list[object]:
    """A wrong passphrase four times: after each failure the scan that follows, the ignore list, then
    SELECT_NETWORK of the network (which the fourth time is disabled for CONN_FAILED too)."""
    lab.hostapd(wps_state=None)
    sta = lab.station(sta_conf() + 'network={\n\tssid="jkm-wps-test"\n\tpsk="not-the-passphrase"\n'
                      + NETWORK + "}\n", program)
    seen: list[object] = []
    start = 0
    for _ in range(4):
        sta.monitor.events.clear()
        sta.monitor.wait(r"^CTRL-EVENT-SSID-TEMP-DISABLED .*reason=WRONG_KEY", 60)
        sta.monitor.events.clear()
        sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 30)
        sta.monitor.gather(0.3)  # a CONN_FAILED said late would be another difference: let it come
        said = said_since(sta, start)
        if not seen:  # from the first attempt on: what came before depends on when the monitor attached
            said = said[next(i for i, t in enumerate(said) if "SME: " in t):]
        seen += [said, "BSSID_IGNORE: " + sta.cli("bssid_ignore")]
        start = len(sta.monitor.leveled)
        assert sta.cli("select_network", "0").strip() == "OK"
    return seen


def test_a_link_the_ap_drops_is_joined_again_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, dropped, r"reconnect|SME|scan|ignore|CONNECTED|DISCONNECTED")
    report = json.dumps(seen, indent=1)
    after_inactivity, _, after_leaving, _, after_select, _ = seen["wpa_supplicant"]
    # what the comparison rests on: no scan before the join after reason 4, one after reason 3; SELECT_NETWORK of
    # the network the link is with leaves it alone ("Already associated with the selected network - do nothing")
    assert not [t for t in after_inactivity if "SCAN-STARTED" in t], report
    assert [t for t in after_leaving if "SCAN-STARTED" in t], report
    assert after_select == [], report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def test_a_wrong_key_and_select_network_count_failures_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, wrong_key, r"SME|scan|ignore|TEMP-DISABLED|REENABLED|4-Way|DISCONNECTED")
    report = json.dumps(seen, indent=1)
    said = [line for step in seen["wpa_supplicant"] if isinstance(step, list) for line in step]
    assert [t for t in said if "CONN_FAILED" in t] == [
        '<3>CTRL-EVENT-SSID-TEMP-DISABLED ssid="jkm-wps-test" auth_failures=2 duration=20 reason=CONN_FAILED'
    ], report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def timed_out(lab, program: str, message_1: bool) -> list[str]:
    """What the station says from its first attempt through its timeout to the next association (without
    message 1), or to the scan that follows the timeout (after it: the network backs off for a wrong key)."""
    ap = lab.hostapd(**PATIENT)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert request(ap_ctrl, "SET ext_eapol_frame_io 1") == "OK\n"
    frames = Monitor(ap_ctrl)
    try:
        sta = lab.station(sta_conf() + network(NETWORK), program)
        if message_1:
            m = frames.wait(r"^EAPOL-TX (\S+) (\S+)", 60)
            assert request(ap_ctrl, f"EAPOL_TX {m[1]} {m[2]}") == "OK\n"
        sta.monitor.wait(r"^Authentication with \S+ timed out\.", 40)
        sta.monitor.events.clear()
        if message_1:
            sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 30)
            sta.monitor.gather(0.3)
        else:
            sta.monitor.wait(r"^Associated with", 30)
        said = said_since(sta, 0)
        return said[next(i for i, t in enumerate(said) if "SME: " in t):]
    finally:
        frames.close()


@pytest.mark.parametrize("message_1", [False, True], ids=["nothing", "message 1"])
def test_a_handshake_that_times_out_is_left_as_wpa_supplicant_leaves_it(lab, message_1):
    seen = one_after_the_other(lab, lambda lab, program: timed_out(lab, program, message_1),
                               r"SME|scan|timed out|TEMP-DISABLED|4-Way|DISCONNECTED|EAPOL")
    report = json.dumps(seen, indent=1)
    said = seen["wpa_supplicant"]
    assert [t for t in said if "timed out" in t] == ["<3>Authentication with 02:00:00:00:00:00 timed out."], report
    assert bool([t for t in said if "WRONG_KEY" in t]) == message_1, report
    assert seen["pywps"] == seen["wpa_supplicant"], report
