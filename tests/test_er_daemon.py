"""The External Registrar end to end: the pywps daemon on the wired lab with addresses, driven by Debian wpa_cli
with the lines a user types, against Debian hostapd's UPnP proxy (test_er_hostapd.py compares the service's
texts with Debian wpa_supplicant's on the same sequence)."""

from __future__ import annotations

import pytest

from er.lab import AP_PIN, AP_UUID, UPNP_AP, address_lab
from netlab import AP_MAC, WiredLab, pywps_conf, requires_lab, wait_for

pytestmark = [pytest.mark.root, pytest.mark.hostapd, requires_lab]


def test_wpa_cli_drives_the_er_through_the_daemon():
    with WiredLab() as lab:
        address_lab(lab)
        hostapd = lab.hostapd(**UPNP_AP)
        pywps = lab.pywps(pywps_conf(wps_cred_processing=None))
        monitor = pywps.monitor()
        assert pywps.cli("wps_er_start").strip() == "OK"
        monitor.wait(rf"^WPS-ER-AP-ADD {AP_UUID} {AP_MAC} pri_dev_type=\S+ wps_state=2 \|WPS AP\|Test\|Wired test AP\|", 15)
        assert pywps.cli("wps_er_learn", AP_UUID, AP_PIN).strip() == "OK"
        monitor.wait(rf"^WPS-ER-AP-SETTINGS uuid={AP_UUID} ssid=jkm-wps-test auth_type=0x0020 encr_type=0x0008 "
                     r"key=12345678$", 15)
        monitor.wait(r"^WPS-FAIL msg=11 config_error=0", 10)
        assert pywps.cli("wps_er_config", AP_UUID, AP_PIN, "new-ssid", "WPA2PSK", "CCMP",
                         "newpassphrase").strip() == "OK"
        monitor.wait(r"^WPS-SUCCESS ", 15)
        # hostapd applies the new settings a moment after M8 (it reloads its BSS)
        wait_for(lambda: "ssid=new-ssid" in hostapd.cli("get_config"), 10, "hostapd's new SSID")
        monitor.wait(r"^CTRL-EVENT-NETWORK-ADDED ", 5)  # the new settings are stored, as wpa_supplicant does
        assert pywps.cli("wps_er_stop").strip() == "OK"
        monitor.wait(rf"^WPS-ER-AP-REMOVE {AP_UUID}", 10)
        assert pywps.cli("ping").strip() == "PONG"
        assert "new-ssid" in pywps.conf.read_text()
        log = pywps.log_text()
        assert "Traceback" not in log and "key=12345678" not in log  # the AP's key never reaches the log
