"""Issue 5 over real nl80211: pywps -D nl80211 on a mac80211_hwsim radio against Debian hostapd, driven by
Debian wpa_cli, compared with Debian wpa_supplicant on the same radio in the same boot."""

from __future__ import annotations

import pytest
from hwlab import (AP2_MAC, AP_MAC, HEARD_AT_ONCE, STA_MAC, AirCapture, ScanWatch, fresh_scan_cache, row_for, run,
                   sta_conf)
from difflab import message_type, wfa_subelements, wsc_attrs, wsc_messages
from netlab import WPS_AP_SETTINGS


def test_scan_flags_and_wps_ap_available_events(lab):
    ap = lab.hostapd()
    sta = lab.station(sta_conf())
    assert row_for(sta.scan(), AP_MAC)[3] == "[WPA2-PSK-CCMP][WPS][ESS]"
    sta.monitor.wait(r"^WPS-AP-AVAILABLE $")

    assert "OK" in ap.cli("wps_pin", "any", "12345670")
    assert row_for(sta.scan(), AP_MAC)[3:] == ["[WPA2-PSK-CCMP][WPS-AUTH][ESS]", "jkm-wps-test"]
    sta.monitor.wait(r"^WPS-AP-AVAILABLE-AUTH $")

    # A PIN registrar that authorized another enrollee's MAC: active, but not for us.
    ap.cli("wps_cancel")
    ap.cli("wps_pin", "any", "12345670", "0", "02:00:00:00:03:00")
    assert row_for(sta.scan(), AP_MAC)[3] == "[WPA2-PSK-CCMP][WPS-PIN][ESS]"
    sta.monitor.wait(r"^WPS-AP-AVAILABLE-PIN $")

    ap.cli("wps_cancel")
    assert "OK" in ap.cli("wps_pbc")
    assert row_for(sta.scan(), AP_MAC)[3] == "[WPA2-PSK-CCMP][WPS-PBC][ESS]"
    sta.monitor.wait(r"^WPS-AP-AVAILABLE-PBC $")

    bss = sta.cli("bss", AP_MAC)
    assert "wps_device_name=TestAP" in bss and "wps_selected_registrar=1" in bss
    assert "wps_device_password_id=4" in bss and "ssid=jkm-wps-test" in bss


def test_wps_pin_over_the_air_stores_the_credential(lab):
    ap = lab.hostapd()
    sta = lab.station(sta_conf())
    ap.cli("wps_pin", "any", "12345670")
    assert sta.cli("wps_pin", "any", "12345670").strip() == "12345670"
    cred = sta.monitor.wait(r"^WPS-CRED-RECEIVED (\S+)", 90)[1]
    assert bytes.fromhex(cred).find(b"jkm-wps-test") > 0
    sta.monitor.wait(r"^WPS-SUCCESS", 30)
    ap.wait_log(rf"WPS-REG-SUCCESS {STA_MAC}")
    assert any(e.startswith("Associated with " + AP_MAC) for e in sta.monitor.events)
    conf = sta.conf.read_text()
    assert 'ssid="jkm-wps-test"' in conf and 'psk="12345678"' in conf


def test_wps_pbc_over_the_air(lab):
    ap = lab.hostapd()
    sta = lab.station(sta_conf())
    ap.cli("wps_pbc")
    assert sta.cli("wps_pbc").strip() == "OK"
    sta.monitor.wait(r"^WPS-SUCCESS", 90)
    ap.wait_log(rf"WPS-REG-SUCCESS {STA_MAC}")
    assert 'ssid="jkm-wps-test"' in sta.conf.read_text()


def test_pbc_overlap_two_aps_no_registration(lab):
    ap1 = lab.hostapd("wlan0")
    ap2 = lab.hostapd("wlan2", ssid="other-ap", uuid="87654321-9abc-def0-1234-56789abcdef0", channel="6")
    sta = lab.station(sta_conf())
    ap1.cli("wps_pbc")
    ap2.cli("wps_pbc")
    sta.cli("wps_pbc")
    sta.monitor.wait(r"^WPS-OVERLAP-DETECTED", 90)
    assert not any(e.startswith("WPS-SUCCESS") for e in sta.monitor.events)
    assert "WPS-REG-SUCCESS" not in ap1.log_text() + ap2.log_text()
    assert "network={" not in sta.conf.read_text()
    rows = sta.cli("scan_results")
    assert row_for(rows, AP_MAC)[3].count("[WPS-PBC]") == 1 and row_for(rows, AP2_MAC)[3].count("[WPS-PBC]") == 1


def test_wps_reg_learns_then_configures_the_ap(lab):
    ap = lab.hostapd()
    sta = lab.station(sta_conf())
    assert sta.cli("wps_reg", AP_MAC, "12345670").strip() == "OK"
    sta.monitor.wait(r"^WPS-FAIL msg=11 config_error=0", 90)  # learn only: wpa_supplicant ends the same way
    # The learned settings are stored and joined. A WPS run started while connected must leave first, as
    # wpa_supplicant does (the kernel refused the run's association with EALREADY before the shell redesign).
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED ", 60)
    sta.monitor.events.clear()
    new_ssid = b"new-ssid".hex()
    assert sta.cli("wps_reg", AP_MAC, "12345670", new_ssid, "WPA2PSK", "CCMP", b"newpassphrase".hex()).strip() == "OK"
    sta.monitor.wait(r"^WPS-SUCCESS", 90)
    config = ap.cli("get_config")  # hostapd prints the SSID and passphrase it got from WPS as hex
    assert f"ssid={new_ssid}" in config and f"passphrase={b'newpassphrase'.hex()}" in config
    assert "refused by the kernel" not in sta.log_text()


def test_scan_results_and_bss_match_wpa_supplicant(lab):
    """The same AP seen by pywps and by Debian wpa_supplicant on the same radio: same flags, same BSS fields."""
    ap = lab.hostapd()
    ap.cli("wps_pin", "any", "12345670")
    # the cache holds the AP as it is now (Selected Registrar on) before either program scans: the first
    # program's scan would otherwise hand it an entry from before wps_pin if it missed the AP's frames
    fresh_scan_cache(ssids=(WPS_AP_SETTINGS["ssid"],))
    texts = {}
    for program in ("pywps", "wpa_supplicant"):
        sta = lab.station(sta_conf(), program=program)
        texts[program] = (row_for(sta.scan(), AP_MAC), sta.cli("bss", AP_MAC))
        sta.stop()
    (ours_row, ours_bss), (ref_row, ref_bss) = texts["pywps"], texts["wpa_supplicant"]
    assert ours_row[1:] == ref_row[1:], (ours_row, ref_row)  # frequency, level, flags, ssid
    fields = ("bssid", "freq", "beacon_int", "capabilities", "level", "flags", "ssid", "ie", "wps_state",
              "wps_selected_registrar", "wps_device_password_id", "wps_selected_registrar_config_methods",
              "wps_primary_device_type", "wps_device_name", "wps_config_methods")

    def pick(text: str) -> dict[str, str]:
        pairs = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        return {k: pairs.get(k) for k in fields}

    ours, ref = pick(ours_bss), pick(ref_bss)
    assert ref["wps_device_name"] == "TestAP"  # the reference really printed the WPS fields
    assert ours == ref


def first_scan_of_a_pin_run(lab, program: str, bssid: str) -> list[int]:
    """The channels of the first scan a `WPS_PIN <bssid>` run makes, with the AP (channel 6) in the station's
    table from a SCAN before it; the run must succeed. The AP beacons every 20 TU: under TCG with three VMs
    pywps's SCAN missed it once (hostapd's probe response late, no beacon within the channel's dwell)."""
    ap = lab.hostapd(channel="6", **HEARD_AT_ONCE)
    sta = lab.station(sta_conf(), program=program)
    row_for(sta.scan(), AP_MAC)
    ap.cli("wps_pin", "any", "12345670")
    with ScanWatch() as scans:
        sta.cli("wps_pin", bssid, "12345670")
        sta.monitor.wait(r"^WPS-SUCCESS", 90)
    return scans.finished[0]


@pytest.mark.parametrize("program", ["pywps", "wpa_supplicant"])
def test_a_pin_run_for_a_known_bssid_scans_its_channel_first(lab, program):
    """wpa_supplicant's known_wps_freq, and pywps's first_scan_freqs: only the AP's channel, 2437 MHz."""
    assert first_scan_of_a_pin_run(lab, program, AP_MAC) == [2437]


def test_a_pin_run_for_any_ap_scans_the_channels_of_known_wps_aps_first(lab):
    """Differs on purpose: for `WPS_PIN any` wpa_supplicant scans every channel (here 2.4 and 5 GHz, tens of
    them, ~4 s under TCG), pywps first the channels where its table saw WPS APs, then every channel if none
    there has a registrar for it (tests/test_shell.py covers that fallback)."""
    ours = first_scan_of_a_pin_run(lab, "pywps", "any")
    lab.restart()
    theirs = first_scan_of_a_pin_run(lab, "wpa_supplicant", "any")
    assert ours == [2437]
    assert 2437 in theirs and len(theirs) > 13, theirs


@pytest.mark.parametrize("program", ["pywps", "wpa_supplicant"])
def test_the_ap_begins_eap_and_hears_no_eapol_start(lab, program):
    """hostapd begins EAP as soon as a station associates for WPS: wpa_supplicant then sends no EAPOL-Start (its
    startWhen waits for the AP), and neither does pywps (before, its start made hostapd begin again: one more
    Identity round trip, ~60 ms of a run under TCG)."""
    ap = lab.hostapd()
    sta = lab.station(sta_conf(), program=program)
    ap.cli("wps_pin", "any", "12345670")
    sta.cli("wps_pin", "any", "12345670")
    sta.monitor.wait(r"^WPS-SUCCESS", 90)
    ap.wait_log(rf"WPS-REG-SUCCESS {STA_MAC}")
    assert "IEEE 802.1X: received EAPOL-Start from STA" not in ap.log_text()


NFC_INTERFACE, P2PS = 0x0040, 0x1000  # config methods of wpa_supplicant's build that pywps does not claim
CONFIG_METHODS = 0x1008


def without_unclaimed_methods(attrs: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    return [(t, (int.from_bytes(v, "big") & ~(NFC_INTERFACE | P2PS)).to_bytes(2, "big") if t == CONFIG_METHODS
             else v) for t, v in attrs]


@pytest.mark.parametrize("command", ["scan", "wps_pin", "wps_pbc", "wps_reg"])
def test_probe_and_association_requests_say_what_wpa_supplicants_say(lab, command):
    """The WPS IE of the station's probe requests and of its association request, read off the air (hwsim0),
    for both programs against the same AP: the same attributes in the same order (request type, the device as
    M1 gives it, Request to Enroll while enrolling), but for the config methods pywps does not claim (as in
    M1: the NFC interface and P2PS). A plain scan carries the information-only IE that Debian wpa_supplicant
    sends on a P2P-capable radio such as hwsim's. Other elements differ on purpose, as observed: wpa_supplicant
    adds its P2P and MBO elements and its own Extended Capabilities (BSS transition, WNM, QoS map: features
    pywps does not have), and Supported Operating Classes to its association requests; pywps leaves the
    kernel's Extended Capabilities. The elements the kernel builds (rates, HT/HE capabilities) are alike."""
    got = {}
    for program in ("wpa_supplicant", "pywps"):
        ap = lab.hostapd()
        sta = lab.station(sta_conf(), program=program)
        if command == "wps_pin":
            ap.cli("wps_pin", "any", "12345670")
        elif command == "wps_pbc":
            ap.cli("wps_pbc")
        with AirCapture() as air:
            if command == "scan":
                sta.scan()
            else:
                sta.cli(command, AP_MAC, *(["12345670"] if command in ("wps_pin", "wps_reg") else []))
                sta.monitor.wait(r"^WPS-SUCCESS|^WPS-FAIL", 90)
        got[program] = (air.wps_attributes(AirCapture.PROBE_REQUEST), air.wps_attributes(AirCapture.ASSOC_REQUEST))
        lab.restart()
    probes, associations = got["wpa_supplicant"]
    assert len(probes) == 1 and len(associations) == (0 if command == "scan" else 1), got["wpa_supplicant"]
    assert got["pywps"] == ([without_unclaimed_methods(probes[0])], associations)


RUN_OWN = {0x101A, 0x1032}  # Enrollee Nonce, Public Key: the run's own


@pytest.mark.parametrize("command", ["wps_pin", "wps_pbc"])
def test_m1_over_the_air_says_what_wpa_supplicants_says(lab, command):
    """M1 as the station sends it to hostapd on a radio, read off the air (hwsim0) for both programs: the same
    attributes in the same order (RF Bands the association's band, the password ID of the run), but for the
    config methods pywps does not claim; and the same message types, attribute types and lengths after it."""
    got = {}
    for program in ("wpa_supplicant", "pywps"):
        ap = lab.hostapd()
        sta = lab.station(sta_conf(), program=program)
        ap.cli(*(["wps_pin", "any", "12345670"] if command == "wps_pin" else ["wps_pbc"]))
        with AirCapture() as air:
            sta.cli(command, AP_MAC, *(["12345670"] if command == "wps_pin" else []))
            sta.monitor.wait(r"^WPS-SUCCESS", 90)
        got[program] = wsc_messages(air.eapol_frames())
        lab.restart()
    theirs, ours = got["wpa_supplicant"], got["pywps"]
    assert [message_type(m) for m in theirs] == [0x04, 0x07, 0x09, 0x0B]  # M1 M3 M5 M7 (WSC_Done: another op)
    m1 = [(t, v) for t, v in wsc_attrs(theirs[0]) if t not in RUN_OWN]
    assert (0x103C, b"\x01") in m1  # RF Bands: the AP's 2.4 GHz channel
    assert [(t, v) for t, v in wsc_attrs(ours[0]) if t not in RUN_OWN] == without_unclaimed_methods(m1)
    assert [[(t, len(v)) for t, v in wsc_attrs(m)] for m in ours[1:]] == \
        [[(t, len(v)) for t, v in wsc_attrs(m)] for m in theirs[1:]]


def multi_ap_elements(air: AirCapture) -> dict[str, list[int | None]]:
    """The Multi-AP bits of the association requests the station sent, per AP (None: no Multi-AP element): each
    different value once, as how many attempts an association takes on the emulated air varies (a CI run saw
    wpa_supplicant send three requests where it had sent two in every other run)."""
    from pywps.station.multiap import multi_ap_of

    sender = bytes.fromhex(STA_MAC.replace(":", ""))
    seen: dict[str, set[int | None]] = {}
    for f in air.frames:
        if (f[0] >> 2) & 3 == 0 and f[0] >> 4 == AirCapture.ASSOC_REQUEST and f[10:16] == sender:
            seen.setdefault(f[4:10].hex(":"), set()).add(multi_ap_of(f[28:]))
    return {ap: sorted(values, key=lambda v: -1 if v is None else v) for ap, values in sorted(seen.items())}


def test_multi_ap_backhaul_onboarding_as_wpa_supplicant(lab):
    """EasyMesh onboarding (`WPS_PBC multi_ap=1`) with Debian hostapd: a fronthaul AP (multi_ap=2, wlan0) that
    hands a backhaul station the backhaul network's credential, and that backhaul AP (multi_ap=1, wlan2, which
    admits only Multi-AP stations). For each program: M1's WFA extension (Version2 and the Multi-AP backhaul-
    station bit), the Multi-AP element of each association request (the WPS run's and the backhaul join's), the
    network stored (multi_ap_backhaul_sta=1, kept from the run's block), the BSS joined and the interface's
    4-address mode once there (the WPS run on a fronthaul-only BSS stays 3-address) and after the program ends.
    pywps before: a plain M1, no element, the fronthaul credential."""
    got = {}
    for program in ("wpa_supplicant", "pywps"):
        ap = lab.hostapd(multi_ap="2", multi_ap_backhaul_ssid='"jkm-backhaul"',
                         multi_ap_backhaul_wpa_passphrase="backhaul-secret")
        lab.hostapd("wlan2", ssid="jkm-backhaul", wpa_passphrase="backhaul-secret", multi_ap="1", channel="6",
                    wps_state=None, eap_server=None, ap_pin=None, uuid="87654321-9abc-def0-1234-56789abcdef0")
        sta = lab.station(sta_conf(), program=program)
        ap.cli("wps_pbc")
        with AirCapture() as air:
            assert sta.cli("wps_pbc", "multi_ap=1").strip() == "OK"
            sta.monitor.wait(r"^WPS-SUCCESS", 90)
            sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
        status = dict(line.split("=", 1) for line in sta.cli("status").splitlines() if "=" in line)
        four_addr = [line.strip() for line in run(["iw", "dev", "wlan1", "info"]).splitlines() if "4addr" in line]
        m1 = wsc_messages(air.eapol_frames())[0]
        got[program] = {
            "M1 WFA": wfa_subelements(m1),
            "association requests": multi_ap_elements(air),
            "joined": (status.get("wpa_state"), status.get("ssid"), status.get("bssid")),
            "4addr": four_addr,
            "stored": sta.cli("get_network", "0", "multi_ap_backhaul_sta").strip(),
            "networks": len(sta.cli("list_networks").splitlines()) - 1,
        }
        sta.stop()  # wpa_supplicant_mark_disassoc turns 4-address mode off with the link
        got[program]["4addr after"] = [line.strip() for line in run(["iw", "dev", "wlan1", "info"]).splitlines()
                                       if "4addr" in line]
        lab.restart()
    theirs = got["wpa_supplicant"]
    assert theirs["M1 WFA"] == {0x00: b"\x20", 0x06: b"\x80"}, got  # what the comparison rests on
    assert theirs["joined"] == ("COMPLETED", "jkm-backhaul", AP2_MAC), got
    assert theirs["association requests"] == {AP_MAC: [0x80], AP2_MAC: [0x80]}, got
    assert got["pywps"] == theirs, got
