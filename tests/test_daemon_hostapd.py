"""pywps -D wired against Debian hostapd (WPS AP, internal registrar, AP PIN) over a veth pair, driven by
Debian's wpa_cli: the daemon's whole job, end to end."""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

from netlab import SEED_PSK, AP_MAC, WiredLab, pywps_conf, requires_lab, run, wait_for

pytestmark = requires_lab

SEED_HEX = (
    "100e006f10260001011045000c6a6b6d2d7770732d74657374100300020020100f00020008102700403065346230343536633236366665"
    "3064333961643135353461316634626637313234333761636664623766333939653534663166316230323061643434386235102000060266"
    "a0ee1727"
)


def test_pin_credential_is_the_seed_vector_and_survives_restart():
    with WiredLab() as lab:
        hapd = lab.hostapd(wpa_psk=SEED_PSK)
        pywps = lab.pywps(pywps_conf(wps_cred_processing="2"))
        mon = pywps.monitor()
        assert hapd.cli("wps_pin", "any", "12345670").strip() == "OK"
        assert pywps.cli("wps_pin", "any", "12345670") == "12345670"
        mon.wait("^WPS-PIN-ACTIVE")
        cred = mon.wait(r"^WPS-CRED-RECEIVED ([0-9a-f]+)")
        assert cred[1] == SEED_HEX  # byte for byte what hostapd sent, enrollee MAC 02:66:a0:ee:17:27
        mon.wait("^WPS-SUCCESS")
        mon.wait("^CTRL-EVENT-EAP-FAILURE")
        hapd.wait_log(r"WPS-REG-SUCCESS 02:66:a0:ee:17:27")
        text = pywps.conf.read_text()
        assert 'ssid="jkm-wps-test"' in text and f"psk={SEED_PSK}" in text and "key_mgmt=WPA-PSK" in text
        mon.close()
        assert pywps.stop() == 0
        assert not os.path.exists(pywps.socket) and not pywps.pidfile.exists()
        again = lab.pywps(None, conf=pywps.conf)  # a restart on the file it wrote
        listing = again.cli("list_networks")
        assert re.search(r"^0\tjkm-wps-test\tany\t", listing, re.M), listing


def test_cred_processing_1_emits_hex_and_stores_nothing():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf(wps_cred_processing="1"))
        before = pywps.conf.read_bytes()
        mon = pywps.monitor()
        hapd.cli("wps_pin", "any", "12345670")
        pywps.cli("wps_pin", "any", "12345670")
        mon.wait("^WPS-CRED-RECEIVED 100e")
        mon.wait("^WPS-SUCCESS")
        assert pywps.conf.read_bytes() == before


def test_generated_pin_given_to_hostapd():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        mon = pywps.monitor()
        pin = pywps.cli("wps_pin", "any")
        assert re.fullmatch(r"\d{8}", pin), pin
        assert pywps.cli("wps_check_pin", pin) == pin  # a generated PIN has a valid checksum
        hapd.cli("wps_pin", "any", pin)
        mon.wait("^WPS-SUCCESS")


def test_push_button():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        mon = pywps.monitor()
        assert hapd.cli("wps_pbc").strip() == "OK"
        assert pywps.cli("wps_pbc").strip() == "OK"
        mon.wait("^WPS-PBC-ACTIVE")
        mon.wait("^WPS-SUCCESS")
        hapd.wait_log("WPS-PBC-DISABLE")
        assert 'ssid="jkm-wps-test"' in pywps.conf.read_text()


def test_wrong_pin_fails_with_config_error_18_and_leaves_the_file():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        before = pywps.conf.read_bytes()
        mon = pywps.monitor()
        hapd.cli("wps_pin", "any", "12345670")
        pywps.cli("wps_pin", "any", "12345671")  # second half wrong: found at M6
        mon.wait(r"^WPS-FAIL msg=10 config_error=18")
        hapd.wait_log(r"WPS-FAIL msg=10 config_error=18")
        time.sleep(0.3)
        assert pywps.conf.read_bytes() == before
        assert not any(e.startswith("WPS-SUCCESS") for e in mon.events)


def test_no_pin_at_the_registrar_gives_m2d():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        mon = pywps.monitor()
        pywps.cli("wps_pin", "any", "12345670")
        mon.wait(r"^WPS-M2D dev_password_id=0 config_error=0")
        hapd.wait_log("WPS-PIN-NEEDED")


def test_wps_reg_learns_the_ap_settings():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        mon = pywps.monitor()
        assert pywps.cli("wps_reg", AP_MAC, "12345670").strip() == "OK"
        cred = mon.wait(r"^WPS-CRED-RECEIVED ([0-9a-f]+)")
        assert bytes.fromhex(cred[1]).find(b"jkm-wps-test") > 0 and b"12345678" in bytes.fromhex(cred[1])
        mon.wait(r"^WPS-FAIL msg=11 config_error=0")  # how wpa_supplicant ends a learn-only run
        assert 'psk="12345678"' in pywps.conf.read_text()
        assert "ssid=jkm-wps-test" in hapd.cli("get_config")  # unchanged


def test_wps_reg_reconfigures_hostapd():
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        mon = pywps.monitor()
        reply = pywps.cli("wps_reg", AP_MAC, "12345670", "new-ssid", "WPA2PSK", "CCMP", "newpassphrase")
        assert reply.strip() == "OK"
        mon.wait("^WPS-SUCCESS")
        hapd.wait_log("WPS-NEW-AP-SETTINGS")
        def new_config() -> str | None:
            config = hapd.cli("get_config")
            return config if "ssid=new-ssid" in config else None

        config = wait_for(new_config, 10, "hostapd's new SSID")
        assert "passphrase=newpassphrase" in config
        assert "ssid=new-ssid" in hapd.conf.read_text()  # hostapd rewrote its file
        assert 'ssid="new-ssid"' in pywps.conf.read_text() and 'psk="newpassphrase"' in pywps.conf.read_text()


def test_wrong_ap_pin_for_wps_reg():
    with WiredLab() as lab:
        lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        mon = pywps.monitor()
        pywps.cli("wps_reg", AP_MAC, "11112222")
        mon.wait(r"^WPS-FAIL msg=8 config_error=18")  # the AP refused our R-Hash1 at M4


def test_wpa_cli_action_script_and_interactive_mode_see_events(tmp_path):
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pywps = lab.pywps(pywps_conf())
        out = tmp_path / "events.txt"
        script = tmp_path / "action.sh"
        script.write_text(f"#!/bin/sh\necho \"$1 $2\" >> {out}\n")
        script.chmod(0o755)
        action = subprocess.Popen(["wpa_cli", "-p", pywps.ctrl_dir, "-i", "vsta", "-a", str(script)])
        interactive = subprocess.Popen(["wpa_cli", "-p", pywps.ctrl_dir, "-i", "vsta"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_for(lambda: run(["wpa_cli", "-p", pywps.ctrl_dir, "-i", "vsta", "ping"]).stdout.strip() == "PONG", 5, "ping")
            time.sleep(0.5)  # both wpa_cli have ATTACHed
            hapd.cli("wps_pin", "any", "12345670")
            pywps.cli("wps_pin", "any", "12345670")
            wait_for(lambda: out.exists() and "WPS-SUCCESS" in out.read_text(), 15, "wpa_cli -a running the script")
            assert out.read_text().startswith("vsta ")
            time.sleep(0.3)
            interactive.stdin.write("quit\n")
            interactive.stdin.flush()
            output = interactive.communicate(timeout=10)[0]
            assert "WPS-SUCCESS" in output and "WPS-CRED-RECEIVED" in output
        finally:
            action.terminate()
            interactive.kill()
            action.wait()


def test_sighup_rereads_config_and_corrupt_config_refuses_to_start():
    with WiredLab() as lab:
        pywps = lab.pywps(pywps_conf(device_name="first"))
        assert pywps.cli("get", "device_name") == "first"
        pywps.conf.write_text(pywps.conf.read_text().replace("device_name=first", "device_name=second"))
        pywps.proc.send_signal(1)
        wait_for(lambda: pywps.cli("get", "device_name") == "second", 5, "SIGHUP reload")
        assert pywps.stop() == 0

        broken = "ctrl_interface=@CTRL@\nupdate_config=1\nnetwork={\n\tssid=\"x\"\n"
        bad = lab.pywps(broken, wait=False)
        original = bad.conf.read_bytes()
        assert bad.proc.wait(15) != 0
        assert "not closed" in bad.log_text() and "Traceback" not in bad.log_text()
        assert bad.conf.read_bytes() == original


def test_pcap_records_the_registration():
    scapy = pytest.importorskip("scapy.all")
    with WiredLab() as lab:
        hapd = lab.hostapd()
        pcap = lab.dir / "run.pcap"
        pywps = lab.pywps(pywps_conf(), ["--pcap", str(pcap)])
        mon = pywps.monitor()
        hapd.cli("wps_pin", "any", "12345670")
        pywps.cli("wps_pin", "any", "12345670")
        mon.wait("^WPS-SUCCESS")
        mon.wait("^CTRL-EVENT-EAP-FAILURE")
        pywps.stop()
        packets = scapy.rdpcap(str(pcap))
        assert all(p.type == 0x888E for p in packets)
        frames = [bytes(p)[14:] for p in packets]
        assert frames[0][1] == 1  # EAPOL-Start first
        # Every WSC message of the run is in the file: M1..M8 and WSC_Done (Message Type attribute 0x1022).
        seen = set()
        for frame in frames:
            pos = frame.find(b"\x10\x22\x00\x01")
            if pos >= 0:
                seen.add(frame[pos + 4])
        assert seen >= {0x04, 0x05, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0F}, sorted(seen)
