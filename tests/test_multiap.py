"""EasyMesh onboarding of a backhaul station (`WPS_PBC multi_ap=1`), the pieces wpa_supplicant 2.10 has: the
Multi-AP sub-element in M1 and the Multi-AP element in the association request, the AP's element read from its
association response (4-address frames on a backhaul BSS, the link left where the AP has none), and the command's
argument as wpa_supplicant_ctrl_iface_wps_pbc reads it. Against Debian hostapd on radios:
tests/vm/guest/test_hwsim_wps.py::test_multi_ap_backhaul_onboarding_as_wpa_supplicant."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from shellfakes import PASSPHRASE, SSID
from test_policies import drain, new_policy
from wps_helpers import enrollee_run

from pywps.ctrl.wps_commands import cmd_wps_pbc
from pywps.station import connection as conn
from pywps.station.multiap import MultiAp, backhaul_link, multi_ap_element, multi_ap_of
from pywps.wps.defs import AttrType
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.events import Failure, Success
from pywps.wps.messages import read_message


def test_the_element_is_built_and_read_as_hostap_does():
    assert multi_ap_element() == bytes.fromhex("dd07506f9a1b060180")  # add_multi_ap_ie(MULTI_AP_BACKHAUL_STA)
    ap = bytes.fromhex("010882848b960c121824") + bytes.fromhex("dd07506f9a1b060160")  # rates, then fronthaul+backhaul
    assert multi_ap_of(ap) == MultiAp.FRONTHAUL_BSS | MultiAp.BACKHAUL_BSS
    assert multi_ap_of(bytes.fromhex("dd0a506f9a1b070102060140")) == MultiAp.BACKHAUL_BSS  # a profile first
    assert multi_ap_of(bytes.fromhex("010882848b960c121824")) is None
    assert multi_ap_of(bytes.fromhex("dd05506f9a1b06")) is None  # no value: not a valid element
    assert multi_ap_of(bytes.fromhex("dd07506f9a")) is None  # cut short


@pytest.mark.parametrize("bits,wps_run,verdict", [
    (MultiAp.BACKHAUL_BSS, False, True),
    (MultiAp.BACKHAUL_BSS | MultiAp.FRONTHAUL_BSS, True, True),  # 4-address frames for the WPS run too
    (MultiAp.FRONTHAUL_BSS, True, False),  # "WPS active, accepting fronthaul-only BSS"
    (MultiAp.FRONTHAUL_BSS, False, "AP doesn't support backhaul BSS"),
    (None, True, "AP does not include valid Multi-AP element"),
])
def test_what_the_aps_element_makes_of_the_link(bits, wps_run, verdict):
    if isinstance(verdict, str):
        with pytest.raises(ValueError, match=verdict):
            backhaul_link(bits, wps_run)
    else:
        assert backhaul_link(bits, wps_run) is verdict


def backhaul_enrollee(config: EnrolleeConfig, rng=None) -> Enrollee:
    return Enrollee(replace(config, multi_ap_backhaul_sta=True), rng)


def test_m1_carries_the_backhaul_station_bit_after_version2_and_the_registrar_reads_it():
    plain, backhaul = enrollee_run(pbc=True), enrollee_run(pbc=True, enrollee_cls=backhaul_enrollee)
    assert backhaul.events("peer", Success) and not backhaul.events("peer", Failure)  # hostapd's too: VM test
    m1 = [read_message(run.messages("up")[0][1]).attrs for run in (plain, backhaul)]
    assert m1[0].wfa_ext() == {0x00: b"\x20"}
    assert m1[1].wfa_ext() == {0x00: b"\x20", 0x06: b"\x80"}
    assert m1[1].get(AttrType.VENDOR_EXT)[3:] == bytes.fromhex("000120" "060180")  # wps_build_wfa_ext's order


@pytest.mark.parametrize("raw,bssid,multi_ap", [
    (None, None, False),
    ("multi_ap=1", None, True),
    ("multi_ap=0", None, False),
    ("multi_ap=2", None, True),  # any value but 0, as wpas_wps_start_pbc takes it
    ("any multi_ap=1", None, True),
    ("02:00:00:00:00:00 multi_ap=1", bytes.fromhex("020000000000"), True),
    ("02:00:00:00:00:00", bytes.fromhex("020000000000"), False),
])
def test_wps_pbc_reads_multi_ap_as_wpa_supplicant(raw, bssid, multi_ap):
    started = []
    ctx = SimpleNamespace(wps=SimpleNamespace(start=started.append))
    assert cmd_wps_pbc(ctx, raw) == "OK\n"
    (request,) = started
    assert (request.bssid, request.multi_ap, request.backhaul_sta) == (bssid, multi_ap, multi_ap)


@pytest.mark.parametrize("field,backhaul", [("", False), ("\tmulti_ap_backhaul_sta=1\n", True)])
def test_a_backhaul_network_is_joined_with_the_element(field, backhaul):
    conf = f'network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n{field}}}\n'
    policy = new_policy(conf)
    policy.kick(0.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and action.backhaul_sta is backhaul
    assert action.ies.endswith(multi_ap_element()) is backhaul  # after the RSN element
