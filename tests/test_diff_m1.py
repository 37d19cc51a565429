"""What M1 and M2 say, and where the station's frames go, side by side (issue 15): Debian wpa_supplicant
-Dwired and pywps -D wired enroll (or, with `WPS_REG`, act as registrar) with the same config against a fresh
Debian hostapd; hostapd's -dd log shows each M1 as it parsed it, and the EAPOL frames captured on the AP's end
show what the log does not (the WFA vendor extension: Version2, Request to Enroll; M2; each frame's
destination).

Observed from wpa_supplicant 2.10 over the wired lab:
- nothing configured: Config Methods 0x3148 (display, keypad, virtual display, and its build's NFC interface
  0x0040 and P2PS 0x1000 bits), Primary Device Type 0-00000000-0, each string a single space (0x20), RF Bands
  0x3 (no bands from the wired driver: it claims 2.4 and 5 GHz), OS Version 80000000;
- `config_methods=display push_button keypad` -> 0x2388 (display and push button become their WSC 2.0
  virtual forms), `label push_button keypad` -> 0x384, `virtual_display physical_push_button` -> 0x2488;
  `os_version=01020300` -> 81020300 (the reserved top bit set);
- the WFA extension of M1 holds Version2 (0x20) only: no Request to Enroll; M1 attributes in hostap's order.
"""

from __future__ import annotations

from functools import cache

import pytest

from difflab import (PAE_GROUP, PYWPS, WPAS, Hapd, Transcript, Wait, conf_text, m1_from_hostapd_log, message_type,
                     requires_diff, run_both, wfa_subelements, wsc_attrs, wsc_messages)

pytestmark = requires_diff

OUTGOING = 4  # socket.PACKET_OUTGOING: the capture's own side (hostapd's frames)
NFC_INTERFACE, P2PS = 0x0040, 0x1000  # wpa_supplicant's build-time default bits pywps does not claim
DEVICE = {"device_name": "pywps differential lab", "manufacturer": "Maker", "model_name": "Model",
          "model_number": "42", "serial_number": "SN1", "device_type": "1-0050F204-1", "os_version": "01020300",
          "config_methods": "display push_button keypad"}
CONFIGS = {
    "nothing": {},
    "device": DEVICE,
    "label-push_button": {"config_methods": "label push_button keypad"},
    "virtual-physical": {"config_methods": "virtual_display physical_push_button"},
    "physical-virtual": {"config_methods": "physical_display virtual_push_button keypad"},
    "eapol-version-2": {"eapol_version": "2"},
}
PIN = [Hapd("wps_pin", "any", "12345670"), "WPS_PIN any 12345670", Wait("^WPS-SUCCESS|^WPS-FAIL")]
REG = [f"WPS_REG {PAE_GROUP} 12345670", Wait("^WPS-SUCCESS|^WPS-FAIL")]  # the station as registrar: it sends M2
PBC = [Hapd("wps_pbc"), "WPS_PBC", Wait("^WPS-SUCCESS|^WPS-FAIL")]


@cache
def run(config: str, method: str = "pin") -> tuple[Transcript, Transcript]:
    both = run_both(PIN if method == "pin" else PBC, conf_text(**CONFIGS[config]), hostapd={}, capture=True,
                    settle=0.0)
    return both[WPAS], both[PYWPS]


@cache
def run_registrar(config: str) -> tuple[Transcript, Transcript]:
    both = run_both(REG, conf_text(**CONFIGS[config]), hostapd={"ap_pin": "12345670"}, capture=True, settle=0.0)
    return both[WPAS], both[PYWPS]


def m1_body(t: Transcript) -> bytes:
    return next(m for m in wsc_messages(t.frames) if message_type(m) == 0x04)


def m2_attrs(transcript: Transcript) -> list[tuple[int, bytes]]:
    """M2's TLVs less the run's own values: the nonces, the public key and the Authenticator."""
    body = next(m for m in wsc_messages(transcript.frames) if message_type(m) == 0x05)
    return [(attr, value) for attr, value in wsc_attrs(body) if attr not in RUN_OWN]


RUN_OWN = {0x101A, 0x1039, 0x1032, 0x1005}  # Enrollee Nonce, Registrar Nonce, Public Key, Authenticator
CONFIG_METHODS = 0x1008


CASES = [pytest.param(config, "pin", id=config) for config in CONFIGS] + [pytest.param("nothing", "pbc", id="pbc")]


@pytest.mark.parametrize("config,method", CASES)
def test_m1_as_hostapd_parses_it(config: str, method: str):
    wpas, pywps = run(config, method)
    w, p = m1_from_hostapd_log(wpas.hostapd_log), m1_from_hostapd_log(pywps.hostapd_log)
    assert w and p, "hostapd logged no M1"
    if "config_methods" not in CONFIGS[config]:  # claim only what pywps has: not the NFC interface, not P2PS
        methods = int(w["Config Methods"].split()[0], 16) & ~(NFC_INTERFACE | P2PS)
        assert int(p.pop("Config Methods").split()[0], 16) == methods
        w.pop("Config Methods")
    assert p == w


@pytest.mark.parametrize("config,method", CASES)
def test_m1_wfa_extension_and_attribute_order(config: str, method: str):
    wpas, pywps = run(config, method)
    w, p = m1_body(wpas), m1_body(pywps)
    assert wfa_subelements(p) == wfa_subelements(w) == {0x00: b"\x20"}  # Version2 2.0, no Request to Enroll
    assert [t for t, _ in wsc_attrs(p)] == [t for t, _ in wsc_attrs(w)]


def test_configured_values_reach_m1():
    """The configured strings and numbers as hostapd read them, written down once (not only 'the same')."""
    wpas, pywps = run("device")
    p = m1_from_hostapd_log(pywps.hostapd_log)
    assert p["Device Name"] == b"pywps differential lab".hex()  # 22 bytes: two hexdump lines in the log
    assert (p["Manufacturer"], p["Serial Number"]) == (b"Maker".hex(), b"SN1".hex())
    assert p["Config Methods"].startswith("0x2388 ") and p["OS Version"] == "81020300"
    assert p["Primary Device Type"] == "1-0050F204-1" and p["RF Bands"] == "0x3"


@pytest.mark.parametrize("method", ["pin", "pbc"])
def test_the_stations_frames_go_to_the_pae_group_address(method: str):
    """Where the station's EAPOL frames go on the wire, captured on the AP's end: wpa_supplicant's wired driver
    sends every one to the PAE group address (its "BSSID" there), hostapd's answers notwithstanding; pywps too.
    (A bridge does not forward that address: EAPOL stays on its link.)"""
    wpas, pywps = run("nothing", method)

    def sent(t: Transcript) -> list[tuple[str, int]]:  # (destination, EAPOL packet type) of each received frame
        return [(frame[:6].hex(":"), frame[15]) for kind, frame in t.frames if kind != OUTGOING]

    assert {dst for dst, _ in sent(wpas)} == {PAE_GROUP}
    assert sent(pywps) == sent(wpas)


@pytest.mark.parametrize("config", ["nothing", "device"])
def test_m2_says_what_m1_says_about_the_device(config: str):
    """The station as registrar (`WPS_REG`, hostapd's AP PIN): wpa_supplicant builds M2's device attributes
    as it builds M1's (WSC 2.0 config methods, OS Version with the top bit, a space for an empty string), and
    so does pywps (DeviceInfo.as_sent for both messages)."""
    wpas, pywps = run_registrar(config)
    w, p = m2_attrs(wpas), m2_attrs(pywps)
    assert (0x1011, b" " if config == "nothing" else b"pywps differential lab") in w  # Device Name
    if config == "nothing":  # as in M1: pywps claims neither the NFC interface nor P2PS
        w = [(t, (int.from_bytes(v, "big") & ~(NFC_INTERFACE | P2PS)).to_bytes(2, "big") if t == CONFIG_METHODS
              else v) for t, v in w]
    assert p == w


@pytest.mark.parametrize("config,version", [("nothing", 1), ("eapol-version-2", 2)])
def test_every_frame_carries_the_configured_eapol_version(config: str, version: int):
    """The version field of the station's EAPOL frames: `eapol_version` (1 unless set), in every frame, whatever
    version the authenticator sends (this lab's hostapd: 2)."""
    wpas, pywps = run(config)

    def versions(t: Transcript) -> list[int]:
        return [frame[14] for kind, frame in t.frames if kind != OUTGOING]

    assert set(versions(wpas)) == {version}
    assert versions(pywps) == versions(wpas)


def test_multi_ap_onboarding_on_a_wire_differs_on_purpose():
    """`WPS_PBC multi_ap=1` on a wire, against Debian hostapd -Dwired as a Multi-AP AP (multi_ap=3, a backhaul
    SSID of its own). wpa_supplicant looks for the AP's Multi-AP element in an association response a wire does
    not have, leaves ("AP does not include valid Multi-AP element") and never runs EAP. pywps differs on purpose:
    its wired port has no association to check, so it runs the registration, M1 asking for the backhaul
    credential as on a radio (tests/vm/guest/test_hwsim_wps.py compares the radio case), and stores it."""
    hostapd = {"multi_ap": "3", "multi_ap_backhaul_ssid": '"jkm-backhaul"',
               "multi_ap_backhaul_wpa_passphrase": "backhaul-secret"}
    script = [Hapd("wps_pbc"), "WPS_PBC multi_ap=1", Wait("^WPS-SUCCESS|^WPS-FAIL", 10.0), "SAVE_CONFIG"]
    both = run_both(script, conf_text(update_config="1"), hostapd=hostapd, capture=True, settle=0.0)
    wpas, pywps = both[WPAS], both[PYWPS]
    assert "AP does not include valid Multi-AP element" in wpas.station_log
    assert not [m for m in wsc_messages(wpas.frames) if message_type(m) == 0x04]  # no M1 from wpa_supplicant
    assert wfa_subelements(m1_body(pywps)) == {0x00: b"\x20", 0x06: b"\x80"}
    assert 'ssid="jkm-backhaul"' in pywps.conf_after and "multi_ap_backhaul_sta=1" in pywps.conf_after
