"""The scenarios of the differential suite ported from hostap's tests/hwsim/test_ap_wps.py (issue 15): each a
hostapd config (over netlab.WPS_AP_SETTINGS), a station config and a step script, run on Debian wpa_supplicant
-Dwired and on pywps -D wired by difflab.run_scenarios. The tests that assert on them are the
test_scenarios_wps*.py files, grouped by the hwsim test each scenario comes from.

Scripts use the PAE group address as the BSSID where the hwsim test names the AP: Debian wpa_supplicant -Dwired
answers only on that address (see difflab). Each scenario gets its own lab and hostapd (the 60 s quiet period).
"""

from __future__ import annotations

from functools import cache

from difflab import (
    EXTRA_STATUS_KEYS,
    PAE_GROUP,
    PYWPS,
    WPAS,
    CliAction,
    ConfSnapshot,
    Hapd,
    HapdRestart,
    ScenarioTranscript,
    Sleep,
    Wait,
    conf_text,
    event_list,
    network_blocks,
    reply_dict,
    run_scenarios,
    without_unsent,
)
from netlab import STA_MAC

PIN = "12345670"
AP_PIN = "12345670"  # netlab.WPS_AP_SETTINGS's ap_pin
END = "^WPS-SUCCESS|^WPS-FAIL"
# An AP with no security configured (hwsim's "wps_state": "1" APs and its open ones): the base settings' WPA2
# lines removed.
OPEN = {"wpa": None, "wpa_passphrase": None, "wpa_key_mgmt": None, "rsn_pairwise": None}
# wired: the run's link ends just after its last word, and the station re-associates ~1 s later. The wait for
# that end holds the window open on a loaded machine. (An AP reconfiguration whose EAP-Failure never came, seen
# in CI runs, was hostapd's reload cutting the run off: cut_off_by_hostapds_reload.)
AFTER = [Wait(r"^CTRL-EVENT-DISCONNECTED", 5), Sleep(1.5), "STATUS", "LIST_NETWORKS"]


def hexs(text: str) -> str:
    return text.encode().hex()


def tlv(kind: int, value: bytes) -> bytes:
    return kind.to_bytes(2, "big") + len(value).to_bytes(2, "big") + value


def credential(ssid: bytes, auth: int, encr: int, key: bytes, mac: bytes, index: int = 1, *extra: bytes) -> bytes:
    """A WSC Credential attribute (for hostapd's extra_cred), written from the WSC spec's attribute ids."""
    body = tlv(0x1026, bytes([index])) + tlv(0x1045, ssid) + tlv(0x1003, auth.to_bytes(2, "big")) + \
        tlv(0x100F, encr.to_bytes(2, "big")) + b"".join(extra) + tlv(0x1027, key) + tlv(0x1020, mac)
    return tlv(0x100E, body)


STA = bytes.fromhex("0266a0ee1727")  # netlab.STA_MAC
OTHER_AP = bytes.fromhex("020000000200")
WPA2PSK, WPAPSK, OPEN_AUTH = 0x0020, 0x0002, 0x0001
AES, TKIP, NONE, WEP = 0x0008, 0x0004, 0x0001, 0x0002

def eap_wsc_pin_block(key_mgmt: str) -> str:
    """The station config with one PIN enrollee eap=WSC block of this key_mgmt."""
    return conf_text() + (f'network={{\n\tkey_mgmt={key_mgmt}\n\teap=WSC\n\t'
                          f'identity="WFA-SimpleConfig-Enrollee-1-0"\n\tphase1="pin={PIN}"\n\teapol_flags=0\n}}\n')


EAP_FIELDS_OF_0 = [f"GET_NETWORK 0 {f}" for f in ("eap", "identity", "phase1", "eapol_flags", "key_mgmt", "ssid")]

SCENARIOS: dict[str, dict] = {
    # -- test_ap_wps_init / test_ap_wps_auto_setup_with_config_file: an unconfigured AP configures itself
    "init": dict(
        hostapd={**OPEN, "ssid": "test-wps", "wps_state": "1"},
        script=['ADD_NETWORK', 'SET_NETWORK 0 ssid "home"', 'SET_NETWORK 0 psk "12345678"',
                "ENABLE_NETWORK 0 no-connect", "ADD_NETWORK", 'SET_NETWORK 1 ssid "home2"',
                "SET_NETWORK 1 bssid 00:11:22:33:44:55", "SET_NETWORK 1 key_mgmt NONE",
                "ENABLE_NETWORK 1 no-connect", Hapd("wps_pbc"), Hapd("wps_get_status"), "WPS_PBC", Wait(END),
                *AFTER, Hapd("wps_get_status"), Hapd("get_config")]),
    "auto-setup-config-file": dict(
        hostapd={**OPEN, "ssid": "wps", "wps_state": "1"},
        script=[Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), *AFTER]),
    # -- test_ap_wps_init_through_wps_config: hostapd's WPS_CONFIG, then an enrollee gets the new settings
    "init-through-wps-config": dict(
        hostapd={**OPEN, "ssid": "test-wps-init-config", "wps_state": "1"},
        script=[Hapd("wps_config", "test-wps-init-config", "WPA2PSK", "CCMP", "12345678"), Sleep(1.0),
                Hapd("wps_config", "foo"), Hapd("get_config"), Hapd("wps_pin", "any", PIN),
                f"WPS_PIN any {PIN}", Wait(END), *AFTER]),
    # -- test_ap_wps_conf: PBC with a configured AP
    "conf-pbc": dict(
        hostapd={"ssid": "test-wps-conf"},
        script=["SET device_name Device A", Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), *AFTER,
                Hapd("wps_get_status")]),
    # -- test_ap_wps_twice: a second run with a changed passphrase replaces the network
    "twice": dict(
        hostapd={"ssid": "test-wps-twice"},
        script=[Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), Sleep(1.2), "LIST_NETWORKS", ConfSnapshot(),
                HapdRestart(wpa_passphrase="another passphrase"), Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}",
                Wait(END), *AFTER]),
    # -- test_ap_wps_incorrect_pin: the first half wrong (M4), then the second (M6)
    "incorrect-pin-first-half": dict(
        hostapd={"ssid": "test-wps-incorrect-pin"},
        script=[Hapd("wps_pin", "any", PIN), f"WPS_PIN {PAE_GROUP} 55554444", Wait(END), Sleep(1.5),
                Hapd("wps_get_status"), "LIST_NETWORKS"]),
    "incorrect-pin-second-half": dict(
        hostapd={"ssid": "test-wps-incorrect-pin"},
        script=[Hapd("wps_pin", "any", PIN), f"WPS_PIN {PAE_GROUP} 12344444", Wait(END), Sleep(1.5),
                Hapd("wps_get_status")]),
    # -- test_ap_wps_conf_pin: a PIN the station chose; a PIN the AP does not know (M2D)
    "conf-pin": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER, Hapd("wps_get_status")]),
    "conf-pin-unknown-pin": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=[f"WPS_PIN {PAE_GROUP} {PIN}", Wait("^WPS-M2D|^WPS-SUCCESS", 5), Sleep(1.5), "WPS_CANCEL",
                Sleep(0.3)]),
    # -- test_ap_wps_conf_pin_mixed_mode: WPA+WPA2 AP
    "conf-pin-mixed-mode": dict(
        hostapd={"ssid": "test-wps-conf-pin-mixed", "wpa": "3", "wpa_pairwise": "TKIP"},
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER]),
    # -- test_ap_wps_conf_pin_timeout: the AP's PIN expired
    "conf-pin-timeout": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=[Hapd("wps_pin"), Hapd("wps_pin", "any", PIN, "1"), Sleep(1.3), f"WPS_PIN {PAE_GROUP} {PIN}",
                Wait("^WPS-M2D|^WPS-SUCCESS", 5), Sleep(0.5), "WPS_CANCEL", Sleep(0.3)]),
    # -- test_ap_wps_conf_pin_gcmp_128 / _gcmp_256 / _ccmp_256: the AP's cipher is not in WSC
    "conf-pin-gcmp": dict(
        hostapd={"ssid": "test-wps-conf-pin", "rsn_pairwise": "GCMP"},
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER]),
    "conf-pin-gcmp-256": dict(
        hostapd={"ssid": "test-wps-conf-pin", "rsn_pairwise": "GCMP-256"},
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER]),
    "conf-pin-ccmp-256": dict(
        hostapd={"ssid": "test-wps-conf-pin", "rsn_pairwise": "CCMP-256"},
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER]),
    # -- test_ap_wps_reg_connect (+ _zero_len_ap_pin, _mixed_mode): wps_reg with the AP PIN only
    "reg-connect": dict(
        hostapd={"ssid": "test-wps-reg-ap-pin"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN}", Wait(r"^WPS-FAIL\s*$|^WPS-SUCCESS", 5), *AFTER]),
    "reg-connect-zero-len-ap-pin": dict(
        hostapd={"ssid": "test-wps-reg-ap-pin", "ap_pin": ""},
        script=[f"WPS_REG {PAE_GROUP} ", Wait(END, 5), Sleep(1.0)]),
    "reg-connect-mixed-mode": dict(
        hostapd={"ssid": "test-wps-reg-ap-pin", "wpa": "3", "wpa_pairwise": "TKIP"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN}", Wait(r"^WPS-FAIL\s*$|^WPS-SUCCESS", 5), *AFTER]),
    # -- test_ap_wps_reg_override_ap_settings: hostapd's ap_settings file replaces what M7 says
    "reg-override-ap-settings": dict(
        hostapd={"ssid": "test-wps-reg-ap-pin", "ap_settings": "@LAB@/ap_settings"},
        files={"ap_settings": tlv(0x1026, b"\x01") + tlv(0x1045, b"test") + tlv(0x1003, b"\x00\x01") +
               tlv(0x100F, b"\x00\x01") + tlv(0x1027, b"") + tlv(0x1020, OTHER_AP)},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN}", Wait(r"^WPS-FAIL\s*$|^WPS-SUCCESS", 5), *AFTER]),
    # -- test_ap_wps_random_ap_pin: an AP PIN hostapd chose; then with the AP PIN disabled
    "random-ap-pin": dict(
        hostapd={"ssid": "test-wps-reg-random-ap-pin", "ap_pin": None},
        script=[Hapd("wps_ap_pin", "random"), f"WPS_REG {PAE_GROUP} @HAPD@", Wait(r"^WPS-FAIL\s*$|^WPS-SUCCESS", 5),
                *AFTER]),
    "ap-pin-disabled": dict(
        hostapd={"ssid": "test-wps-reg-random-ap-pin"},
        script=[Hapd("wps_ap_pin", "disable"), f"WPS_REG {PAE_GROUP} {AP_PIN}", Wait(END, 5), Sleep(1.0)]),
    # -- test_ap_wps_reg_config: configuring the AP with new settings, WPA2 and then open
    "reg-config": dict(
        hostapd={**OPEN, "ssid": "test-wps-init-ap-pin"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-new-ssid')} WPA2PSK CCMP {hexs('1234567890')}",
                Wait(END, 5), *AFTER, Hapd("get_config"), Hapd("wps_get_status")]),
    "reg-config-open": dict(
        hostapd={**OPEN, "ssid": "test-wps-init-ap-pin"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-open')} OPEN NONE ", Wait(END, 5), *AFTER,
                Hapd("get_config")]),
    # -- test_ap_wps_reg_config_ext_processing: hostapd hands the new settings out (wps_cred_processing=1)
    "reg-config-ext-processing": dict(
        hostapd={**OPEN, "ssid": "test-wps-init-ap-pin", "wps_cred_processing": "1"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-new-ssid')} WPA2PSK CCMP {hexs('1234567890')}",
                Wait(END, 5), *AFTER, Hapd("get_config")]),
    # -- test_ap_wps_reg_config_tkip: WPA/TKIP asked for, hostapd upgrades to WPA+WPA2
    "reg-config-tkip": dict(
        hostapd={**OPEN, "ssid": "test-wps-init-ap", "wps_state": "1"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-new-ssid-with-tkip')} WPAPSK TKIP {hexs('1234567890')}",
                Wait(END, 5), *AFTER, Hapd("get_config")]),
    # -- test_ap_wps_setup_locked (+ _2): a wrong AP PIN, a short one, a locked AP, ap_setup_locked=2
    "incorrect-ap-pin": dict(
        hostapd={"ssid": "test-wps-incorrect-ap-pin"},
        script=[f"WPS_REG {PAE_GROUP} 55554444 {hexs('wps-new-ssid-test')} WPA2PSK CCMP {hexs('1234567890')}",
                Wait(END, 5), Sleep(1.0), Hapd("wps_get_status")]),
    "short-ap-pin": dict(
        hostapd={"ssid": "test-wps-incorrect-ap-pin"},
        script=[f"WPS_REG {PAE_GROUP} 1234 {hexs('wps-new-ssid-test')} WPA2PSK CCMP {hexs('1234567890')}",
                Wait(END, 5), Sleep(1.0)]),
    "setup-locked": dict(
        hostapd={"ssid": "test-wps-incorrect-ap-pin", "ap_setup_locked": "1"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-new-ssid-test')} WPA2PSK CCMP {hexs('1234567890')}",
                Wait(END, 5), Sleep(1.0), Hapd("wps_get_status")]),
    "setup-locked-2-learn": dict(
        hostapd={"ssid": "test-wps-ap-pin", "ap_setup_locked": "2"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN}", Wait(r"^WPS-FAIL\s*$|^WPS-SUCCESS", 5), *AFTER]),
    "setup-locked-2-config": dict(
        hostapd={"ssid": "test-wps-ap-pin", "ap_setup_locked": "2"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-new-ssid-test')} WPA2PSK CCMP {hexs('1234567890')}",
                Wait(END, 5), Sleep(1.0), Hapd("wps_get_status"), Hapd("get_config")]),
    # -- test_ap_wps_cancel: the AP cancels its PBC before the station runs
    "ap-cancel": dict(
        hostapd={"ssid": "test-wps-ap-cancel"},
        script=[Hapd("wps_pbc"), Hapd("wps_cancel"), Hapd("wps_get_status"), "WPS_PBC",
                Wait("^WPS-M2D|^WPS-SUCCESS|^WPS-FAIL", 5), Sleep(0.5), "WPS_CANCEL", Sleep(0.3)]),
    # -- test_ap_wps_fragmentation: 50-byte EAP-WSC fragments both ways, WPA+WPA2 AP
    "fragmentation-pbc": dict(
        hostapd={"ssid": "test-wps-fragmentation", "wpa": "3", "wpa_pairwise": "TKIP", "fragment_size": "50"},
        capture=True,
        script=[Hapd("wps_pbc"), "SET wps_fragment_size 50", f"WPS_PBC {PAE_GROUP}", Wait(END), *AFTER]),
    "fragmentation-reg": dict(
        hostapd={"ssid": "test-wps-fragmentation", "wpa": "3", "wpa_pairwise": "TKIP", "fragment_size": "50"},
        capture=True,
        script=["SET wps_fragment_size 50", f"WPS_REG {PAE_GROUP} {AP_PIN}",
                Wait(r"^WPS-FAIL\s*$|^WPS-SUCCESS", 5), *AFTER]),
    # -- test_ap_wps_check_pin: PIN checking, the same answers as hostapd's
    "check-pin": dict(
        hostapd={"ssid": "wps"},
        script=[*(x for pin in ("12345670", "12345678", "12345", "123456789", "1234-5670", "1234 5670",
                                "1-2.3:4 5670")
                  for x in (f"WPS_CHECK_PIN {pin}", Hapd("wps_check_pin", pin))),
                *(x for _ in range(5) for x in ("WPS_PIN get", "WPS_CHECK_PIN @REPLY@"))]),
    # -- test_ap_wps_wep_config: WEP asked for in wps_reg
    "wep-config": dict(
        hostapd={**OPEN, "ssid": "test-wps-config"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('wps-new-ssid-wep')} OPEN WEP {hexs('hello')}",
                Wait(r"^WPS-FAIL", 5), Sleep(1.0), Hapd("wps_get_status")]),
    # -- test_ap_wps_wep_enroll: the AP sends a WEP credential
    "wep-enroll": dict(
        hostapd={**OPEN, "ssid": "test-wps-wep", "skip_cred_build": "1", "extra_cred": "@LAB@/cred"},
        files={"cred": credential(b"test-wps-wep", OPEN_AUTH, WEP, b"hello", STA, 1, tlv(0x1028, b"\x01"))},
        script=[Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), Sleep(1.0), "LIST_NETWORKS",
                Hapd("wps_get_status")]),
    # -- test_ap_wps_per_station_psk: hostapd makes a PSK for this enrollee and writes it to its psk file
    "per-station-psk": dict(
        hostapd={"ssid": "wps", "wpa_passphrase": None, "wpa_psk_file": "@LAB@/psk"},
        files={"psk": b"# WPA PSKs\n"},
        script=[Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), *AFTER]),
    # -- test_ap_wps_pin_request_file: hostapd records the PIN request of an unknown enrollee
    "pin-request-file": dict(
        hostapd={"ssid": "wps", "wps_pin_requests": "@LAB@/pinreq"},
        files={"pinreq": b""},
        script=["STATUS", f"WPS_PIN {PAE_GROUP} {PIN}", Wait("^WPS-M2D|^WPS-SUCCESS", 5),
                Wait("^CTRL-EVENT-EAP-FAILURE", 2), "WPS_CANCEL", Sleep(0.5)]),
    # -- test_ap_wps_disabled: an AP without WPS
    "wps-disabled": dict(
        hostapd={"ssid": "test-wps-disabled", "wps_state": None, "ap_pin": None},
        script=[Hapd("wps_pbc"), Hapd("wps_cancel"), "WPS_PBC", Wait("^CTRL-EVENT-EAP-FAILURE", 5),
                Sleep(1.0), "WPS_CANCEL", Sleep(0.3)]),
    # -- test_ap_wps_tkip / test_ap_wps_wep: hostapd disables WPS on such configs
    "ap-tkip-only": dict(
        hostapd={"ssid": "test-wps", "wps_state": "1", "wpa": "1", "wpa_pairwise": "TKIP", "rsn_pairwise": None},
        script=[Hapd("wps_pbc"), "WPS_PBC", Wait("^CTRL-EVENT-EAP-FAILURE", 5), Sleep(1.0), "WPS_CANCEL",
                Sleep(0.3)]),
    # -- test_ap_wps_mixed_cred: two credentials of one SSID (WPA2/AES and WPA/TKIP) become one network
    "mixed-cred": dict(
        hostapd={**OPEN, "ssid": "test-wps-wep", "skip_cred_build": "1", "extra_cred": "@LAB@/cred"},
        files={"cred": credential(b"test-wps-wep", WPA2PSK, AES, b"12345678", STA, 1) +
               credential(b"test-wps-wep", WPAPSK, TKIP, b"12345678", STA, 2)},
        script=[Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), Sleep(1.2), "LIST_NETWORKS",
                "GET_NETWORK 0 proto", "GET_NETWORK 0 pairwise", "GET_NETWORK 1 proto", "GET_NETWORK 1 pairwise",
                Sleep(10.5), "STATUS", "LIST_NETWORKS"]),
    # -- test_ap_wps_from_event: the station pushes the button before the AP does
    "pbc-before-ap": dict(
        hostapd={"ssid": "test-wps-conf"},
        script=[f"WPS_PBC {PAE_GROUP}", Wait("^WPS-M2D|^WPS-SUCCESS|^WPS-FAIL", 5), Hapd("wps_pbc"),
                Wait("^WPS-SUCCESS", 4), "WPS_CANCEL", Sleep(0.3)]),
    # -- test_ap_wps_priority: wps_priority on the stored network
    "priority": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=["SET wps_priority 6", "WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"),
                f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END), *AFTER, "GET_NETWORK 0 priority"]),
    # -- test_ap_wps_pbc_pin_mismatch: the AP runs PBC, the station a PIN
    "pbc-pin-mismatch": dict(
        hostapd={**OPEN, "ssid": "test-wps"},
        script=[Hapd("wps_pbc"), "WPS_PIN get", f"WPS_PIN {PAE_GROUP} @REPLY@",
                Wait("^WPS-M2D|^WPS-SUCCESS|^WPS-FAIL", 5), Sleep(0.5), "WPS_CANCEL", Sleep(0.3),
                Hapd("wps_cancel")]),
    # -- test_wps_config_methods: SET/GET config_methods
    "config-methods": dict(
        hostapd=None,
        script=["SET config_methods display label", "GET config_methods", "SET config_methods ",
                "GET config_methods"]),
    # -- test_ap_wps_eap_wsc: EAP-WSC as a network profile
    "eap-wsc-unexpected-identity": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        conf=conf_text() + 'network={\n\tkey_mgmt=IEEE8021X\n\teap=WSC\n\t'
                           'identity="WFA-SimpleConfig-Enrollee-unexpected"\n\teapol_flags=0\n}\n',
        script=[Wait("^CTRL-EVENT-EAP-FAILURE", 4), Sleep(0.3)]),
    "eap-wsc-no-phase1": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        conf=conf_text() + 'network={\n\tkey_mgmt=IEEE8021X\n\teap=WSC\n\t'
                           'identity="WFA-SimpleConfig-Enrollee-1-0"\n\teapol_flags=0\n}\n',
        script=[Wait("^CTRL-EVENT-EAP-FAILURE", 4), Sleep(0.3)]),
    "eap-wsc-pin-phase1": dict(
        hostapd={"ssid": "test-wps-conf-pin", "wps_pin_requests": None},
        conf=conf_text() + 'network={\n\tkey_mgmt=WPS\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Enrollee-1-0"\n\t'
                           'phase1="pin=12345670"\n\teapol_flags=0\n}\n',
        script=[Wait("^WPS-M2D|^WPS-SUCCESS|^WPS-FAIL", 4), Sleep(0.5)]),
    "eap-wsc-missing-new-auth": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        conf=conf_text() + 'network={\n\tkey_mgmt=WPS\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Registrar-1-0"\n\t'
                           'phase1="pin=12345670 new_ssid=aa"\n\teapol_flags=0\n}\n',
        script=[Wait("^CTRL-EVENT-EAP-FAILURE", 4), Sleep(0.5)]),
    # registrar blocks that work: learn the AP's settings with its PIN, or configure it (as WPS_REG does)
    "eap-wsc-reg-learn": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        conf=conf_text() + 'network={\n\tkey_mgmt=WPS\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Registrar-1-0"\n\t'
                           f'phase1="pin={AP_PIN}"\n\teapol_flags=0\n}}\n',
        script=[Wait(END, 5), *AFTER, "SAVE_CONFIG"]),
    "eap-wsc-reg-config": dict(
        hostapd={**OPEN, "ssid": "test-wps-init-ap-pin"},
        conf=conf_text() + 'network={\n\tkey_mgmt=WPS\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Registrar-1-0"\n\t'
                           f'phase1="pin={AP_PIN} new_ssid={hexs("wps-new-ssid")} new_auth=WPA2PSK new_encr=CCMP '
                           f'new_key={hexs("1234567890")}"\n\teapol_flags=0\n}}\n',
        script=[Wait(END, 5), *AFTER, Hapd("get_config")]),
    # an enrollee block with push button: the AP's button is pressed before its first EAPOL-Start (1 s)
    "eap-wsc-pbc": dict(
        hostapd={"ssid": "test-wps-conf"},
        conf=conf_text() + 'network={\n\tkey_mgmt=WPS\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Enrollee-1-0"\n\t'
                           'phase1="pbc=1"\n}\n',
        script=[Hapd("wps_pbc"), Wait(END, 5), *AFTER]),
    # the same blocks without an AP: what GET_NETWORK, LIST_NETWORKS, STATUS and SAVE_CONFIG say of them, and the
    # EAP fields set on a new network
    "eap-wsc-config-wps": dict(
        hostapd=None,
        conf=conf_text() + 'network={\n\tkey_mgmt=WPS\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Enrollee-1-0"\n\t'
                           'phase1="pin=12345670"\n\teapol_flags=0\n}\n',
        script=[Sleep(0.5), *EAP_FIELDS_OF_0, "LIST_NETWORKS", "STATUS", "SAVE_CONFIG"]),
    "eap-wsc-config-8021x": dict(
        hostapd=None,
        conf=conf_text() + 'network={\n\tkey_mgmt=IEEE8021X\n\teap=WSC\n\tidentity="WFA-SimpleConfig-Enrollee-1-0"\n\t'
                           'eapol_flags=0\n}\n',
        script=[Sleep(0.5), *EAP_FIELDS_OF_0, "LIST_NETWORKS", "STATUS", "ADD_NETWORK", "GET_NETWORK 1 eapol_flags",
                "SET_NETWORK 1 key_mgmt IEEE8021X", "GET_NETWORK 1 eap", "SET_NETWORK 1 eap WSCX",
                "SET_NETWORK 1 eap WSC",
                f"SET_NETWORK 1 identity {hexs('WFA-SimpleConfig-Registrar-1-0')}",
                'SET_NETWORK 1 phase1 "pin=12345670 new_ssid=6161"', "SET_NETWORK 1 eapol_flags 2",
                "SET_NETWORK 1 eapol_flags x",
                *(f"GET_NETWORK 1 {f}" for f in ("eap", "identity", "phase1", "eapol_flags")),
                "SET_NETWORK 1 identity NULL", "GET_NETWORK 1 identity", "SET_NETWORK 1 eapol_flags 3",
                "SAVE_CONFIG"]),
    # WPS_CANCEL and DISCONNECT / RECONNECT while such a block's run goes on (no AP answers)
    "eap-wsc-cancel-wps": dict(
        hostapd=None, conf=eap_wsc_pin_block("WPS"),
        script=[Sleep(0.5), "WPS_CANCEL", Sleep(2.5), "LIST_NETWORKS", "STATUS"]),
    "eap-wsc-cancel-8021x": dict(
        hostapd=None, conf=eap_wsc_pin_block("IEEE8021X"),
        script=[Sleep(0.5), "WPS_CANCEL", Sleep(2.5), "LIST_NETWORKS", "STATUS"]),
    "eap-wsc-disconnect-8021x": dict(
        hostapd=None, conf=eap_wsc_pin_block("IEEE8021X"),
        script=[Sleep(0.5), "DISCONNECT", Sleep(0.5), "LIST_NETWORKS", "STATUS", "RECONNECT", Sleep(0.5),
                "LIST_NETWORKS"]),
    # -- test_ap_wps_eap_wsc_errors: malformed wps_reg arguments
    "reg-bad-auth": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('new ssid')} FOO CCMP {hexs('new passphrase')}",
                Wait(END, 4), Sleep(0.5)]),
    "reg-bad-encr": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} {hexs('new ssid')} WPA2PSK FOO {hexs('new passphrase')}",
                Wait(END, 4), Sleep(0.5)]),
    "reg-extra-arg": dict(
        hostapd={"ssid": "test-wps-conf-pin"},
        script=[f"WPS_REG {PAE_GROUP} {AP_PIN} new_ssid=a {hexs('new ssid')} WPA2PSK CCMP {hexs('new passphrase')}",
                Wait(END, 4), Sleep(0.5)]),
    # -- test_ap_wps_conf_and_sae: wps_cred_add_sae on a PSK+SAE AP
    "conf-and-sae": dict(
        hostapd={"ssid": "test-wps-conf-sae", "ieee80211w": "1", "sae_require_mfp": "1",
                 "wpa_key_mgmt": "WPA-PSK SAE"},
        conf=conf_text(wps_cred_add_sae="1"),
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER]),
    # -- test_ap_wps_pbc_in_m1: PBC in M1's config methods
    "pbc-in-m1": dict(
        hostapd={"ssid": "test-wps-conf", "config_methods": "virtual_push_button virtual_display",
                 "pbc_in_m1": "1"},
        script=[Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), *AFTER]),
    # -- test_ap_wps_random_uuid: auto_uuid=1
    "random-uuid": dict(
        hostapd={"ssid": "test-wps-conf"},
        conf=conf_text(auto_uuid="1"),
        script=["STATUS", Hapd("wps_pbc"), f"WPS_PBC {PAE_GROUP}", Wait(END), Sleep(0.5), "STATUS"]),
    # -- test_ap_wps_disable_enable: hostapd DISABLE/ENABLE, then a run
    "disable-enable": dict(
        hostapd={"ssid": "test-wps"},
        script=[Hapd("disable"), Hapd("enable"), Hapd("wps_pin", "any", PIN), f"WPS_PIN any {PIN}", Wait(END),
                *AFTER]),
    # -- test_ap_wps_appl_ext: the AP's Application Extension attribute does not disturb the station
    "appl-ext": dict(
        hostapd={"ssid": "test-wps-conf", "wps_application_ext": 16 * "11" + 5 * "ee"},
        script=["WPS_PIN get", Hapd("wps_pin", "any", "@REPLY@"), f"WPS_PIN {PAE_GROUP} @REPLY@", Wait(END),
                *AFTER]),
    # -- test_ap_wps_wpa_cli_action: wpa_cli -a runs its action script on WPS events
    "wpa-cli-action": dict(
        hostapd={"ssid": "test-wps-conf"},
        script=[CliAction(), Hapd("wps_pin", "any", PIN), f"WPS_PIN {PAE_GROUP} {PIN}", Wait(END), *AFTER]),
    # -- test_ap_wps_conf_stub_cred: hostapd adds a stub credential before the real one (CONFIG_WPS_TESTING)
    "conf-stub-cred": dict(
        hostapd={"ssid": "test-wps-conf"},
        script=[Hapd("set", "wps_testing_stub_cred", "1"), Hapd("wps_pin", "any", PIN), f"WPS_PIN {PAE_GROUP} {PIN}",
                Wait(END), *AFTER]),
}


RERUNS = 2  # of a scenario whose run's end hostapd's reload cut off


@cache
def all_transcripts() -> dict[str, dict[str, ScenarioTranscript]]:
    """Every scenario on both daemons; a scenario whose AP lost a run's end to its own reload
    (cut_off_by_hostapds_reload), on either daemon, runs again on both: that end depends on the machine's load,
    not on the station."""
    specs = {name: {"conf": conf_text(), **spec} for name, spec in SCENARIOS.items()}
    out = run_scenarios(specs, workers=8)
    for _ in range(RERUNS):
        again = {name: specs[name] for name, both in out.items() if any(map(cut_off_by_hostapds_reload, both.values()))}
        if not again:
            break
        out.update(run_scenarios(again, workers=8))
    return out


def cut_off_by_hostapds_reload(t: ScenarioTranscript) -> bool:
    """hostapd reloads its configuration 100 ms after it has new settings (wps_hostapd.c, wps_reload_config), be
    the run over or not. A station slower than that to answer the AP's WSC_Done (on a loaded machine; a probe
    that stopped wpa_supplicant for 0.3 s at M8 showed it) is flushed with the old configuration: its answer
    starts a new EAP conversation, whose Identity requests wpa_supplicant discards, and no EAP-Failure ends
    the run."""
    for log in t.hostapd_logs:
        before, reloaded, _ = log.partition("WPS: Reload configuration data")
        _, last_done, after_done = before.rpartition("WPS: Building Message WSC_Done")
        if reloaded and last_done and "EAP: Building EAP-Failure" not in after_done:
            return True
    return False


def run(name: str) -> tuple[ScenarioTranscript, ScenarioTranscript]:
    """(wpa_supplicant's transcript, pywps's): every scenario runs once per session, all side by side."""
    both = all_transcripts()[name]
    return both[WPAS], both[PYWPS]


# -- what the tests compare ------------------------------------------------------------------------------------

def texts(t: ScenarioTranscript) -> list[str]:
    """The event texts, without those pywps need not send (difflab.EVENTS_NOT_SENT)."""
    assert not t.error, t.error
    return [text for _, text in without_unsent(event_list(t.events))]


STARTUP_JOIN = [f"Associated with {PAE_GROUP}", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0"]


def after_startup(t: ScenarioTranscript) -> list[str]:
    """texts() without the association a daemon makes at start (wpa_supplicant 100 ms after it, pywps too): a
    monitor that attaches later, as on a loaded machine, misses it on either daemon."""
    events = texts(t)
    return events[2:] if events[:2] == STARTUP_JOIN else events


def status(t: ScenarioTranscript, nth: int = 0) -> dict[str, str]:
    """The nth STATUS as a dict, without the keys pywps adds on purpose (difflab.EXTRA_STATUS_KEYS)."""
    return {k: v for k, v in reply_dict(t.reply("STATUS", nth)).items() if k not in EXTRA_STATUS_KEYS}


def blocks(t: ScenarioTranscript) -> list[dict[str, str]]:
    return network_blocks(t.conf_after)


def hapd(t: ScenarioTranscript, command: str, nth: int = 0) -> dict[str, str]:
    """A hostapd_cli reply as key=value (wps_get_status's 'Key: value' lines too)."""
    out = {}
    for line in t.hapd(command, nth).splitlines():
        key, sep, value = line.partition("=") if "=" in line else line.partition(": ")
        if sep:
            out[key] = value
    return out


def wps_events(t: ScenarioTranscript) -> list[str]:
    return [x for x in texts(t) if x.startswith("WPS-")]


ASSOCIATED = {"bssid": PAE_GROUP, "freq": "0", "mode": "station", "wpa_state": "ASSOCIATED",
              "address": STA_MAC}
ENROLLED_PIN = ["CTRL-EVENT-NETWORK-ADDED 0", "WPS-PIN-ACTIVE ", f"Associated with {PAE_GROUP}",
                "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0", "CTRL-EVENT-EAP-STARTED EAP authentication started",
                "CTRL-EVENT-EAP-STATUS status='started' parameter=''",
                "CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1",
                "CTRL-EVENT-EAP-STATUS status='accept proposed method' parameter='WSC'",
                "CTRL-EVENT-EAP-METHOD EAP vendor 14122 method 1 (WSC) selected", "WPS-CRED-RECEIVED ",
                "WPS-SUCCESS ", "CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
                "CTRL-EVENT-EAP-FAILURE EAP authentication failed",
                f"CTRL-EVENT-DISCONNECTED bssid={PAE_GROUP} reason=3 locally_generated=1",
                f"Associated with {PAE_GROUP}", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0"]
ENROLLED_PBC = [x.replace("WPS-PIN-ACTIVE", "WPS-PBC-ACTIVE") for x in ENROLLED_PIN]
