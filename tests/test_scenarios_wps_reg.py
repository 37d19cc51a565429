"""hostap's test_ap_wps.py on the wired lab, the station as a registrar with the AP PIN (`WPS_REG`), and the
control commands of that file (issue 15). Same lab and rules as test_scenarios_wps.py; grouped by hwsim test.

Facts about the wired lab these scenarios showed (Debian hostapd/wpa_supplicant 2.10), beyond shared/notes:
- `WPS_REG <PAE group> <AP PIN>` (learn only) stores the AP's current settings as a network, reports
  WPS-CRED-RECEIVED, `WPS-FAIL msg=11 config_error=0`, EAP-Failure, a bare `WPS-FAIL `, and then associates
  with the stored network (STATUS: ASSOCIATED, key_mgmt=WPA2-PSK) - the hwsim test's "connect".
- hostapd with `ap_pin=` (empty), with `wps_ap_pin disable`, or with `ap_setup_locked=1`: the registrar gets
  `WPS-FAIL msg=5 config_error=15` (the AP's NACK after M1... M5 never comes), hostapd's wps_get_status keeps
  `Last WPS result: None` for a locked AP. wpa_supplicant sends an empty AP PIN as given.
- `ap_setup_locked=2`: learning works, configuring fails with `WPS-FAIL msg=12 config_error=15` and the AP keeps
  its settings (get_config unchanged).
- A wrong AP PIN fails at M5's check (`WPS-FAIL msg=8 config_error=18`); so does a 4-digit AP PIN ("1234"),
  which wpa_supplicant accepts and sends.
- hostapd's `ap_settings=FILE` replaces what M7 says: the registrar stores those settings (here an open network
  "test"). An open network learnt or configured by a registrar run is stored `disabled=1` with `WPS-OPEN-NETWORK
  id=N - Credentials for an open network disabled by default - use 'select_network N' to enable` right after
  WPS-CRED-RECEIVED (Debian builds CONFIG_WPS_REG_DISABLE_OPEN; it applies to registrar runs only), and no
  association follows.
- `wps_cred_processing=1` on hostapd: the AP keeps its settings and logs `WPS-NEW-AP-SETTINGS 1026...`; the
  registrar still stores the new settings and reports WPS-SUCCESS.
- `WPS_REG ... WPAPSK TKIP`: hostapd upgrades to wpa=3 with CCMP TKIP; the registrar stores a network without
  proto/pairwise lines.
- `WPS_REG ... OPEN WEP`, an unknown auth (`FOO`) or encr, or an extra argument before the SSID: wpa_supplicant
  answers OK, then fails to initialize the WSC method ("EAP: Failed to initialize EAP method: vendor 14122
  method 1 (WSC)"), bare WPS-FAIL: no M1 reaches hostapd (`Last WPS result: None`).
- SET config_methods "" clears it: GET config_methods answers an empty reply (no newline).
"""

from __future__ import annotations

import re

import pytest
from difflab import PAE_GROUP, requires_diff
from netlab import STA_MAC
from scenarios_wps import ASSOCIATED, after_startup, blocks, hapd, run, status, texts

pytestmark = [pytest.mark.root, pytest.mark.hostapd, requires_diff]

WPA2_BLOCK = {"proto": "RSN", "key_mgmt": "WPA-PSK", "pairwise": "CCMP", "auth_alg": "OPEN"}
MAC_UUID = "2b7093f1-d6fb-5108-adbb-bea66bb87333"
EAP_RUN = [f"Associated with {PAE_GROUP}", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0",
           "CTRL-EVENT-EAP-STARTED EAP authentication started", "CTRL-EVENT-EAP-STATUS status='started' parameter=''",
           "CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1",
           "CTRL-EVENT-EAP-STATUS status='accept proposed method' parameter='WSC'"]
EAP_END = ["CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
           "CTRL-EVENT-EAP-FAILURE EAP authentication failed"]
SELECTED = "CTRL-EVENT-EAP-METHOD EAP vendor 14122 method 1 (WSC) selected"
DISCONNECTED = f"CTRL-EVENT-DISCONNECTED bssid={PAE_GROUP} reason=3 locally_generated=1"
REASSOCIATED = [f"Associated with {PAE_GROUP}", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0"]
LEARNT = ["CTRL-EVENT-NETWORK-ADDED 0", *EAP_RUN, SELECTED, "WPS-CRED-RECEIVED ", "WPS-FAIL msg=11 config_error=0",
          *EAP_END, "WPS-FAIL ", DISCONNECTED, *REASSOCIATED]
CONFIGURED = ["CTRL-EVENT-NETWORK-ADDED 0", *EAP_RUN, SELECTED, "WPS-CRED-RECEIVED ", "WPS-SUCCESS ", *EAP_END,
              DISCONNECTED, *REASSOCIATED]
NOT_STARTED = ["CTRL-EVENT-NETWORK-ADDED 0", *EAP_RUN,
               "EAP: Failed to initialize EAP method: vendor 14122 method 1 (WSC)", *EAP_END, "WPS-FAIL ",
               DISCONNECTED, "CTRL-EVENT-NETWORK-REMOVED 0"]
OPEN_NETWORK = "WPS-OPEN-NETWORK id=0 - Credentials for an open network disabled by default - use " \
               "'select_network 0' to enable"


def refused(msg: int, config_error: int) -> list[str]:
    return ["CTRL-EVENT-NETWORK-ADDED 0", *EAP_RUN, SELECTED, f"WPS-FAIL msg={msg} config_error={config_error}",
            *EAP_END, "WPS-FAIL ", DISCONNECTED, "CTRL-EVENT-NETWORK-REMOVED 0"]


def associated(t, ssid: str, key_mgmt: str = "WPA2-PSK", cipher: str = "CCMP") -> dict[str, str]:
    return {**ASSOCIATED, "ssid": ssid, "id": "0", "pairwise_cipher": cipher, "group_cipher": cipher,
            "key_mgmt": key_mgmt, "uuid": MAC_UUID}


# -- test_ap_wps_reg_connect (+ _mixed_mode, _zero_len_ap_pin) ---------------------------------------------


@pytest.mark.parametrize("name", ["reg-connect", "reg-connect-mixed-mode"])
def test_ap_wps_reg_connect(name):
    """test_ap_wps_reg_connect and _mixed_mode: learning the AP's settings with its PIN stores them and the
    station associates with them (a WPA+WPA2 AP's settings are WPA2-PSK/CCMP)."""
    wpas, pywps = run(name)
    assert texts(wpas) == LEARNT
    assert texts(pywps) == texts(wpas)
    assert blocks(wpas) == [{"ssid": '"test-wps-reg-ap-pin"', "psk": '"12345678"', **WPA2_BLOCK}]
    assert blocks(pywps) == blocks(wpas)
    assert status(wpas) == associated(wpas, "test-wps-reg-ap-pin")
    assert status(pywps) == status(wpas)


def test_ap_wps_reg_connect_zero_len_ap_pin():
    """test_ap_wps_reg_connect_zero_len_ap_pin: hostapd with `ap_pin=` and `WPS_REG <bssid> ` (an empty PIN):
    wpa_supplicant answers OK, sends it, and the AP refuses at M5: `WPS-FAIL msg=5 config_error=15`."""
    wpas, pywps = run("reg-connect-zero-len-ap-pin")
    assert wpas.replies == pywps.replies == [(f"WPS_REG {PAE_GROUP} ", b"OK\n")]
    assert texts(wpas) == refused(5, 15)
    assert texts(pywps) == texts(wpas)


# -- test_ap_wps_reg_override_ap_settings ---------------------------------------------------------------------


def test_ap_wps_reg_override_ap_settings():
    """test_ap_wps_reg_override_ap_settings: hostapd's ap_settings file (an open network "test") is what the
    registrar learns; wpa_supplicant stores it disabled with WPS-OPEN-NETWORK."""
    wpas, pywps = run("reg-override-ap-settings")
    assert blocks(wpas) == [{"ssid": '"test"', "key_mgmt": "NONE", "auth_alg": "OPEN", "disabled": "1"}]
    assert OPEN_NETWORK in texts(wpas)
    assert wpas.reply("LIST_NETWORKS") == b"network id / ssid / bssid / flags\n0\ttest\tany\t[DISABLED]\n"
    assert texts(pywps) == texts(wpas)
    assert blocks(pywps) == blocks(wpas)
    assert pywps.reply("LIST_NETWORKS") == wpas.reply("LIST_NETWORKS")


def test_ap_wps_reg_override_ap_settings_learnt():
    """test_ap_wps_reg_override_ap_settings: the settings from hostapd's file reach both registrars."""
    wpas, pywps = run("reg-override-ap-settings")
    for t in (wpas, pywps):
        assert [{k: v for k, v in b.items() if k != "disabled"} for b in blocks(t)] == \
            [{"ssid": '"test"', "key_mgmt": "NONE", "auth_alg": "OPEN"}]
        assert "WPS-FAIL msg=11 config_error=0" in texts(t)


# -- test_ap_wps_random_ap_pin ----------------------------------------------------------------------------------


def test_ap_wps_random_ap_pin():
    """test_ap_wps_random_ap_pin: `wps_ap_pin random` on hostapd; the registrar learns with that PIN."""
    wpas, pywps = run("random-ap-pin")
    for t in (wpas, pywps):
        pin = t.hapd("wps_ap_pin random").strip()
        assert re.fullmatch(r"\d{8}", pin) and t.replies[0] == (f"WPS_REG {PAE_GROUP} {pin}", b"OK\n")
    assert texts(wpas) == LEARNT
    assert texts(pywps) == texts(wpas)
    assert blocks(pywps) == blocks(wpas) == [{"ssid": '"test-wps-reg-random-ap-pin"', "psk": '"12345678"',
                                              **WPA2_BLOCK}]


@pytest.mark.parametrize("name", ["ap-pin-disabled", "setup-locked"])
def test_ap_wps_ap_pin_refused(name):
    """test_ap_wps_random_ap_pin (`wps_ap_pin disable`) and test_ap_wps_setup_locked (an AP in the locked state,
    here ap_setup_locked=1): `WPS-FAIL msg=5 config_error=15` (setup locked)."""
    wpas, pywps = run(name)
    assert texts(wpas) == refused(5, 15)
    assert texts(pywps) == texts(wpas)
    if name == "setup-locked":
        assert hapd(wpas, "wps_get_status") == hapd(pywps, "wps_get_status") == \
            {"PBC Status": "Disabled", "Last WPS result": "None"}


# -- test_ap_wps_reg_config (+ _ext_processing, _tkip) -------------------------------------------------------


def test_ap_wps_reg_config():
    """test_ap_wps_reg_config: the registrar configures an open AP as WPA2-PSK; get_config shows the new SSID and
    passphrase, and the station stores and joins them."""
    wpas, pywps = run("reg-config")
    assert texts(wpas) == CONFIGURED
    assert texts(pywps) == texts(wpas)
    for t in (wpas, pywps):
        conf = hapd(t, "get_config")
        assert (conf["ssid"], conf["passphrase"], conf["wpa"], conf["rsn_pairwise_cipher"]) == \
            ("wps-new-ssid", "1234567890", "2", "CCMP")
        assert hapd(t, "wps_get_status")["Last WPS result"] == "Success"
        assert blocks(t) == [{"ssid": '"wps-new-ssid"', "psk": '"1234567890"', **WPA2_BLOCK}]
    assert status(pywps) == status(wpas) == associated(wpas, "wps-new-ssid")


def test_ap_wps_reg_config_open_reaches_the_ap():
    """test_ap_wps_reg_config (back to open): `WPS_REG ... OPEN NONE ` with an empty key: the AP becomes open."""
    wpas, pywps = run("reg-config-open")
    for t in (wpas, pywps):
        assert t.replies[0][1] == b"OK\n" and "WPS-SUCCESS " in texts(t)
        assert hapd(t, "get_config") == {"bssid": "02:00:00:00:01:00", "ssid": "wps-open",
                                        "wps_state": "configured"}


def test_ap_wps_reg_config_open_stored_disabled():
    """test_ap_wps_reg_config (back to open): wpa_supplicant stores the open network disabled with
    WPS-OPEN-NETWORK and does not associate."""
    wpas, pywps = run("reg-config-open")
    assert blocks(wpas) == [{"ssid": '"wps-open"', "key_mgmt": "NONE", "auth_alg": "OPEN", "disabled": "1"}]
    assert texts(wpas)[texts(wpas).index("WPS-CRED-RECEIVED ") + 1] == OPEN_NETWORK
    assert texts(pywps) == texts(wpas) and blocks(pywps) == blocks(wpas)


def test_ap_wps_reg_config_ext_processing():
    """test_ap_wps_reg_config_ext_processing: hostapd wps_cred_processing=1 keeps its settings and hands them out
    (WPS-NEW-AP-SETTINGS with the 1026 Network Index first); the registrar succeeds and stores them."""
    wpas, pywps = run("reg-config-ext-processing")
    assert texts(wpas) == CONFIGURED
    assert texts(pywps) == texts(wpas)
    for t in (wpas, pywps):
        assert re.search(r"WPS-NEW-AP-SETTINGS 10260001011045000c" + b"wps-new-ssid".hex(), t.hostapd_log)
        assert hapd(t, "get_config")["ssid"] == "test-wps-init-ap-pin"
        assert blocks(t) == [{"ssid": '"wps-new-ssid"', "psk": '"1234567890"', **WPA2_BLOCK}]


def test_ap_wps_reg_config_tkip():
    """test_ap_wps_reg_config_tkip: WPAPSK/TKIP asked for; hostapd upgrades to WPA+WPA2 (wpa=3, CCMP TKIP) and the
    station stores a network with no proto/pairwise lines."""
    wpas, pywps = run("reg-config-tkip")
    assert texts(wpas) == CONFIGURED
    assert texts(pywps) == texts(wpas)
    for t in (wpas, pywps):
        conf = hapd(t, "get_config")
        assert (conf["wpa"], conf["group_cipher"], conf["rsn_pairwise_cipher"], conf["wpa_pairwise_cipher"]) == \
            ("3", "TKIP", "CCMP TKIP", "CCMP TKIP")
        assert blocks(t) == [{"ssid": '"wps-new-ssid-with-tkip"', "psk": '"1234567890"', "key_mgmt": "WPA-PSK",
                              "auth_alg": "OPEN"}]
    assert status(pywps) == status(wpas)


# -- test_ap_wps_setup_locked / _2 -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["incorrect-ap-pin", "short-ap-pin"])
def test_ap_wps_setup_locked_wrong_pins(name):
    """test_ap_wps_setup_locked: a wrong AP PIN (55554444) and a 4-digit one (1234) both fail at M5:
    `WPS-FAIL msg=8 config_error=18`; hostapd's last result is Failed with our address."""
    wpas, pywps = run(name)
    assert texts(wpas) == refused(8, 18)
    assert texts(pywps) == texts(wpas)
    assert wpas.replies[0][1] == pywps.replies[0][1] == b"OK\n"
    if name == "incorrect-ap-pin":
        for t in (wpas, pywps):
            assert hapd(t, "wps_get_status") == {"PBC Status": "Disabled", "Last WPS result": "Failed",
                                                "Peer Address": STA_MAC}


def test_ap_wps_setup_locked_2_learn():
    """test_ap_wps_setup_locked_2: with ap_setup_locked=2 the AP PIN still lets a registrar learn."""
    wpas, pywps = run("setup-locked-2-learn")
    assert texts(wpas) == LEARNT
    assert texts(pywps) == texts(wpas)
    assert blocks(pywps) == blocks(wpas) == [{"ssid": '"test-wps-ap-pin"', "psk": '"12345678"', **WPA2_BLOCK}]


def test_ap_wps_setup_locked_2_config():
    """test_ap_wps_setup_locked_2: configuring fails at M8 with config_error=15 (setup locked); the AP keeps its
    settings."""
    wpas, pywps = run("setup-locked-2-config")
    assert texts(wpas) == refused(12, 15)
    assert texts(pywps) == texts(wpas)
    for t in (wpas, pywps):
        assert hapd(t, "wps_get_status")["Last WPS result"] == "Failed"
        assert hapd(t, "get_config")["ssid"] == "test-wps-ap-pin"


# -- test_ap_wps_fragmentation (registrar part) -------------------------------------------------------------


def test_ap_wps_fragmentation_registrar():
    """test_ap_wps_fragmentation: the registrar part (hostapd fragment_size=50, WPA+WPA2 AP)."""
    wpas, pywps = run("fragmentation-reg")
    assert texts(wpas) == LEARNT
    assert texts(pywps) == texts(wpas)
    assert blocks(pywps) == blocks(wpas) == [{"ssid": '"test-wps-fragmentation"', "psk": '"12345678"',
                                              **WPA2_BLOCK}]


# -- test_ap_wps_wep_config / test_ap_wps_eap_wsc_errors ------------------------------------------------------


def test_ap_wps_wep_config():
    """test_ap_wps_wep_config: WEP settings in WPS_REG. The hwsim test expects hostapd to refuse them (reason=2);
    Debian wpa_supplicant 2.10 refuses them itself: the method does not start, no M1 reaches the AP."""
    wpas, pywps = run("wep-config")
    assert texts(wpas) == NOT_STARTED
    assert texts(pywps) == texts(wpas)
    for t in (wpas, pywps):
        assert hapd(t, "wps_get_status") == {"PBC Status": "Disabled", "Last WPS result": "None"}


@pytest.mark.parametrize("name", ["reg-bad-auth", "reg-bad-encr", "reg-extra-arg"])
def test_ap_wps_eap_wsc_errors_deliberate_difference(name):
    """test_ap_wps_eap_wsc_errors: WPS_REG with an unknown auth (FOO), encr (FOO) or an extra word before the
    SSID. wpa_supplicant answers OK, adds a network, fails to start the WSC method and says a bare WPS-FAIL;
    nothing reaches the AP. pywps answers FAIL and starts nothing: a deliberate difference (issue 15), since the
    arguments are known to be unusable before any run, and both leave the AP untouched."""
    wpas, pywps = run(name)
    assert wpas.replies[0][1] == b"OK\n" and texts(wpas) == NOT_STARTED
    assert pywps.replies[0][1] == b"FAIL\n" and texts(pywps) == []
    for t in (wpas, pywps):
        assert "WPS: Received M1" not in t.hostapd_log and blocks(t) == []


# -- test_ap_wps_check_pin / test_wps_config_methods ---------------------------------------------------------


def test_ap_wps_check_pin():
    """test_ap_wps_check_pin: the station answers as hostapd's WPS_CHECK_PIN does (separators skipped, FAIL for
    the wrong length, FAIL-CHECKSUM), and every `WPS_PIN get` PIN passes its own check."""
    wpas, pywps = run("check-pin")
    expected = {"12345670": "12345670", "12345678": "FAIL-CHECKSUM", "12345": "FAIL", "123456789": "FAIL",
                "1234-5670": "12345670", "1234 5670": "12345670", "1-2.3:4 5670": "12345670"}
    for t in (wpas, pywps):
        for pin, answer in expected.items():
            assert t.reply(f"WPS_CHECK_PIN {pin}").decode().strip() == answer
            assert t.hapd(f"wps_check_pin {pin}").strip() == answer
        pins = [r for c, r in t.replies if c == "WPS_PIN get"]
        assert len(pins) == 5 and all(t.reply(f"WPS_CHECK_PIN {p.decode()}") == p for p in pins)
    assert [r for c, r in pywps.replies if c.split()[-1] in expected or c.endswith(" 5670")] == \
        [r for c, r in wpas.replies if c.split()[-1] in expected or c.endswith(" 5670")]


def test_wps_config_methods():
    """test_wps_config_methods: SET config_methods, GET it back, clear it."""
    wpas, pywps = run("config-methods")
    assert wpas.replies == [("SET config_methods display label", b"OK\n"), ("GET config_methods", b"display label"),
                            ("SET config_methods ", b"OK\n"), ("GET config_methods", b"")]
    assert pywps.replies == wpas.replies


# -- test_ap_wps_eap_wsc's blocks that work: a configured registrar network ------------------------------------


@pytest.mark.parametrize("name,events", [("eap-wsc-reg-learn", LEARNT), ("eap-wsc-reg-config", CONFIGURED)])
def test_configured_registrar_block_runs_as_wps_reg(name, events):
    """A `key_mgmt=WPS eap=WSC identity="WFA-SimpleConfig-Registrar-1-0" phase1="pin=<AP PIN> [new_ssid=..
    new_auth=.. new_encr=.. new_key=..]"` block, which is what WPS_REG makes: at start the station runs it as the
    WPS_REG run (same events, without the command's CTRL-EVENT-NETWORK-ADDED; learning ends in `WPS-FAIL msg=11`
    as WPS_REG's does), the credential replaces the block (which SAVE_CONFIG would not write) and is joined."""
    wpas, pywps = run(name)
    assert after_startup(wpas) == events[3:]  # without the command's network and the start-up association
    assert after_startup(pywps) == after_startup(wpas)
    ssid = "wps-new-ssid" if name.endswith("config") else "test-wps-conf-pin"
    assert blocks(wpas) == [{"ssid": f'"{ssid}"', "psk": '"1234567890"' if name.endswith("config") else '"12345678"',
                             **WPA2_BLOCK}]
    assert blocks(pywps) == blocks(wpas)
    assert status(wpas) == associated(wpas, ssid)
    assert status(pywps) == status(wpas)
    if name.endswith("config"):
        assert hapd(pywps, "get_config")["ssid"] == hapd(wpas, "get_config")["ssid"] == "wps-new-ssid"
