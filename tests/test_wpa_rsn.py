"""RSN/WPA elements: parsing, building, and wpa_supplicant's SCAN_RESULTS / STATUS names.

Expected flag strings are the ones hostap's own hwsim tests assert (tests/hwsim/test_*.py, quoted per case) or
follow by hand from ctrl_iface.c wpa_supplicant_ie_txt(): "[" proto "-" AKMs joined by "+" in hostap's bitfield
order "-" ciphers in wpa_write_ciphers() order ["-preauth"] "]", and "[proto-?]" when wpa_parse_wpa_ie() fails.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywps.wpa.errors import KeyFrameError
from pywps.wpa.rsn import (
    AKM_OSEN,
    Akm,
    Cipher,
    build_rsn_ie,
    build_wpa_ie,
    cipher_name,
    key_mgmt_name,
    parse_rsn_ie,
    parse_wpa_ie,
    scan_flags,
)

OUI = "000fac"
WOUI = "0050f2"


def rsn(group="04", pairwise=("04",), akms=("02",), caps: int | None = 0, tail="") -> bytes:
    """An RSN element body from suite types under 00-0F-AC, written out independently of pywps."""
    body = "0100" + OUI + group
    body += struct.pack("<H", len(pairwise)).hex() + "".join(OUI + p for p in pairwise)
    body += struct.pack("<H", len(akms)).hex() + "".join(a if len(a) == 8 else OUI + a for a in akms)
    if caps is not None:
        body += struct.pack("<H", caps).hex()
    return bytes.fromhex(body + tail)


def wpa(group="02", pairwise=("02",), akms=("02",)) -> bytes:
    body = WOUI + "01" + "0100" + WOUI + group
    body += struct.pack("<H", len(pairwise)).hex() + "".join(WOUI + p for p in pairwise)
    body += struct.pack("<H", len(akms)).hex() + "".join(WOUI + a for a in akms)
    return bytes.fromhex(body)


def test_build_rsn_ie_matches_a_captured_station_element():
    # The RSN element of a real message 2 (hashcat's mode 22000 example, see test_wpa_keys.py): WPA2-PSK CCMP
    # with MFP capable (RSN capabilities 0x0080).
    captured = bytes.fromhex("30140100000fac040100000fac040100000fac028000")
    assert build_rsn_ie(Cipher.CCMP, Cipher.CCMP, Akm.PSK, capabilities=0x0080) == captured
    info = parse_rsn_ie(captured[2:])
    assert (info.wpa, info.group, info.pairwise, info.akms, info.capabilities) == (
        False, Cipher.CCMP, (Cipher.CCMP,), (Akm.PSK,), 0x0080)
    assert build_rsn_ie(Cipher.TKIP, Cipher.CCMP, Akm.PSK) == bytes.fromhex(
        "30140100000fac020100000fac040100000fac020000")


def test_build_wpa_ie():
    # Vendor element: id 221, length 22, 00-50-F2 type 1, version 1, group, 1 pairwise, 1 AKM (no capabilities).
    assert build_wpa_ie(Cipher.TKIP, Cipher.TKIP, Akm.PSK) == bytes.fromhex(
        "dd16" "0050f201" "0100" "0050f202" "0100" "0050f202" "0100" "0050f202")
    info = parse_wpa_ie(build_wpa_ie(Cipher.TKIP, Cipher.CCMP, Akm.PSK)[2:])
    assert (info.wpa, info.group, info.pairwise, info.akms) == (True, Cipher.TKIP, (Cipher.CCMP,), (Akm.PSK,))


def test_suite_selectors_and_names():
    assert Cipher.CCMP.suite == 0x000FAC04
    assert Cipher.TKIP.suite == 0x000FAC02
    assert Akm.PSK.suite == 0x000FAC02
    assert (cipher_name(Cipher.CCMP), cipher_name(Cipher.TKIP), cipher_name(0x12345678)) == ("CCMP", "TKIP",
                                                                                           "UNKNOWN")
    assert (key_mgmt_name(Akm.PSK, rsn=True), key_mgmt_name(Akm.PSK, rsn=False)) == ("WPA2-PSK", "WPA-PSK")


def test_parse_pmkids_group_mgmt_and_unknown_suites():
    pmkid = bytes(range(16))
    body = rsn(akms=("02", "506f9a01", "00ac0f02"), caps=0x00C0, tail="0100" + pmkid.hex() + OUI + "06")
    info = parse_rsn_ie(body)
    assert info.akms == (Akm.PSK, AKM_OSEN, 0x00AC0F02)  # unknown selectors stay raw 32-bit values
    assert info.pmkids == (pmkid,)
    assert info.group_mgmt == Cipher.BIP_CMAC_128
    assert info.capabilities == 0x00C0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "version"),
        (bytes.fromhex("0200"), "version 2"),
        (bytes.fromhex("0100000fac"), "group cipher"),  # a partial suite
        (rsn()[:7], "pairwise cipher count"),  # one byte of the count
        (rsn(pairwise=())[:8] + b"\x00\x00", "count is 0"),
        (rsn()[:8] + b"\x02\x00" + bytes.fromhex(OUI + "04"), "do not fit"),
        (rsn(caps=None)[:12] + b"\x00\x00", "AKM count is 0"),
        (rsn(tail="0200" + "00" * 16), "PMKIDs do not fit"),
    ],
)
def test_parse_rsn_ie_refuses_malformed_bodies(body, reason):
    with pytest.raises(KeyFrameError, match=reason):
        parse_rsn_ie(body)


def test_parse_defaults_of_truncated_elements():
    # 9.4.2.25.1: fields may stop early; the rest defaults (RSN CCMP/CCMP/802.1X, WPA TKIP/TKIP/802.1X).
    assert parse_rsn_ie(bytes.fromhex("0100")).pairwise == (Cipher.CCMP,)
    assert parse_rsn_ie(bytes.fromhex("0100")).akms == (Akm.IEEE8021X,)
    assert parse_wpa_ie(bytes.fromhex("0050f2010100")).group == Cipher.TKIP
    with pytest.raises(KeyFrameError, match="not a WPA element"):
        parse_wpa_ie(bytes.fromhex("0050f2040100"))  # that is the WPS element


@pytest.mark.parametrize(
    ("rsn_body", "wpa_body", "flags"),
    [
        # hostap tests/hwsim/test_ap_ciphers.py (test_ap_cipher_mixed_wpa_wpa2): both elements, WPA first
        (rsn(), wpa(), "[WPA-PSK-TKIP][WPA2-PSK-CCMP]"),
        (rsn(), None, "[WPA2-PSK-CCMP]"),
        (None, wpa(), "[WPA-PSK-TKIP]"),
        # ciphers print in wpa_write_ciphers() order whatever the element's order
        (rsn(group="02", pairwise=("02", "04")), None, "[WPA2-PSK-CCMP+TKIP]"),
        (rsn(group="02", pairwise=("02", "04")), wpa(pairwise=("04", "02")),
         "[WPA-PSK-CCMP+TKIP][WPA2-PSK-CCMP+TKIP]"),
        (rsn(akms=("01",)), None, "[WPA2-EAP-CCMP]"),
        # hostap tests/hwsim/test_ap_eap.py, test_ap_pmf.py, test_sae.py, test_owe.py, test_ap_ft.py
        (rsn(akms=("05",)), None, "[WPA2-EAP-SHA256-CCMP]"),
        (rsn(akms=("06",)), None, "[WPA2-PSK-SHA256-CCMP]"),
        (rsn(akms=("08",)), None, "[WPA2-SAE-CCMP]"),
        (rsn(akms=("12",)), None, "[WPA2-OWE-CCMP]"),
        (rsn(akms=("04",)), None, "[WPA2-FT/PSK-CCMP]"),
        (rsn(akms=("06", "04", "02")), None, "[WPA2-PSK+FT/PSK+PSK-SHA256-CCMP]"),
        # hostap tests/hwsim/test_ap_mixed.py (test_ap_mixed_security): every AKM of that AP, in hostap's order
        (rsn(akms=("01", "02", "08", "03", "04", "09", "05", "06")[::-1]), None,
         "[WPA2-EAP+PSK+SAE+FT/EAP+FT/PSK+FT/SAE+EAP-SHA256+PSK-SHA256-CCMP]"),
        (None, wpa(akms=("01", "02")), "[WPA-EAP+PSK-TKIP]"),
        # hostap tests/hwsim/test_suite_b.py, test_ap_hs20.py, test_pmksa_cache.py, test_ibss.py
        (rsn(group="08", pairwise=("08",), akms=("0b",)), None, "[WPA2-EAP-SUITE-B-GCMP]"),
        (rsn(group="09", pairwise=("09",), akms=("0c",)), None, "[WPA2-EAP-SUITE-B-192-GCMP-256]"),
        (rsn(akms=("01", "506f9a01")), None, "[WPA2-EAP+OSEN-CCMP]"),
        (rsn(akms=("01",), caps=0x0001), None, "[WPA2-EAP-CCMP-preauth]"),
        (None, wpa(akms=("00",)), "[WPA-None-TKIP]"),
        # defaults of a truncated element (wpa_parse_wpa_ie_rsn() defaults)
        (bytes.fromhex("0100"), None, "[WPA2-EAP-CCMP]"),
        (None, bytes.fromhex("0050f2010100"), "[WPA-EAP-TKIP]"),
        # unknown AKM / cipher print nothing between the dashes
        (rsn(akms=("63",)), None, "[WPA2--CCMP]"),
        (rsn(pairwise=("63",)), None, "[WPA2-PSK-]"),
        (rsn(pairwise=("00",), group="02"), None, "[WPA2-PSK-NONE]"),
        # what wpa_parse_wpa_ie() refuses prints "?"
        (rsn()[:7], None, "[WPA2-?]"),
        (rsn(group="01"), None, "[WPA2-?]"),  # WEP-40 is no valid RSN group cipher
        (rsn(pairwise=("04", "06")), None, "[WPA2-?]"),  # AES-128-CMAC as a pairwise cipher
        (rsn(tail="0000" + OUI + "04"), None, "[WPA2-?]"),  # CCMP as the group management cipher
        (rsn(tail="0000" + OUI + "06"), None, "[WPA2-PSK-CCMP]"),  # BIP is fine there
        (None, bytes.fromhex("0050f2010200"), "[WPA-?]"),
        (None, None, ""),
    ],
)
def test_scan_flags_like_wpa_supplicant(rsn_body, wpa_body, flags):
    assert scan_flags(rsn_body, wpa_body) == flags


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=80))
def test_parsers_only_raise_parse_error(data):
    for parse in (parse_rsn_ie, parse_wpa_ie):
        try:
            parse(data)
        except KeyFrameError:
            pass
    assert scan_flags(data, data).startswith("[WPA-")


@given(st.sampled_from([Cipher.CCMP, Cipher.TKIP, Cipher.GCMP]), st.sampled_from([Cipher.CCMP, Cipher.TKIP]),
       st.sampled_from([Akm.PSK, Akm.IEEE8021X, Akm.SAE]), st.integers(0, 0xFFFF))
def test_build_then_parse(group, pairwise, akm, caps):
    element = build_rsn_ie(group, pairwise, akm, caps)
    assert element[0] == 48 and element[1] == len(element) - 2
    info = parse_rsn_ie(element[2:])
    assert (info.group, info.pairwise, info.akms, info.capabilities) == (group, (pairwise,), (akm,), caps)
