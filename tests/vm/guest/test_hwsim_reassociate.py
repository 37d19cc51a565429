"""SELECT_NETWORK any, REASSOCIATE and REATTACH on a completed link, Debian wpa_supplicant against pywps on wlan1
(one after the other), Debian hostapd on wlan0: wpa_supplicant_select_network(NULL) (every network enabled) and
wpas_request_connection ask for a reassociation without leaving the link (reassociate=1): the choice from results
under 5 s old, else from a scan made on the link (REATTACH's of the link's channel alone), is joined again by a
reassociation, even with the BSS the link is on, with no CTRL-EVENT-DISCONNECTED between. Compared: the lines
below with their levels, STATUS's first line and LIST_NETWORKS, from the command to 2 s after the link is
back (CTRL-EVENT-CONNECTED)."""

from __future__ import annotations

import json
import re

import pytest

from hwlab import HEARD_AT_ONCE, one_after_the_other, sta_conf

SAID = re.compile(r"^(SME: |Trying|Associated|CTRL-EVENT-(?!BSS-|DSCP-POLICY))")  # DSCP: tests/difflab.py
NETWORK = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n}\n'


def reassociation(lab, program: str, command: tuple[str, ...], after: float, scan_freq: bool) -> list[object]:
    lab.hostapd(**HEARD_AT_ONCE)
    # scan_freq: a scan on the link covers the AP's channel alone (every channel, the radio back on the link's
    # between the others, takes over 16 s under TCG)
    sta = lab.station(sta_conf() + NETWORK.replace("}", "\tscan_freq=2412\n}" if scan_freq else "}"), program)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 60)
    sta.monitor.gather(after)
    sta.monitor.leveled.clear()
    sta.monitor.events.clear()
    reply = sta.cli(*command).strip()
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 30)  # every case ends joined again
    sta.monitor.gather(2)
    return [reply, [f"<{level}>{text}" for level, text in sta.monitor.leveled if SAID.search(text)],
            sta.cli("status").splitlines()[0], sta.cli("list_networks")]


CASES = {  # the command, the seconds from the connection to it (over 5: the results are too old), scan_freq
    "select_network any, recent results": (("select_network", "any"), 1, True),
    "select_network any, old results": (("select_network", "any"), 6, True),
    "reassociate, recent results": (("reassociate",), 1, False),
    "reattach, old results (a scan of the link's channel)": (("reattach",), 6, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_request_to_reassociate_on_a_link_is_a_reassociation_as_in_wpa_supplicant(lab, case):
    command, after, scan_freq = CASES[case]
    seen = one_after_the_other(lab, lambda lab, program: reassociation(lab, program, command, after, scan_freq),
                               "SME|select|Associat|DISCONN|scan|reassoc|reattach")
    report = json.dumps(seen, indent=1)
    reply, lines, state, _ = seen["wpa_supplicant"]
    assert reply == "OK" and state.startswith("bssid=") and not any("DISCONNECTED" in t for t in lines), report
    assert [t for t in lines if "SCAN-STARTED" in t] == ([] if after < 5 else ["<3>CTRL-EVENT-SCAN-STARTED "])
    assert any(t.startswith("<3>SME: Trying to authenticate") for t in lines), report
    assert seen["pywps"] == seen["wpa_supplicant"], report
