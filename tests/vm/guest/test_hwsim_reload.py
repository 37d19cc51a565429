"""RECONFIGURE on a radio, Debian wpa_supplicant against pywps on wlan1 (one after the other), Debian hostapd on
wlan0 (tests/test_diff_reload.py compares reloads on a wire, a file that cannot be read and SIGHUP).

On a completed link: wpa_supplicant_reload_configuration deauthenticates (reason 3), numbers the file's networks
afresh, then scans and joins again. Compared: the reply, the lines (test_hwsim_wps_cancel's SAID, with their
levels) until 2 s after the link is back, LIST_NETWORKS.

In the middle of a PIN run (hostapd holds M2, as in test_hwsim_wps_cancel), with a stored network: the run's
network goes with the old list and the link is left, with no WPS event and no removal said; the stored network is
then joined. pywps used to keep the run going under an id the new list gave to the stored network (LIST_NETWORKS
marked that one [CURRENT], and the run's end would have removed it). wpa_supplicant's run lingers without a
network until its walk time (2 minutes, not waited for here); pywps's ended at the reload. Compared: the reply,
the lines until 2 s after the stored network is joined, LIST_NETWORKS."""

from __future__ import annotations

import json
import re

from netlab import Monitor
from test_hwsim_wps_cancel import PIN, connected, connected_again_after, pass_on_until_m2

from hwlab import AP_MAC, one_after_the_other, request

DEAUTHENTICATED = f"<3>CTRL-EVENT-DISCONNECTED bssid={AP_MAC} reason=3 locally_generated=1"
RUN_LINE = re.compile(r"WPS-(?!AP-AVAILABLE)|NETWORK-(ADDED|REMOVED)")  # a run's end, or its network's


def reconfigured(lab, program: str) -> list[object]:
    _, sta = connected(lab, program)
    return [*connected_again_after(sta, "reconfigure"), sta.cli("list_networks")]


def test_reconfigure_on_a_completed_link_leaves_and_joins_again_as_wpa_supplicant(lab):
    seen = one_after_the_other(lab, reconfigured, r"Reconfig|reconfig|deauth|CONNECTED")
    report = json.dumps(seen, indent=1)
    reply, lines, _ = seen["wpa_supplicant"]
    assert reply == "OK" and lines[0] == DEAUTHENTICATED and lines[-1].startswith("<3>CTRL-EVENT-CONNECTED"), report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def reconfigured_at_m2(lab, program: str) -> list[object]:
    ap, sta = connected(lab, program)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert "OK" in ap.cli("wps_pin", "any", PIN)
    assert request(ap_ctrl, "SET ext_eapol_frame_io 1") == "OK\n"
    frames = Monitor(ap_ctrl)
    try:
        assert sta.cli("wps_pin", AP_MAC, PIN).strip() == PIN
        pass_on_until_m2(ap_ctrl, frames)
    finally:
        frames.close()
    assert request(ap_ctrl, "SET ext_eapol_frame_io 0") == "OK\n"  # the stored network's handshake, as usual
    sta.monitor.gather(0.5)  # the station waits for M2
    return [*connected_again_after(sta, "reconfigure"), sta.cli("list_networks")]


def test_reconfigure_in_the_middle_of_a_run_ends_it_and_joins_the_stored_network_as_wpa_supplicant(lab):
    seen = one_after_the_other(lab, reconfigured_at_m2, r"WPS|Reconfig|reconfig|deauth|CONNECTED|REMOVED")
    report = json.dumps(seen, indent=1)
    reply, lines, networks = seen["wpa_supplicant"]
    assert reply == "OK" and lines[0] == DEAUTHENTICATED, report
    assert not [line for line in lines if RUN_LINE.search(line)], report
    assert networks == "network id / ssid / bssid / flags\n0\tjkm-wps-test\tany\t[CURRENT]\n", report
    assert seen["pywps"] == seen["wpa_supplicant"], report
