"""An eap=WSC network's identity and phase1 as the WSC method reads them (pywps/wps/wscprofile.py, after hostap's
eap_wsc_init / eap_wsc_new_ap_settings), and the run request a network block becomes (pywps/station/profile.py).
The differential proof that the runs behave as wpa_supplicant's is test_scenarios_wps.py::test_ap_wps_eap_wsc."""

from __future__ import annotations

import pytest

from pywps.config import parse
from pywps.station.profile import is_eap_wsc, profile_request
from pywps.station.types import RunKind
from pywps.wps.defs import AuthType, DevicePasswordId, EncrType
from pywps.wps.wscprofile import (
    IDENTITY_ENROLLEE,
    IDENTITY_REGISTRAR,
    MethodRefused,
    WscRole,
    is_pin_enrollee,
    method_config,
    new_ap_settings,
)

ENROLLEE, REGISTRAR = IDENTITY_ENROLLEE, IDENTITY_REGISTRAR
SETTINGS = f"new_ssid={b'new ssid'.hex()} new_auth=WPA2PSK new_encr=CCMP new_key={b'new passphrase'.hex()}"


def test_enrollee_pin_runs_to_the_next_space():
    config = method_config(ENROLLEE, "pin=12345670 dev_pw_id=5 extra")
    assert (config.role, config.pin, config.dev_password_id) == (WscRole.ENROLLEE, "12345670", 5)
    assert config.new_settings is None


def test_pbc_is_taken_only_without_a_pin():
    assert method_config(ENROLLEE, "pbc=1").pin is None
    assert method_config(ENROLLEE, "pbc=1").dev_password_id == DevicePasswordId.PUSHBUTTON
    assert method_config(ENROLLEE, "pbc=1 pin=12345670").pin == "12345670"  # pin= wins wherever it is


def test_dev_pw_id_counts_only_with_a_pin():
    assert method_config(ENROLLEE, "pbc=1 dev_pw_id=5").dev_password_id == DevicePasswordId.PUSHBUTTON
    assert method_config(ENROLLEE, "pin=12345670 dev_pw_id=x").dev_password_id == 0  # atoi: no digits is 0


@pytest.mark.parametrize("text,number", [
    ("5x", 5), ("+5", 5), ("-65531", 5), ("65541", 5),  # atoi, then hostap's u16 keeps the low 16 bits
    ("99999999999999999999", 0xFFFF),  # strtol saturates at LONG_MAX, (int) keeps -1
    ("\u0665", 0),  # a Unicode digit is no C digit
])
def test_dev_pw_id_is_read_with_glibc_atoi_into_a_u16(text, number):
    assert method_config(ENROLLEE, f"pin=12345670 dev_pw_id={text}").dev_password_id == number


def test_options_are_found_anywhere_as_substrings():
    # strstr: "xpin=" contains "pin=", as in hostap
    assert method_config(ENROLLEE, "xpin=1234").pin == "1234"


@pytest.mark.parametrize("identity,phase1,why", [
    (b"WFA-SimpleConfig-Enrollee-unexpected", "pin=12345670", "unexpected identity"),
    (None, "pin=12345670", "unexpected identity"),
    (ENROLLEE + b"\0", "pin=12345670", "unexpected identity"),  # compared with its length
    (ENROLLEE, None, "phase1 not set"),
    (ENROLLEE, "", "PIN or PBC not set"),
    (ENROLLEE, "pbc=0", "PIN or PBC not set"),
    (ENROLLEE, "pin=nfc-pw", "NFC"),
    (ENROLLEE, "pin=12345670 dev_pw_id=7", "NFC"),
    (ENROLLEE, "pin=12345670 pkhash=00", "pkhash"),
    (REGISTRAR, "pin=12345670 new_ssid=aa", "missing new_auth"),
    (REGISTRAR, "pin=12345670 new_ssid=aa new_auth=WPA2PSK", "missing new_encr"),
    (REGISTRAR, "pin=12345670 new_ssid=aa new_auth=WPA3 new_encr=CCMP", "unknown new_auth"),
    (REGISTRAR, "pin=12345670 new_ssid=aa new_auth=WPA2PSK new_encr=WEP", "unknown new_encr"),
    (REGISTRAR, "pin=12345670 new_ssid=a new_auth=OPEN new_encr=NONE", "invalid new_ssid"),
    (REGISTRAR, "pin=12345670 new_ssid=zz new_auth=OPEN new_encr=NONE", "invalid new_ssid"),
    (REGISTRAR, f"pin=12345670 new_ssid={'aa' * 33} new_auth=OPEN new_encr=NONE", "invalid new_ssid"),
    (REGISTRAR, "pin=12345670 new_ssid=aa new_auth=OPEN new_encr=NONE new_key=abc", "invalid new_key"),
    (REGISTRAR, "pbc=1", "registrar needs the AP's PIN"),
])
def test_what_makes_the_method_refuse_to_start(identity, phase1, why):
    with pytest.raises(MethodRefused, match=why):
        method_config(identity, phase1)


def test_registrar_with_new_settings():
    config = method_config(REGISTRAR, f"pin=12345670 {SETTINGS}")
    assert config.role is WscRole.REGISTRAR and config.pin == "12345670"
    cred = config.new_settings
    assert (cred.ssid, cred.auth_type, cred.encr_type, cred.network_key) == \
        (b"new ssid", AuthType.WPA2PSK, EncrType.AES, b"new passphrase")


def test_registrar_without_new_ssid_or_new_key_only_learns():
    assert method_config(REGISTRAR, "pin=12345670").new_settings is None
    # hostap: new_ssid, new_auth and new_encr checked, then no new_key means no new settings at all
    assert new_ap_settings("new_ssid=6161 new_auth=OPEN new_encr=NONE") is None


def test_auth_and_encr_names_match_by_prefix_in_hostaps_order():
    cred = new_ap_settings("new_ssid=6161 new_auth=WPAPSKX new_encr=TKIPfoo new_key=")
    assert (cred.auth_type, cred.encr_type, cred.network_key) == (AuthType.WPAPSK, EncrType.TKIP, b"")


def test_pin_enrollee_as_eap_is_wps_pin_enrollee():
    assert is_pin_enrollee(ENROLLEE, "pin=1")
    assert not is_pin_enrollee(ENROLLEE, "pbc=1") and not is_pin_enrollee(REGISTRAR, "pin=1")
    assert not is_pin_enrollee(ENROLLEE, None)


# -- network blocks -> run requests ---------------------------------------------------------------------------


def network(body: str):
    return parse(f"network={{\n{body}\n}}\n").networks[0]


def test_only_eap_wsc_blocks_with_an_eapol_key_mgmt_run():
    assert not is_eap_wsc(network('ssid="x"\nkey_mgmt=NONE'))
    assert not is_eap_wsc(network("key_mgmt=NONE\neap=WSC"))
    assert not is_eap_wsc(network("key_mgmt=WPS"))  # a WPS command's own network carries no eap= in pywps
    assert is_eap_wsc(network("key_mgmt=WPS\neap=WSC")) and is_eap_wsc(network("key_mgmt=IEEE8021X\neap=WSC"))
    assert profile_request(network('ssid="x"\nkey_mgmt=NONE')) is None


def test_a_wps_block_becomes_the_run_wpa_supplicant_would_run():
    req = profile_request(network(f'key_mgmt=WPS\neap=WSC\nidentity="{ENROLLEE.decode()}"\nphase1="pin=12345670"'))
    assert (req.kind, req.pin, req.identity, req.refusal, req.key_mgmt_wps, req.keeps_trying) == \
        (RunKind.PIN, "12345670", ENROLLEE, None, True, True)
    assert req.network_id == 0 and req.bssid is None
    req = profile_request(network(f'key_mgmt=WPS\neap=WSC\nidentity="{REGISTRAR.decode()}"\nphase1="pin=1 {SETTINGS}"'))
    assert req.kind is RunKind.REG and req.new_settings.ssid == b"new ssid" and not req.keeps_trying


def test_a_refused_block_still_runs_and_keeps_its_identity():
    req = profile_request(network('key_mgmt=IEEE8021X\neap=WSC\nidentity="WFA-SimpleConfig-Enrollee-unexpected"'))
    assert req.identity == b"WFA-SimpleConfig-Enrollee-unexpected" and req.refusal == "unexpected identity"
    assert not req.key_mgmt_wps and not req.keeps_trying
    block = f'key_mgmt=WPS\neap=WSC\nidentity="{REGISTRAR.decode()}"\nphase1="pin=1 new_ssid=aa"'
    req = profile_request(network(block))
    assert req.kind is RunKind.REG and req.refusal == "missing new_auth"
    # hex identity and a phase1 cut at its NUL, as wpa_supplicant reads them
    req = profile_request(network(f"key_mgmt=WPS\neap=WSC\nidentity={ENROLLEE.hex()}\nphase1=70696e3d3100ff"))
    assert req.identity == ENROLLEE and req.pin == "1"
