"""An AP that refuses the station, Debian wpa_supplicant against pywps on wlan1 (one after the other).

Debian hostapd on wlan0 refuses either the association (the test handles its management frames,
ext_mgmt_frame_handling: hostapd processes all but the association request, which the test answers with status
17, AP_UNABLE_TO_HANDLE_NEW_STA) or the authentication (macaddr_acl=1 with no address accepted: status 1).

wpa_supplicant's SME says "SME: Trying to authenticate with", then (for an authentication the AP took) "Trying to
associate with", then CTRL-EVENT-AUTH-REJECT or CTRL-EVENT-ASSOC-REJECT (and "SME: Deauth request to the driver
failed" after the latter); its wpas_connection_failed puts the AP in the BSSID ignore list and scans again after
0.1 s, 0.5 s, 1 s, 5 s; the fourth failure in a row disables the network for 10 s (reason=CONN_FAILED), the
fifth, after it comes back, for 20 s. Compared: those lines in order, and BSSID_IGNORE at the end. The network
has key_mgmt=WPA-PSK (with WPA-EAP, the default, the second duration takes a random part) and scan_freq=2412 (the
scans between attempts then take moments, not seconds)."""

from __future__ import annotations

import json
import re
import threading

import pytest
from test_hwsim_mfp import network

from hwlab import STA_MAC, one_after_the_other, request, sta_conf
from netlab import Monitor

ASSOC_REQUEST, AP_UNABLE_TO_HANDLE_NEW_STA = 0, 17
SAID = re.compile(r"^(SME: |Trying to associate|CTRL-EVENT-(AUTH-REJECT|ASSOC-REJECT|SSID-TEMP-DISABLED|"
                  r"SSID-REENABLED|CONNECTED|DISCONNECTED))")


def refuse_associations(ap_ctrl: str, stop: threading.Event, answer: bool = True) -> None:
    """hostapd's management frames: each association request from the station answered with a refusal (`answer`
    False: none, the station's attempt times out), every other frame handed back to hostapd to process."""
    frames = Monitor(ap_ctrl)
    station = bytes.fromhex(STA_MAC.replace(":", ""))
    try:
        while not stop.is_set():
            try:
                m = frames.wait(r"^MGMT-RX (\S+)", 0.5)
            except AssertionError:
                continue
            frames.events.remove(m.string)
            frame = bytes.fromhex(m[1])
            if (frame[0] >> 4) & 0xF == ASSOC_REQUEST and frame[10:16] == station:
                if not answer:
                    continue
                # Association Response: to the station, from the BSS; capabilities, status, AID, rates
                answer = bytes((0x10, 0, 0, 0)) + frame[10:16] + frame[4:10] + frame[4:10] + bytes(2)
                answer += bytes.fromhex("1104") + AP_UNABLE_TO_HANDLE_NEW_STA.to_bytes(2, "little") + bytes(2)
                answer += bytes.fromhex("010882848b960c121824")
                request(ap_ctrl, f"MGMT_TX {answer.hex()}")
            else:
                request(ap_ctrl, f"MGMT_RX_PROCESS freq=2412 datarate=0 ssi_signal=-30 frame={frame.hex()}")
    finally:
        frames.close()


def refused(lab, program: str, stage: str) -> dict[str, object]:
    if stage == "authentication":
        ap = lab.hostapd(wps_state=None, macaddr_acl="1", accept_mac_file="/dev/null")
    else:
        ap = lab.hostapd(wps_state=None)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    stop = threading.Event()
    answering = threading.Thread(target=refuse_associations, args=(ap_ctrl, stop))
    if stage == "association":
        assert request(ap_ctrl, "SET ext_mgmt_frame_handling 1") == "OK\n"
        answering.start()
    try:
        # the network is enabled once the monitor listens: started enabled, wpa_supplicant's first attempt came
        # before it attached once (scan_freq makes the first scan short)
        sta = lab.station(sta_conf() + network("\tkey_mgmt=WPA-PSK\n\tscan_freq=2412\n\tdisabled=1\n"), program)
        assert sta.cli("enable_network", "0").strip() == "OK"
        sta.monitor.wait(r"^CTRL-EVENT-SSID-TEMP-DISABLED .* auth_failures=2 ", 90)
        said = [re.sub(r" id=\d+", "", text) for _, text in sta.monitor.leveled if SAID.search(text)]
        return {"said": said, "levels": sorted({level for level, text in sta.monitor.leveled if SAID.search(text)}),
                "BSSID_IGNORE": sta.cli("bssid_ignore")}
    finally:
        stop.set()
        if answering.is_alive():
            answering.join()


@pytest.mark.parametrize("stage", ["association", "authentication"])
def test_an_ap_that_refuses_is_tried_and_left_as_wpa_supplicant_does(lab, stage):
    seen = one_after_the_other(lab, lambda lab, program: refused(lab, program, stage),
                               r"SME|REJECT|associat|authenticat|TEMP-DISABLED|ignore")
    report = json.dumps(seen, indent=1)
    said = seen["wpa_supplicant"]["said"]
    rejected = "CTRL-EVENT-ASSOC-REJECT" if stage == "association" else "CTRL-EVENT-AUTH-REJECT"
    # what the comparison rests on: five refusals, the network disabled after the fourth and the fifth
    assert sum(1 for t in said if t.startswith(rejected)) == 5, report
    assert [t for t in said if "TEMP-DISABLED" in t] == [
        'CTRL-EVENT-SSID-TEMP-DISABLED ssid="jkm-wps-test" auth_failures=1 duration=10 reason=CONN_FAILED',
        'CTRL-EVENT-SSID-TEMP-DISABLED ssid="jkm-wps-test" auth_failures=2 duration=20 reason=CONN_FAILED'], report
    assert seen["pywps"] == seen["wpa_supplicant"], report
