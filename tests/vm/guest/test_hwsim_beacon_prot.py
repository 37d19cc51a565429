"""Beacon protection on a radio: Debian wpa_supplicant and pywps, one after the other on wlan1, joined to Debian
hostapd on wlan0 that protects its beacons (beacon_prot=1, ieee80211w=2, a group rekey every few seconds: a new
BIGTK in each group message), with and without the network's `beacon_prot=1`. Then a rogue AP beacons under the
AP's BSSID (hostapd on wlan2 given wlan0's address: its own BIGTK), and mac80211 checks every beacon of the
BSSID with the BIGTK the station installed.

Compared, for each program: GET_CAPABILITY beacon_prot, what the station says of the rogue's beacons
(CTRL-EVENT-UNPROT-BEACON <bssid>, which the kernel reports only with a BIGTK installed), whether the AP heard
the station's report of them (hostapd's CTRL-EVENT-UNPROT-BEACON reporter=, from a WNM Notification that only the
AP that holds the station's keys can read), and that the link stays. pywps ignored the BIGTK: the kernel never
checked its AP's beacons."""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import contextmanager

import pytest
from test_hwsim_mfp import network

from hwlab import AP2_MAC, AP_MAC, STA_MAC, one_after_the_other, sta_conf

REKEY_SECONDS = "6"
PROTECTED = {"wps_state": None, "ieee80211w": "2", "beacon_prot": "1", "wpa_group_rekey": REKEY_SECONDS}


def set_address(iface: str, mac: str) -> None:
    subprocess.run(["ip", "link", "set", iface, "down"], check=True)
    subprocess.run(["ip", "link", "set", iface, "address", mac], check=True)


@contextmanager
def rogue_ap(lab):
    """hostapd on wlan2 under the AP's BSSID and SSID, with beacon protection of its own; wlan2 gets its address
    back afterwards (other tests run their second AP there)."""
    set_address("wlan2", AP_MAC)
    rogue = None
    try:
        rogue = lab.hostapd("wlan2", **PROTECTED)
        yield rogue
    finally:
        if rogue is not None:
            rogue.stop()
        set_address("wlan2", AP2_MAC)


def beacons_checked(lab, program: str, network_lines: str) -> dict[str, object]:
    ap = lab.hostapd("wlan0", **PROTECTED)
    sta = lab.station(sta_conf() + network("\tieee80211w=2\n" + network_lines), program)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    seen: dict[str, object] = {"GET_CAPABILITY beacon_prot": sta.cli("get_capability", "beacon_prot").strip()}
    sta.monitor.events.clear()
    # a group message's BIGTK (hostapd's next under the other KeyID)
    seen["a group rekey"] = sta.monitor.wait(r"^WPA: Group rekeying completed", 30).string
    reports = ap.log_text().count(f"CTRL-EVENT-UNPROT-BEACON reporter={STA_MAC}")
    sta.monitor.events.clear()
    with rogue_ap(lab):
        sta.monitor.gather(8.0)
    said = sorted({e for e in sta.monitor.events if e.startswith("CTRL-EVENT-UNPROT-BEACON")})
    seen["the rogue's beacons: events"] = said
    time.sleep(1)
    seen["the AP heard a report"] = ap.log_text().count(f"CTRL-EVENT-UNPROT-BEACON reporter={STA_MAC}") > reports
    seen["wpa_state after"] = next((line.split("=", 1)[1] for line in sta.cli("status").splitlines()
                                    if line.startswith("wpa_state=")), "-")
    return seen


CASES = {"beacon_prot=1": "\tbeacon_prot=1\n", "without beacon_prot": ""}


@pytest.mark.parametrize("case", list(CASES))
def test_beacon_protection_as_wpa_supplicant(lab, case):
    seen = one_after_the_other(lab, lambda lab, program: beacons_checked(lab, program, CASES[case]),
                               r"BIGTK|IGTK|BEACON|WNM|CONNECTED|DISCONNECTED|SA Query")
    report = json.dumps(seen, indent=1)
    reference = seen["wpa_supplicant"]
    expected = [f"CTRL-EVENT-UNPROT-BEACON {AP_MAC}"] if CASES[case] else []
    assert reference["the rogue's beacons: events"] == expected, report  # what the comparison rests on
    assert reference["the AP heard a report"] == bool(expected), report
    assert seen["pywps"] == reference, report
