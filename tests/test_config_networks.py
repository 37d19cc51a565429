"""Network ids, the network and GET/SET command handlers and their events, in-process (no root needed).

Every expected reply here was observed from Debian wpa_supplicant 2.10; tests/test_diff_config.py runs the same
commands against it live.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from difflab_config import NetworkCtx, handler_reply

from pywps import config as cfg
from pywps import netfields as nf
from pywps.netevents import (
    NetworkAdded,
    NetworkChanged,
    NetworkDisabled,
    NetworkEnabled,
    NetworkRemoved,
    NetworkSelected,
)
from pywps.cnumbers import c_atoi, c_strtol_int
from pywps.netfields import printf_decode


Ctx = NetworkCtx
run = handler_reply


TWO = 'network={\n\tssid="a"\n\tkey_mgmt=NONE\n}\n\nnetwork={\n\tssid="b"\n\tkey_mgmt=NONE\n}\n'


def test_ids_are_stable_and_new_ones_take_the_highest_plus_one():
    ctx = Ctx(TWO)
    assert [n.id for n in ctx.config.networks] == [0, 1]
    assert run(ctx, "ADD_NETWORK") == "2\n" and run(ctx, "ADD_NETWORK") == "3\n"
    assert run(ctx, "REMOVE_NETWORK 1") == "OK\n"
    assert [n.id for n in ctx.config.networks] == [0, 2, 3]
    assert ctx.config.network(2).id == 2 and run(ctx, "GET_NETWORK 1 ssid") == "FAIL\n"
    with pytest.raises(KeyError):
        ctx.config.network(1)
    assert run(ctx, "ADD_NETWORK") == "4\n"
    assert run(ctx, "REMOVE_NETWORK all") == "OK\n" and run(ctx, "ADD_NETWORK") == "0\n"
    assert ctx.events[:4] == [NetworkAdded(2), NetworkAdded(3), NetworkRemoved(1), NetworkAdded(4)]
    assert ctx.events[4:8] == [NetworkRemoved(0), NetworkRemoved(2), NetworkRemoved(3), NetworkRemoved(4)]


def test_a_reload_numbers_afresh():
    ctx = Ctx(TWO)
    run(ctx, "REMOVE_NETWORK 0")
    assert [n.id for n in cfg.parse(ctx.config.serialize()).networks] == [0]


def test_add_network_is_disabled_with_defaults_and_not_saved_without_a_psk():
    ctx = Ctx("update_config=1\n")
    run(ctx, "ADD_NETWORK")
    assert run(ctx, "LIST_NETWORKS") == "network id / ssid / bssid / flags\n0\t\tany\t[DISABLED]\n"
    answers = {f: run(ctx, f"GET_NETWORK 0 {f}") for f in ("ssid", "psk", "key_mgmt", "proto", "pairwise", "group",
                                                          "auth_alg", "bssid", "priority", "disabled", "scan_ssid")}
    assert answers == {"ssid": "FAIL\n", "psk": "FAIL\n", "key_mgmt": "WPA-PSK WPA-EAP", "proto": "WPA RSN",
                       "pairwise": "CCMP TKIP", "group": "CCMP TKIP", "auth_alg": "FAIL\n", "bssid": "FAIL\n",
                       "priority": "0", "disabled": "1", "scan_ssid": "0"}
    assert ctx.config.serialize() == "update_config=1\n"  # WPA-PSK without a psk: wpa_supplicant skips it
    run(ctx, 'SET_NETWORK 0 ssid "home"')
    run(ctx, "SET_NETWORK 0 psk 0E4B0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5")
    assert ctx.config.serialize() == ('update_config=1\n\nnetwork={\n\tssid="home"\n'
                                      '\tpsk=0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5\n'
                                      '\tdisabled=1\n}\n')
    assert run(ctx, "GET_NETWORK 0 psk") == "*"


@pytest.mark.parametrize("field,value,reply,get", [
    ("ssid", "686f6d65", "OK\n", '"home"'),
    ("ssid", "home", "FAIL\n", None),
    ("ssid", "686f6d6", "FAIL\n", None),
    ("ssid", 'P"a\\nb"', "OK\n", "610a62"),
    ("ssid", '"a"b"', "OK\n", '"a"b"'),
    ("ssid", '"' + "x" * 33 + '"', "FAIL\n", None),
    ("ssid", '"é"', "OK\n", "c3a9"),
    ("ssid", 'P"ab\\x41\\101\\q"', "OK\n", '"abAAq"'),
    ("psk", '"1234567"', "FAIL\n", None),
    ("psk", '"' + "x" * 64 + '"', "FAIL\n", None),
    ("psk", "12345678", "FAIL\n", None),
    ("psk", 'P"12345678"', "FAIL\n", None),
    ("psk", '"tab\t1234567"', "FAIL\n", None),
    ("psk", '"abc"d1234"', "OK\n", "*"),
    ("key_mgmt", "NONE  WPA-PSK", "OK\n", "WPA-PSK NONE"),
    ("key_mgmt", '"WPA-PSK"', "FAIL\n", None),
    ("key_mgmt", "WPA-PSK BOGUS", "FAIL\n", None),
    ("proto", "WPA2", "OK\n", "RSN"),
    ("proto", "RSN WPA", "OK\n", "WPA RSN"),
    ("pairwise", "GCMP CCMP-256 GCMP-256 TKIP CCMP", "OK\n", "CCMP-256 GCMP-256 CCMP GCMP TKIP"),
    ("pairwise", "WEP40", "FAIL\n", None),
    ("group", "WEP40 WEP104 TKIP CCMP", "OK\n", "CCMP TKIP"),
    ("group", "GTK_NOT_USED", "OK\n", ""),
    ("auth_alg", "SHARED OPEN", "OK\n", "OPEN SHARED"),
    ("auth_alg", "SAE", "FAIL\n", None),
    ("bssid", "02:00:00:00:01:AB", "OK\n", "02:00:00:00:01:ab"),
    ("bssid", "020000000100", "FAIL\n", None),
    ("bssid", "any", "OK\n", "FAIL\n"),
    ("priority", "0x10", "OK\n", "16"),
    ("priority", "99999999999", "OK\n", "1215752191"),
    ("priority", "5x", "FAIL\n", None),
    ("disabled", "3", "FAIL\n", None),
    ("disabled", "-1", "OK\n", "-1"),
    ("scan_ssid", "2", "FAIL\n", None),
    ("id_str", "office", "FAIL\n", None),
    ("id_str", "6f6666", "OK\n", '"off"'),
    ("wep_key0", '"12345678901234567"', "FAIL\n", None),
    ("wep_key1", "0102030405", "OK\n", "*"),
    ("wep_key2", '""', "OK\n", "FAIL\n"),
    ("wep_tx_keyidx", "4", "OK\n", "4"),
    ("frequency", "99999999", "FAIL\n", None),
    ("frequency", "-5", "OK\n", "-5"),
    ("bogus", "1", "FAIL\n", None),
    ("mode", "2", "OK\n", "2"),  # kept, never joined (an AP's network)
    ("mode", "6", "FAIL\n", None),
    ("mac_addr", "2", "OK\n", "2"),  # a random address with the permanent OUI (station/macaddr.py)
    ("mac_addr", "3", "FAIL\n", None),
    ("sae_password", '"sae secret"', "OK\n", "*"),
    ("bgscan", "simple", "FAIL\n", None),
    ("freq_list", "2412 x 2437", "OK\n", "2412"),
    ("scan_freq", "x", "OK\n", "FAIL\n"),
    ("bssid_blacklist", "02:00:00:00:01:00/ff:ff:ff:ff:ff:00 ", "FAIL\n", None),
    ("bssid_whitelist", "02:00:00:00:01:00/FF:ff:ff:ff:ff:00", "OK\n", "02:00:00:00:01:00/ff:ff:ff:ff:ff:00"),
])
def test_set_network_validates_and_canonicalizes(field, value, reply, get):
    ctx = Ctx()
    run(ctx, "ADD_NETWORK")
    before = dict(ctx.config.network(0).fields)
    assert run(ctx, f"SET_NETWORK 0 {field} {value}") == reply
    if reply == "FAIL\n":
        assert ctx.config.network(0).fields == before  # a refused value changes nothing
        assert ctx.events == [NetworkAdded(0)]
    else:
        assert run(ctx, f"GET_NETWORK 0 {field}") == get
        assert ctx.events[-1] == NetworkChanged(0, field)


def test_command_shapes():
    ctx = Ctx(TWO)
    for bare in ("SET_NETWORK", "GET_NETWORK", "DUP_NETWORK", "REMOVE_NETWORK", "ENABLE_NETWORK", "DISABLE_NETWORK",
                 "SELECT_NETWORK", "GET", "SET"):
        assert run(ctx, bare) == "UNKNOWN COMMAND\n", bare
    assert run(ctx, "SET_NETWORK 0 ssid") == "FAIL\n" and run(ctx, "GET_NETWORK 0") == "FAIL\n"
    assert run(ctx, "GET_NETWORK 0 ssid extra") == "FAIL\n"
    assert run(ctx, 'SET_NETWORK x ssid "z"') == "OK\n" and run(ctx, "GET_NETWORK 0 ssid") == '"z"'  # atoi("x") = 0
    assert run(ctx, "SET_NETWORK 7 ssid \"z\"") == "FAIL\n" and run(ctx, "ENABLE_NETWORK 7") == "FAIL\n"


def test_list_networks_last_id_and_flags():
    ctx = Ctx(TWO)
    run(ctx, "ADD_NETWORK")
    run(ctx, "REMOVE_NETWORK 1")
    head = "network id / ssid / bssid / flags\n"
    assert run(ctx, "LIST_NETWORKS LAST_ID=0") == head + "2\t\tany\t[DISABLED]\n"
    assert run(ctx, "LIST_NETWORKS LAST_ID=1") == head + "2\t\tany\t[DISABLED]\n"
    assert run(ctx, "LIST_NETWORKS LAST_ID=2") == head
    assert run(ctx, "LIST_NETWORKS LAST_ID=-1") == run(ctx, "LIST_NETWORKS") == run(ctx, "LIST_NETWORKS bogus")
    assert run(ctx, "SET_NETWORK 0 disabled 2") == "OK\n"
    assert run(ctx, "LIST_NETWORKS").splitlines()[1] == "0\ta\tany\t[DISABLED][P2P-PERSISTENT]"
    for cmd in ("ENABLE_NETWORK 0", "DISABLE_NETWORK 0", "SELECT_NETWORK 0"):
        assert run(ctx, cmd) == "FAIL\n"


def test_list_networks_stops_before_4096_bytes_so_wpa_gui_can_page():
    ctx = Ctx()
    for i in range(200):
        run(ctx, "ADD_NETWORK")
        run(ctx, f'SET_NETWORK {i} ssid "{i:032d}"')
    seen, last, requests = [], -1, 0
    while True:
        reply = run(ctx, f"LIST_NETWORKS LAST_ID={last}")
        requests += 1
        assert len(reply.encode()) < 4096
        rows = reply.splitlines()[1:]
        if not rows:
            break
        seen += [int(r.split("\t")[0]) for r in rows]
        last = seen[-1]
    assert seen == list(range(200)) and requests < 10


def test_enable_disable_select():
    ctx = Ctx(TWO)
    assert run(ctx, "DISABLE_NETWORK all") == "OK\n"
    assert [n.disabled for n in ctx.config.networks] == [1, 1]
    assert run(ctx, "SELECT_NETWORK 1") == "OK\n"
    assert [n.disabled for n in ctx.config.networks] == [1, 0]  # the others are disabled, as wpa_supplicant does
    assert run(ctx, "SELECT_NETWORK any") == "OK\n"
    assert [n.disabled for n in ctx.config.networks] == [0, 0]
    assert run(ctx, "DISABLE_NETWORK 0") == "OK\n" and run(ctx, "ENABLE_NETWORK all") == "OK\n"
    assert ctx.events == [NetworkDisabled((0, 1), every=True), NetworkSelected(1), NetworkSelected(None), NetworkDisabled((0,)),
                          NetworkEnabled((0, 1), were_disabled=(0,))]  # its back-off ends too, not network 1's


def test_dup_network():
    ctx = Ctx(TWO)
    run(ctx, 'SET_NETWORK 0 psk "12345678"')
    assert run(ctx, "DUP_NETWORK 0 1 psk") == "OK\n" and ctx.config.network(1).fields["psk"] == '"12345678"'
    assert run(ctx, "DUP_NETWORK 0 1 priority") == "OK\n"  # an unset int copies its default
    assert run(ctx, "DUP_NETWORK 0 1 id_str") == "FAIL\n"  # unset, no default
    assert run(ctx, "DUP_NETWORK 0 1 bogus") == "FAIL\n" and run(ctx, "DUP_NETWORK 0 9 ssid") == "FAIL\n"
    assert run(ctx, "DUP_NETWORK 0 1") == "FAIL\n"
    assert ctx.events[-1] == NetworkChanged(1, "priority")


def test_get_set_globals():
    ctx = Ctx("ctrl_interface=/run/x\nupdate_config=1\n")
    assert run(ctx, "GET wps_cred_processing") == "0" and run(ctx, "GET ap_scan") == "1"
    assert run(ctx, "GET update_config") == "1" and run(ctx, "GET ctrl_interface") == "/run/x"
    for key in ("uuid", "device_name", "manufacturer", "model_name", "model_number", "serial_number", "device_type",
                "os_version", "config_methods", "ctrl_interface_group", "bogus", "wps_fragment_size"):
        assert run(ctx, f"GET {key}") == "FAIL\n", key
    assert run(ctx, "SET bogus 1") == "FAIL\n"
    assert run(ctx, "SET uuid 12345678-9abc-def0-1234-56789abcdef0") == "OK\n" and run(ctx, "GET uuid") == "FAIL\n"
    assert run(ctx, "SET uuid 123456789abcdef0123456789abcdef0") == "FAIL\n"
    assert run(ctx, "SET device_name My Dev") == "OK\n" and run(ctx, "GET device_name") == "My Dev"
    assert run(ctx, "SET device_name " + "x" * 33) == "FAIL\n"
    assert run(ctx, "SET manufacturer " + "x" * 65) == "FAIL\n"
    assert run(ctx, "SET os_version 1020300") == "FAIL\n" and run(ctx, "SET os_version 01020300") == "OK\n"
    assert run(ctx, "SET config_methods telepathy") == "OK\n" and run(ctx, "GET config_methods") == "telepathy"
    assert run(ctx, "SET wps_cred_processing 3") == "FAIL\n" and run(ctx, "SET wps_cred_processing -1") == "OK\n"
    assert ctx.config.wps_cred_processing == 0  # wpa_supplicant only acts on 1 and 2
    assert run(ctx, "SET wps_fragment_size 50") == "OK\n" and "wps_fragment_size" not in ctx.config.serialize()
    assert run(ctx, "SET device_name a\nnetwork={") == "FAIL\n"  # deliberate: a newline would break the file


def test_number_and_escape_helpers():
    assert (c_atoi("x"), c_atoi("12abc"), c_atoi(" -3"), c_atoi("")) == (0, 12, -3, 0)
    assert (c_strtol_int("0x10"), c_strtol_int("010"), c_strtol_int(" 7"), c_strtol_int("-5")) == (16, 8, 7, -5)
    with pytest.raises(ValueError):
        c_strtol_int("5x")
    assert printf_decode(r"a\nb\\\"\x41\101\e") == b'a\nb\\"AA\x1b'
    # hostap's: an unknown escape is the char itself, a lone \x nothing, a backslash at the end nothing
    assert printf_decode("\\q\\xg") == b"qg" and printf_decode("ab\\") == b"ab" and printf_decode("\\") == b""


_values = st.text(st.sampled_from([*'abc019 "\\#xP\t', "é", "\n", "\x00"]), max_size=20)
_ids = st.sampled_from(["0", "1", "2", "x", "all", "any"])
_commands = st.one_of(
    st.just("ADD_NETWORK"),
    st.builds(lambda i, f, v: f"SET_NETWORK {i} {f} {v}", _ids, st.sampled_from(sorted(nf.FIELDS)), _values),
    st.builds(lambda i, f: f"GET_NETWORK {i} {f}", _ids, st.sampled_from(sorted(nf.FIELDS))),
    st.builds(lambda c, i: f"{c} {i}", st.sampled_from(["REMOVE_NETWORK", "ENABLE_NETWORK", "DISABLE_NETWORK",
                                                       "SELECT_NETWORK", "LIST_NETWORKS LAST_ID="]), _ids),
    st.builds(lambda a, b, f: f"DUP_NETWORK {a} {b} {f}", _ids, _ids, st.sampled_from(sorted(nf.FIELDS))),
    st.builds(lambda k, v: f"SET {k} {v}", st.sampled_from(["device_name", "uuid", "os_version", "config_methods",
                                                           "update_config", "bogus", "wps_priority"]), _values),
)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(_commands, max_size=30))
def test_any_command_sequence_keeps_a_file_pywps_reads_back(lines):
    """No root needed: the handlers answer every sequence (only FAIL, never an exception), and the file they
    leave reads back with the same values (test_diff_config.py proves Debian wpa_supplicant loads it too)."""
    ctx = Ctx("update_config=1\n")
    for line in lines:
        assert isinstance(run(ctx, line), str)  # an answer, FAIL at worst: any other exception fails here
    text = ctx.config.serialize()
    again = cfg.parse(text)
    kept = [n for n in ctx.config.networks if n.saved()]
    assert [n.id for n in again.networks] == list(range(len(kept)))
    for before, after in zip(kept, again.networks):
        for name, spec in nf.FIELDS.items():
            held = before.value(name)
            assert (spec.default if held in spec.omit else held) == after.value(name)
    assert "\n\n\n" not in text and "\x00" not in text


def test_enabling_an_enabled_block_keeps_the_users_text():
    text = 'network={\n\t# my home\n\tssid="a"\n\tkey_mgmt=NONE\n}\n'
    ctx = Ctx(text)
    assert run(ctx, "ENABLE_NETWORK all") == "OK\n" and run(ctx, "SELECT_NETWORK any") == "OK\n"
    assert ctx.config.serialize() == text
    run(ctx, "DISABLE_NETWORK 0")
    assert ctx.config.serialize() == 'network={\n\tssid="a"\n\tkey_mgmt=NONE\n\tdisabled=1\n}\n'
