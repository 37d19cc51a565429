"""WPS_CANCEL with no WPS run on a completed link, Debian wpa_supplicant against pywps on wlan1 (one after the
other), Debian hostapd on wlan0: wpas_wps_cancel takes any link past its association for a WPS one and
deauthenticates (reason 3, CTRL-EVENT-DISCONNECTED), says WPS-CANCEL, then scans and joins the stored network
again. pywps used to say WPS-CANCEL alone and keep the link. Compared: the reply, the lines below with their
levels (the BSS table's and wpa_supplicant's "CTRL-EVENT-DSCP-POLICY clear_all" left out: tests/difflab.py),
until 2 s after the link is back, and STATUS's bssid then."""

from __future__ import annotations

import json
import re

from hwlab import HEARD_AT_ONCE, one_after_the_other, sta_conf

SAID = re.compile(r"^(SME: |Trying|Associated|WPS-|WPA: |CTRL-EVENT-(?!BSS-|DSCP-POLICY))")
# scan_freq: the rejoin's scan covers the AP's channel alone (every channel is seconds under TCG)
NETWORK = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tscan_freq=2412\n}\n'


def cancelled(lab, program: str) -> list[object]:
    lab.hostapd(**HEARD_AT_ONCE)
    sta = lab.station(sta_conf() + NETWORK, program)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 60)
    sta.monitor.gather(1)
    sta.monitor.leveled.clear()
    sta.monitor.events.clear()
    reply = sta.cli("wps_cancel").strip()
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 30)
    sta.monitor.gather(2)
    return [reply, [f"<{level}>{text}" for level, text in sta.monitor.leveled if SAID.search(text)],
            re.search(r"^bssid=\S+", sta.cli("status"), re.M)[0]]


def test_wps_cancel_without_a_run_leaves_the_link_and_joins_again_as_wpa_supplicant(lab):
    seen = one_after_the_other(lab, cancelled, r"WPS|cancel|Cancel|deauth|CONNECTED")
    report = json.dumps(seen, indent=1)
    reply, said, _ = seen["wpa_supplicant"]
    # what the comparison rests on: wpa_supplicant leaves (reason 3) before it says WPS-CANCEL, then rejoins
    assert reply == "OK" and said[:2] == [
        "<3>CTRL-EVENT-DISCONNECTED bssid=02:00:00:00:00:00 reason=3 locally_generated=1", "<3>WPS-CANCEL "], report
    assert said[-1].startswith("<3>CTRL-EVENT-CONNECTED"), report
    assert seen["pywps"] == seen["wpa_supplicant"], report
