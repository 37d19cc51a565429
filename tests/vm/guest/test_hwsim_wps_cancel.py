"""WPS_CANCEL on a radio, Debian wpa_supplicant against pywps on wlan1 (one after the other), Debian hostapd on
wlan0.

With no WPS run on a completed link: wpas_wps_cancel takes any link past its association for a WPS one and
deauthenticates (reason 3, CTRL-EVENT-DISCONNECTED), says WPS-CANCEL, then scans and joins the stored network
again. pywps used to say WPS-CANCEL alone and keep the link. Compared: the reply, the lines below with their
levels (the BSS table's and wpa_supplicant's "CTRL-EVENT-DSCP-POLICY clear_all" left out: tests/difflab.py),
until 2 s after the link is back, and STATUS's bssid then.

In the middle of a PIN run (hostapd hands its EAPOL frames to the test, ext_eapol_frame_io, which passes them on
until M2 and holds that one): it deauthenticates, removes the run's network (wpas_clear_wps), then says WPS-CANCEL.
pywps used to remove the network before it left the link. Compared: the reply, the lines said in the 2 s after,
the networks and wpa_state.

While the run associates (hostapd takes the association request and says nothing), pywps differs on purpose: see
the last test."""

from __future__ import annotations

import json
import re
import threading

from netlab import Monitor
from test_hwsim_rejects import refuse_associations

from hwlab import (AP_MAC, HEARD_AT_ONCE, HwHostapd, Station, one_after_the_other, request, sta_conf, undisturbed,
                   wsc_message_type)
from pywps.wps.defs import MsgType

SAID = re.compile(r"^(SME: |Trying|Associated|WPS-|WPA: |CTRL-EVENT-(?!BSS-|DSCP-POLICY))")
# scan_freq: the rejoin's scan covers the AP's channel alone (every channel is seconds under TCG)
NETWORK = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tscan_freq=2412\n}\n'
PIN = "12345670"


def said(sta) -> list[str]:
    """The lines SAID matches that the station said since the test cleared its monitor, each with its level."""
    return [f"<{level}>{text}" for level, text in sta.monitor.leveled if SAID.search(text)]


def pin_ap(lab, handed_to_test: str) -> str:
    """hostapd with the station's PIN for its registrar, handing the frames `handed_to_test` names
    (ext_eapol_frame_io, ext_mgmt_frame_handling) to the test: its control socket."""
    ap = lab.hostapd(**HEARD_AT_ONCE)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert "OK" in ap.cli("wps_pin", "any", PIN)
    assert request(ap_ctrl, f"SET {handed_to_test} 1") == "OK\n"
    return ap_ctrl


def pin_run(lab, program: str) -> Station:
    """The station, started with no network, and its `wps_pin` for the AP."""
    sta = lab.station(sta_conf(), program)
    assert sta.cli("wps_pin", AP_MAC, PIN).strip() == PIN
    return sta


def connected(lab, program: str) -> tuple[HwHostapd, Station]:
    """hostapd, and the station joined to its NETWORK."""
    ap = lab.hostapd(**HEARD_AT_ONCE)
    sta = lab.station(sta_conf() + NETWORK, program)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 60)
    sta.monitor.gather(1)
    return ap, sta


def connected_again_after(sta: Station, command: str) -> tuple[str, list[str]]:
    """The reply to `command` and what the station said from then until 2 s after its link is back."""
    sta.monitor.leveled.clear()
    sta.monitor.events.clear()
    reply = sta.cli(command).strip()
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 30)
    sta.monitor.gather(2)
    return reply, said(sta)


def cancelled(lab, program: str) -> list[object]:
    _, sta = connected(lab, program)
    reply, lines = connected_again_after(sta, "wps_cancel")
    return [reply, lines, re.search(r"^bssid=\S+", sta.cli("status"), re.M)[0]]


def test_wps_cancel_without_a_run_leaves_the_link_and_joins_again_as_wpa_supplicant(lab):
    seen = one_after_the_other(lab, cancelled, r"WPS|cancel|Cancel|deauth|CONNECTED")
    report = json.dumps(seen, indent=1)
    reply, said, _ = seen["wpa_supplicant"]
    # what the comparison rests on: wpa_supplicant leaves (reason 3) before it says WPS-CANCEL, then rejoins
    assert reply == "OK" and said[:2] == [
        "<3>CTRL-EVENT-DISCONNECTED bssid=02:00:00:00:00:00 reason=3 locally_generated=1", "<3>WPS-CANCEL "], report
    assert said[-1].startswith("<3>CTRL-EVENT-CONNECTED"), report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def pass_on_until_m2(ap_ctrl: str, frames: Monitor) -> None:
    """hostapd's EAPOL frames (ext_eapol_frame_io, heard on `frames`) passed on one at a time (the station answers
    each before hostapd sends the next), up to M2, which is held."""
    while True:
        m = frames.wait(r"^EAPOL-TX (\S+) (\S+)", 60)
        frames.events.remove(m.string)
        if wsc_message_type(bytes.fromhex(m[2])) is MsgType.M2:
            return
        assert request(ap_ctrl, f"EAPOL_TX {m[1]} {m[2]}") == "OK\n"


def cancelled_at_m2(lab, program: str) -> list[object]:
    ap_ctrl = pin_ap(lab, "ext_eapol_frame_io")
    frames = Monitor(ap_ctrl)
    try:
        sta = pin_run(lab, program)
        pass_on_until_m2(ap_ctrl, frames)
        sta.monitor.gather(0.5)  # the station waits for M2
        sta.monitor.leveled.clear()
        reply = sta.cli("wps_cancel").strip()
        sta.monitor.gather(2)
    finally:
        frames.close()
    return [reply, said(sta), sta.cli("list_networks"), sta.cli("status").splitlines()[0]]


def test_wps_cancel_in_the_middle_of_a_run_leaves_removes_then_says_so_as_wpa_supplicant(lab):
    seen = one_after_the_other(lab, cancelled_at_m2, r"WPS|cancel|Cancel|deauth|DISCONNECTED|REMOVED")
    report = json.dumps(seen, indent=1)
    reply, said, _, _ = seen["wpa_supplicant"]
    assert reply == "OK" and said[:3] == [
        f"<3>CTRL-EVENT-DISCONNECTED bssid={AP_MAC} reason=3 locally_generated=1", "<3>CTRL-EVENT-NETWORK-REMOVED 0",
        "<3>WPS-CANCEL "], report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def cancelled_while_associating(lab, program: str) -> list[object]:
    ap_ctrl = pin_ap(lab, "ext_mgmt_frame_handling")
    stop = threading.Event()
    holding = threading.Thread(target=refuse_associations, args=(ap_ctrl, stop, False))
    holding.start()
    try:
        sta = pin_run(lab, program)
        sta.monitor.wait(r"^Trying to associate with ", 60)
        sta.monitor.leveled.clear()
        # straight to the socket, not by a wpa_cli process: within the attempt's ~0.6 s (mac80211's three tries)
        reply = request(f"{sta.ctrl_dir}/{sta.iface}", "WPS_CANCEL")
        sta.monitor.gather(2)
    finally:
        stop.set()
        holding.join()
    return [reply, said(sta), sta.cli("list_networks")]


# How often a program's cancel is tried for it to come within the association attempt
ASSOCIATING_TRIES = 3


def cancelled_in_time(lab, program: str) -> list[object]:
    """cancelled_while_associating, run again when wpa_supplicant's cancel came after its attempt had timed out
    (it removes the run's network then, as in SCANNING): the guest's load, not what is compared. pywps removes it
    either way."""
    return undisturbed(lab, lambda: cancelled_while_associating(lab, program),
                       lambda seen: program == "wpa_supplicant" and any("NETWORK-REMOVED" in t for t in seen[1]),
                       ASSOCIATING_TRIES)


def test_wps_cancel_while_the_run_associates_ends_it_where_wpa_supplicant_goes_on(lab):
    """Different on purpose. wpas_wps_cancel in AUTHENTICATING or ASSOCIATING (hostapd takes the station's
    association request and says nothing) says WPS-CANCEL but keeps the run's network (it re-enables the others
    and forgets the run's APs; only a pending clear after WPS-FAIL would remove it), and its run goes on: a scan
    for the AP follows. pywps ends the run in every state (the kernel's attempt dropped, the run's network removed,
    then WPS-CANCEL), as wpa_supplicant ends it while it scans or once it is associated."""
    seen = one_after_the_other(lab, cancelled_in_time, r"WPS|cancel|Cancel|SME|ASSOC|REMOVED")
    report = json.dumps(seen, indent=1)
    reply, said, networks = seen["wpa_supplicant"]
    assert reply == "OK\n" and said[0] == "<3>WPS-CANCEL " and not any("NETWORK-REMOVED" in t for t in said), report
    assert networks == f"network id / ssid / bssid / flags\n0\t\t{AP_MAC}\t\n", report
    assert seen["pywps"] == ["OK\n", ["<3>CTRL-EVENT-NETWORK-REMOVED 0", "<3>WPS-CANCEL "],
                             "network id / ssid / bssid / flags\n"], report
