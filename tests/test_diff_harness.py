"""The differential lab's own helpers, on recorded data (no root needed): reply classes and keys, event levels,
hostapd's -dd view of an M1 and the captured EAPOL frame it came in (both recorded from Debian wpa_supplicant
2.10 -Dwired enrolling with nothing configured, tests/data/diff/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from difflab import (Event, ScenarioTranscript, Transcript, m1_from_hostapd_log, message_type, parse_event,
                     reply_class, reply_dict, reply_keys, wfa_subelements, wsc_attrs, wsc_messages)

DATA = Path(__file__).parent / "data" / "diff"


@pytest.mark.parametrize("reply,cls", [
    (None, "NONE"), (b"", "EMPTY"), (b"OK\n", "OK"), (b"FAIL\n", "FAIL"), (b"FAIL-BUSY\n", "FAIL-BUSY"),
    (b"FAIL-CHECKSUM\n", "FAIL-*"), (b"UNKNOWN COMMAND\n", "UNKNOWN COMMAND"), (b"PONG\n", "PONG"),
    (b"12345670", "VALUE"), (b"vsta\n", "VALUE"), (b"wpa_state=DISCONNECTED\n", "VALUE"),
])
def test_reply_class(reply, cls):
    assert reply_class(reply) == cls


def test_reply_keys_in_order():
    status = b"bssid=01:80:c2:00:00:03\nfreq=0\nssid=\nkey_mgmt=WPS\nwpa_state=ASSOCIATED\n"
    assert reply_keys(status) == ["bssid", "freq", "ssid", "key_mgmt", "wpa_state"]
    assert reply_dict(status)["ssid"] == "" and reply_dict(status)["bssid"] == "01:80:c2:00:00:03"
    assert reply_keys(b"FAIL\n") == [] and reply_keys(None) == []


def test_event_levels():
    e = parse_event(b"<3>WPS-SUCCESS ")
    assert (e.level, e.text, e.name) == (3, "WPS-SUCCESS ", "WPS-SUCCESS")
    assert parse_event(b"no level").level is None


def test_transcript_until_and_after():
    t = Transcript("x", events=[Event(3, text, b"", 0.0) for text in ("A 1", "B 2", "C 3")])
    assert t.until("^B") == [(3, "A 1"), (3, "B 2")]
    assert t.after("^B") == [(3, "C 3")]
    assert t.until("^Z") == t.texts() and t.after("^Z") == []


def test_m1_as_hostapd_logged_it():
    m1 = m1_from_hostapd_log((DATA / "hostapd-m1-wpa_supplicant.log").read_text())
    assert m1 == {
        "UUID-E": "2b7093f1d6fb5108adbbbea66bb87333", "MAC Address": "02:66:a0:ee:17:27",
        "Authentication Type Flags": "0x23", "Encryption Type Flags": "0xd", "Connection Type Flags": "0x1",
        "Config Methods": "0x3148 [Display] [NFC] [Keypad]", "Wi-Fi Protected Setup State": "1",
        "Manufacturer": "20", "Model Name": "20", "Model Number": "20", "Serial Number": "20",
        "Primary Device Type": "0-00000000-0", "Device Name": "20", "RF Bands": "0x3", "Association State": "0",
        "Device Password ID": "0", "Configuration Error": "0", "OS Version": "80000000",
        "Multi-AP Extension": "00",
    }


def test_m1_hexdump_over_several_lines():
    log = ("WPS: Received M1\n"
           "WPS: Device Name - hexdump_ascii(len=22):\n"
           "     70 79 77 70 73 20 64 69 66 66 65 72 65 6e 74 69   pywps differenti\n"
           "     61 6c 20 6c 61 62                                 al lab          \n"
           "WPS: OS Version 81020300\n"
           "EAP-WSC: START -> MESG\n")
    assert m1_from_hostapd_log(log) == {"Device Name": b"pywps differential lab".hex(), "OS Version": "81020300"}
    assert m1_from_hostapd_log(log, nth=1) == {}


def test_m1_from_a_captured_frame():
    frame = bytes.fromhex((DATA / "m1-frame-wpa_supplicant.hex").read_text())
    [m1] = wsc_messages([(0, frame)])
    assert message_type(m1) == 0x04
    assert wfa_subelements(m1) == {0x00: b"\x20"}  # Version2 only: no Request to Enroll
    attrs = dict(wsc_attrs(m1))
    assert attrs[0x1008] == b"\x31\x48" and attrs[0x102D] == b"\x80\x00\x00\x00"  # Config Methods, OS Version
    assert attrs[0x1054] == bytes(8) and attrs[0x1011] == b" "  # Primary Device Type, Device Name


# hostapd -dd lines around an external registrar's new settings (Debian 2.10 -Dwired, the reg-config-tkip scenario):
# the run's end, and the end lost when the station answered WSC_Done late (stopped 0.3 s at M8)
ENDED = ["WPS: Received M8", "WPS: Building Message WSC_Done", "WPS: Received WSC_ACK",
         "EAP: Building EAP-Failure (id=40)", "vap: CTRL-EVENT-EAP-FAILURE 02:66:a0:ee:17:27",
         "WPS: Reload configuration data", "vap: Flushing old station entries"]
CUT_OFF = ["WPS: Received M8", "WPS: Building Message WSC_Done", "WPS: Reload configuration data",
           "vap: Flushing old station entries", "  New STA"]


@pytest.mark.parametrize("logs,cut_off", [
    ([ENDED], False), ([CUT_OFF], True), ([ENDED, CUT_OFF], True), ([["WPS: Received M8"]], False), ([], False)])
def test_a_run_cut_off_by_hostapds_reload(logs, cut_off):
    from scenarios_wps import cut_off_by_hostapds_reload

    t = ScenarioTranscript("x", hostapd_logs=["\n".join(lines) for lines in logs])
    assert cut_off_by_hostapds_reload(t) is cut_off
