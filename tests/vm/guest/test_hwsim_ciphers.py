"""The ciphers beyond CCMP and BIP-CMAC-128 on a radio: Debian wpa_supplicant and pywps, one after the other on
wlan1, against Debian hostapd on wlan0 with GCMP-256 (and BIP-GMAC-256, protection required), and with an AP that
offers GCMP-256 and CCMP (hostapd then keys group traffic with CCMP) and protects management frames with
BIP-CMAC-256, joined by a network that names its ciphers (pairwise=, group_mgmt=).

Compared as in test_hwsim_mfp (its `protected` run): the RSN element of the association request off the air
(which pairwise, group and management group suites the station chose), the key negotiation and rekey events
(their cipher names), STATUS's security lines, hostapd's view of
the station (flags, AKM, pairwise cipher), a group rekey (a GTK and IGTK of the ciphers' lengths), and a
broadcast deauthentication the kernel takes only with the last IGTK. pywps keyed CCMP and TKIP alone, and joined
no AP that protects management frames with anything but BIP-CMAC-128."""

from __future__ import annotations

import json

import pytest
from test_hwsim_mfp import protected

from hwlab import AP_MAC, one_after_the_other

CASES = {
    "GCMP-256, BIP-GMAC-256 required": (
        {"rsn_pairwise": "GCMP-256", "ieee80211w": "2", "group_mgmt_cipher": "BIP-GMAC-256"},
        "\tpairwise=GCMP-256\n\tgroup=GCMP-256\n\tieee80211w=2\n"),
    "GCMP-256 or CCMP, BIP-CMAC-256 offered": (
        {"rsn_pairwise": "GCMP-256 CCMP", "ieee80211w": "1", "group_mgmt_cipher": "BIP-CMAC-256"},
        "\tpairwise=CCMP GCMP-256\n\tieee80211w=1\n\tgroup_mgmt=BIP-GMAC-256 BIP-CMAC-256\n"),
}
EXPECTED = {  # wpa_supplicant's, as a check that the case tests what it says
    "GCMP-256, BIP-GMAC-256 required": ("GCMP-256", "GCMP-256", "BIP-GMAC-256"),
    "GCMP-256 or CCMP, BIP-CMAC-256 offered": ("GCMP-256", "CCMP", "BIP-CMAC-256"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_ciphers_as_wpa_supplicant(lab, case):
    ap_settings, network_lines = CASES[case]
    seen = one_after_the_other(lab, lambda lab, program: protected(lab, program, ap_settings, network_lines),
                               r"IGTK|GTK|cipher|MFP|RSN|WPA|CONNECTED|Associated|key")
    report = json.dumps(seen, indent=1)
    status = seen["wpa_supplicant"]["STATUS"]
    pairwise, group, mgmt = EXPECTED[case]
    assert (status["pairwise_cipher"], status["group_cipher"], status["mgmt_group_cipher"]) == EXPECTED[case], report
    assert seen["wpa_supplicant"]["key negotiation"] == [
        f"WPA: Key negotiation completed with {AP_MAC} [PTK={pairwise} GTK={group}]"], report
    assert seen["wpa_supplicant"]["a broadcast deauthentication"].startswith("CTRL-EVENT-DISCONNECTED"), report
    assert seen["pywps"] == seen["wpa_supplicant"], report
