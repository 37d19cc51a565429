"""A network temporarily disabled after a wrong key, and ENABLE_NETWORK: Debian wpa_supplicant against pywps on
wlan1 (one after the other), Debian hostapd on wlan0.

The station has the wrong passphrase: the AP gives up on its message 2, and the network is disabled for 10 s
(CTRL-EVENT-SSID-TEMP-DISABLED ... reason=WRONG_KEY). After the scan that follows the failure, the passphrase is
put right. ENABLE_NETWORK of the network, disabled first (DISABLE_NETWORK), ends the temporary disabling too
(wpa_supplicant_enable_one_network: CTRL-EVENT-SSID-REENABLED) and joins from the results in hand; ENABLE_NETWORK
of the network as it is (enabled, backing off) changes nothing: the selection stays postponed to the back-off's
end (wpas_reenabled_network_time), with no scan meanwhile, and STATUS says SCANNING. Compared: the lines below
with their levels, and STATUS's wpa_state."""

from __future__ import annotations

import json
import re

from hwlab import HEARD_AT_ONCE, one_after_the_other, sta_conf

SAID = re.compile(r"^(SME: Trying|CTRL-EVENT-(SSID|CONNECTED|NETWORK-NOT-FOUND|SCAN-STARTED))")
LOG_LINES = r"SME|scan|temp|disabled|enabled|WRONG|CONNECTED|Postpone"
# scan_freq: a scan of every channel takes seconds under TCG (8 s in a probe): after such a scan following the
# failure and the 5 s the test then watches, the 10-s back-off had ended and pywps was joining when STATUS came
# (a CI run)
WRONG = 'network={\n\tssid="jkm-wps-test"\n\tpsk="wrongpassword"\n\tkey_mgmt=WPA-PSK\n\tscan_freq=2412\n}\n'
FIX = ("set_network", "0", "psk", '"12345678"')


def said(sta) -> list[str]:
    return [f"<{level}>{text}" for level, text in sta.monitor.leveled if SAID.search(text)]


def fixed_key_then(lab, program: str, commands: list[tuple[str, ...]]) -> list[object]:
    lab.hostapd(**HEARD_AT_ONCE)
    sta = lab.station(sta_conf() + WRONG, program)
    sta.monitor.wait(r"^CTRL-EVENT-SSID-TEMP-DISABLED id=0 .*reason=WRONG_KEY", 90)
    sta.monitor.events.clear()
    sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 30)  # the scan after the failure, nothing chosen from it
    sta.monitor.leveled.clear()
    replies = [sta.cli(*command).strip() for command in commands]
    sta.monitor.gather(5)  # the back-off (10 s) has not ended by then
    return [replies, said(sta), sta.cli("status").splitlines()[0]]


def test_enable_network_of_a_disabled_network_ends_its_back_off_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, lambda lab, program: fixed_key_then(
        lab, program, [("disable_network", "0"), FIX, ("enable_network", "0")]), LOG_LINES)
    report = json.dumps(seen, indent=1)
    replies, lines, state = seen["wpa_supplicant"]
    assert replies == ["OK"] * 3 and state.startswith("bssid=")
    assert [t.split(" ")[0] for t in lines] == ["<3>CTRL-EVENT-SSID-REENABLED", "<3>SME:",
                                                "<3>CTRL-EVENT-CONNECTED"], report
    assert seen["pywps"] == seen["wpa_supplicant"], report


def test_enable_network_of_an_enabled_network_leaves_its_back_off_as_wpa_supplicant_does(lab):
    seen = one_after_the_other(lab, lambda lab, program: fixed_key_then(
        lab, program, [FIX, ("enable_network", "0")]), LOG_LINES)
    report = json.dumps(seen, indent=1)
    assert seen["wpa_supplicant"] == [["OK"] * 2, [], "wpa_state=SCANNING"], report
    assert seen["pywps"] == seen["wpa_supplicant"], report
