"""The data and management group ciphers beyond CCMP/TKIP and BIP-CMAC-128: GCMP, GCMP-256 and CCMP-256 for
unicast and group traffic, BIP-GMAC-128, BIP-GMAC-256 and BIP-CMAC-256 for group addressed management frames.
The handshake keys them as hostap's rsn_supp does (wpa_cipher_key_len, wpa_sm_rx_eapol's descriptor versions);
which a network takes from an AP is wpa_supplicant's choice (wpa_supplicant_ssid_bss_match, set_suites,
wpa_pick_pairwise_cipher, wpas_set_mgmt_group_cipher). The VM compares both programs on hostapd:
tests/vm/guest/test_hwsim_ciphers.py."""

from __future__ import annotations

import pytest

from pywps.config import parse as parse_config
from pywps.station import security
from pywps.driver.base import ScanEntry
from pywps.station.bss import Bss
from pywps.wpa import (Akm, Cipher, GroupRekeyed, HandshakeCompleted, InstallGroupKey, InstallPairwiseKey, Refusal,
                       SendEapol)
from pywps.wpa.rsn import CAP_MFPC, CAP_MFPR, build_rsn_ie, build_wpa_ie
from test_wpa_handshake import REF_KEY_LEN, V1, V2, V3, Authenticator, handshake, kinds, only_drop, refused

GCMP, GCMP_256, CCMP, CCMP_256, TKIP = Cipher.GCMP, Cipher.GCMP_256, Cipher.CCMP, Cipher.CCMP_256, Cipher.TKIP
BIPS = (Cipher.BIP_CMAC_128, Cipher.BIP_GMAC_128, Cipher.BIP_GMAC_256, Cipher.BIP_CMAC_256)


# -- the handshake ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pairwise,group", [(GCMP, GCMP), (GCMP_256, GCMP_256), (CCMP_256, CCMP_256),
                                            (GCMP_256, CCMP), (CCMP, GCMP)])
def test_each_cipher_keys_the_link_with_its_own_key_lengths(pairwise, group):
    ap = Authenticator(pairwise, group)
    hs, out = handshake(ap)
    assert kinds(out) == [SendEapol, InstallPairwiseKey, InstallGroupKey, HandshakeCompleted]
    ap.check_msg4(out[0].pdu)
    assert (len(out[1].tk), out[1].tk, out[1].cipher) == (REF_KEY_LEN[pairwise], ap.tk, pairwise)
    assert (len(out[2].gtk), out[2].gtk, out[2].cipher, out[2].rsc) == (REF_KEY_LEN[group], ap.gtk, group, ap.rsc[:6])
    new_gtk = bytes([0x62]) * REF_KEY_LEN[group]
    out = hs.receive(ap.group1(new_gtk, 2))
    assert kinds(out) == [InstallGroupKey, SendEapol, GroupRekeyed] and out[0].gtk == new_gtk
    ap.check_group2(out[1].pdu)


@pytest.mark.parametrize("group,length", [(GCMP_256, 16), (GCMP, 32), (CCMP_256, 31)])
def test_a_gtk_of_the_wrong_length_for_its_cipher_ends_the_association_after_message_4(group, length):
    ap = Authenticator(group, group)
    ap.gtk = bytes([0x61]) * length
    hs, out = handshake(ap)
    assert refused(out, [SendEapol, InstallPairwiseKey], "GTK") == (Refusal.GTK_LENGTH, length)
    assert out[2].cipher is group


@pytest.mark.parametrize("mgmt_group", BIPS)
def test_each_bip_cipher_installs_its_igtk(mgmt_group):
    ap = Authenticator(GCMP_256, GCMP_256, mgmt_group=mgmt_group)
    hs, out = handshake(ap)
    assert kinds(out) == [SendEapol, InstallPairwiseKey, InstallGroupKey, InstallGroupKey, HandshakeCompleted]
    igtk = out[3]
    assert (len(igtk.gtk), igtk.gtk, igtk.key_index, igtk.cipher) == (REF_KEY_LEN[mgmt_group], ap.igtk, 4, mgmt_group)
    ap.igtk, ap.igtk_id = bytes([0x72]) * REF_KEY_LEN[mgmt_group], 5
    out = hs.receive(ap.group1(bytes([0x62]) * 32, 2))
    assert kinds(out) == [InstallGroupKey, InstallGroupKey, SendEapol, GroupRekeyed]
    assert (out[1].gtk, out[1].key_index, out[1].cipher) == (ap.igtk, 5, mgmt_group)


@pytest.mark.parametrize("mgmt_group,length", [(Cipher.BIP_GMAC_256, 16), (Cipher.BIP_GMAC_128, 32),
                                               (Cipher.BIP_CMAC_256, 16)])
def test_an_igtk_of_the_wrong_length_for_its_cipher_ends_the_association_before_message_4(mgmt_group, length):
    ap = Authenticator(mgmt_group=mgmt_group)
    ap.igtk = bytes([0x71]) * length
    hs, out = handshake(ap)
    assert refused(out, []) == (Refusal.IGTK_KDE_LENGTH, 8 + length)


@pytest.mark.parametrize("pairwise,version,taken", [
    (GCMP, V2, True), (GCMP, V1, False), (GCMP, V3, False),  # "GCMP is used, but ... is not 2"
    (CCMP, V3, True), (CCMP, V1, False),  # the interoperability workaround takes the stronger version 3
    (GCMP_256, V1, True), (GCMP_256, V3, True), (CCMP_256, V3, True),  # hostap checks no version for these
    (TKIP, V3, True),
])
def test_descriptor_versions_are_checked_as_hostap_checks_them(pairwise, version, taken):
    ap = Authenticator(pairwise, pairwise)
    ap.version = version
    hs, out = handshake(ap) if taken else (None, None)
    if taken:
        assert kinds(out)[-1] is HandshakeCompleted
        said = 2 if pairwise == CCMP and version == V3 else 0  # hostap's two words on the tolerance first
        ap.check_msg4(out[said].pdu)  # the station answers in the AP's version
    else:
        assert f"descriptor version {version}" in only_drop(ap.supplicant().receive(ap.msg1()))


def test_the_constructor_takes_every_cipher_hostap_keys_and_nothing_else():
    ap = Authenticator(GCMP_256, GCMP_256)
    for cipher in (Cipher.WEP40, Cipher.BIP_CMAC_128, Cipher.USE_GROUP):
        with pytest.raises(ValueError):
            ap.supplicant(pairwise=cipher)
    with pytest.raises(ValueError):
        ap.supplicant(mgmt_group=Cipher.GCMP)


# -- which ciphers a network takes from an AP ------------------------------------------------------------------

def rsn(group: Cipher, pairwise: tuple[Cipher, ...], capabilities: int = 0, mgmt: Cipher | None = None) -> bytes:
    body = build_rsn_ie(group, pairwise[0], Akm.PSK, capabilities, mgmt)[2:]
    # the element builder names one pairwise cipher; an AP may list several
    count_at = 6
    listed = b"".join(b"\x00\x0f\xac" + bytes([c]) for c in pairwise)
    body = body[:count_at] + len(pairwise).to_bytes(2, "little") + listed + body[count_at + 6:]
    return bytes([48, len(body)]) + body


def bss(*elements: bytes) -> Bss:
    ies = b"\x00\x04home" + b"".join(elements)
    return Bss(0, ScanEntry(bytes.fromhex("020000000100"), 2412, -3000, 0x0011, 100, ies), 0.0, 0)


def network(fields: str):
    return parse_config(f'network={{\n\tssid="home"\n\tpsk="12345678"\n{fields}}}\n').networks[0]


@pytest.mark.parametrize("fields,group,offered,expected", [
    # the strongest pairwise cipher both name, in wpa_pick_pairwise_cipher's order; the default set is CCMP TKIP
    ("", CCMP, (GCMP_256, CCMP, TKIP), (CCMP, CCMP)),
    ("", GCMP_256, (GCMP_256,), None),  # GTK cipher mismatch, and no pairwise cipher in common
    ("\tpairwise=GCMP-256 CCMP\n", CCMP, (CCMP, GCMP_256), (GCMP_256, CCMP)),
    ("\tpairwise=GCMP-256\n", GCMP_256, (GCMP_256,), None),  # the default group= has no GCMP-256
    ("\tpairwise=GCMP-256 CCMP\n\tgroup=GCMP-256 CCMP\n", CCMP, (CCMP, GCMP_256), (GCMP_256, CCMP)),
    ("\tpairwise=CCMP-256 GCMP-256 CCMP GCMP\n\tgroup=GCMP\n", GCMP, (GCMP, CCMP_256), (CCMP_256, GCMP)),
    ("\tpairwise=GCMP\n\tgroup=GCMP-256\n", GCMP_256, (GCMP,), (GCMP, GCMP_256)),
    ("\tpairwise=GCMP\n\tgroup=GCMP-256\n", GCMP, (GCMP,), None),
    ("\tpairwise=TKIP\n", TKIP, (CCMP, TKIP), (TKIP, TKIP)),
    ("\tgroup=GTK_NOT_USED\n", CCMP, (CCMP,), None),  # kept as an empty set: no group cipher is taken
])
def test_the_network_picks_ciphers_as_wpa_supplicant(fields, group, offered, expected):
    chosen = security.negotiate(network(fields), bss(rsn(group, offered)))
    if expected is None:
        assert chosen is None
    else:
        assert chosen is not None and (chosen.pairwise, chosen.group) == expected
        assert chosen.own_ie == build_rsn_ie(expected[1], expected[0], Akm.PSK)
        crypto = chosen.link_crypto()
        assert (crypto.pairwise, crypto.group) == (expected[0].suite, expected[1].suite)


def test_the_wpa_element_knows_ccmp_and_tkip_alone():
    wpa = build_wpa_ie(TKIP, CCMP, Akm.PSK)
    chosen = security.negotiate(network("\tpairwise=GCMP CCMP\n"), bss(wpa))
    assert chosen is not None and not chosen.wpa2 and (chosen.pairwise, chosen.group) == (CCMP, TKIP)
    assert security.negotiate(network("\tpairwise=GCMP\n"), bss(wpa)) is None


@pytest.mark.parametrize("fields,ap_mgmt,capabilities,expected", [
    # without group_mgmt= any of the four is taken from an AP that protects (absent: BIP-CMAC-128)
    ("\tieee80211w=1\n", None, CAP_MFPC, Cipher.BIP_CMAC_128),
    *(("\tieee80211w=2\n", bip, CAP_MFPC | CAP_MFPR, bip) for bip in BIPS),
    ("\tieee80211w=1\n\tgroup_mgmt=BIP-GMAC-256\n", Cipher.BIP_GMAC_256, CAP_MFPC, Cipher.BIP_GMAC_256),
    ("\tieee80211w=1\n\tgroup_mgmt=BIP-GMAC-256 BIP-CMAC-256\n", Cipher.BIP_GMAC_128, CAP_MFPC, "not joined"),
    ("\tieee80211w=1\n\tgroup_mgmt=AES-128-CMAC\n", None, CAP_MFPC, Cipher.BIP_CMAC_128),
    # group_mgmt= is checked against the AP's element even when nothing is protected (ssid_bss_match)
    ("\tgroup_mgmt=BIP-GMAC-256\n", None, 0, "not joined"),
    ("\tgroup_mgmt=BIP-GMAC-256\n", Cipher.BIP_GMAC_256, CAP_MFPC, None),
    ("", Cipher.BIP_GMAC_256, CAP_MFPC, None),  # protection off: no management group suite in our element
    ("\tieee80211w=1\n", Cipher.GROUP_NOT_ALLOWED, CAP_MFPC, None),  # no group addressed management frames
])
def test_the_management_group_cipher_is_the_aps_when_the_network_takes_it(fields, ap_mgmt, capabilities, expected):
    element = rsn(CCMP, (CCMP,), capabilities, ap_mgmt)
    chosen = security.negotiate(network(fields), bss(element), bip=True)
    if expected == "not joined":
        assert chosen is None
        return
    assert chosen is not None and chosen.mgmt_group == expected
    pmf = chosen.pmf
    ours = (CAP_MFPC if pmf else 0) | (CAP_MFPR if pmf == 2 else 0)
    assert chosen.own_ie == build_rsn_ie(CCMP, CCMP, Akm.PSK, ours, expected)


def test_an_element_naming_an_unknown_management_cipher_is_not_joined():
    element = rsn(CCMP, (CCMP,), CAP_MFPC, Cipher.CCMP)  # hostap's parser refuses it
    assert security.negotiate(network(""), bss(element), bip=True) is None


# -- the daemon on the fake radio ------------------------------------------------------------------------------

STORED = 'network={\n\tssid="pywps-test"\n\tpsk="correct horse battery"\n%s}\n'  # test_wpa_handshake's PMK


def test_the_daemon_joins_with_gcmp_256_and_bip_gmac_256_and_says_so():
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(cipher=GCMP_256, mgmt_group=Cipher.BIP_GMAC_256, mfpr=True))
        network = "\tpairwise=GCMP-256\n\tgroup=GCMP-256\n\tieee80211w=2\n"
        async with Rig(driver, STORED % network) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            assert driver.keys == ["ptk", "gtk1", "igtk4", "port"]
            status = await rig.cmd("STATUS")
            assert ("pairwise_cipher=GCMP-256\ngroup_cipher=GCMP-256\nkey_mgmt=WPA2-PSK\npmf=2\n"
                    "mgmt_group_cipher=BIP-GMAC-256\n") in status
            negotiated = await rig.wait_event(r"^WPA: Key negotiation completed with \S+ (.*)")
            assert negotiated.group(1) == "[PTK=GCMP-256 GTK=GCMP-256]"
            mib = await rig.cmd("MIB")
            assert "dot11RSNAPairwiseCipherSelected=00-0f-ac-9\n" in mib
            assert "dot11RSNAGroupCipherSelected=00-0f-ac-9\n" in mib
            assert "dot11RSNAConfigGroupCipherSize=256\n" in mib  # wpa_cipher_key_len * 8

    run(main())


@pytest.mark.parametrize("suites,answers", [
    (None, {"pairwise": "CCMP-256 GCMP-256 CCMP GCMP TKIP", "group": "CCMP-256 GCMP-256 CCMP GCMP TKIP",
            "group_mgmt": "AES-128-CMAC BIP-GMAC-128 BIP-GMAC-256 BIP-CMAC-256"}),  # the fake's: hwsim's list
    # an older radio: what its wiphy lists, in wpa_supplicant's order; WEP, which pywps does not key, left out
    (frozenset({0x000FAC01, 0x000FAC05, 0x000FAC04, 0x000FAC02, 0x000FAC06}),
     {"pairwise": "CCMP TKIP", "group": "CCMP TKIP", "group_mgmt": "AES-128-CMAC", "pairwise strict": "CCMP TKIP"}),
])
def test_get_capability_names_the_ciphers_the_radio_takes(suites, answers):
    """ctrl_iface.c's get_capability pairwise/group/group_mgmt: the driver's ciphers (capa.enc, from the wiphy's
    cipher list) in wpa_supplicant's order and names, less WEP (wpa_supplicant names WEP104 and WEP40 in group)."""
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp())
        if suites is not None:
            driver.cipher_suites = suites
        async with Rig(driver, STORED % "") as rig:
            for field, answer in answers.items():
                assert await rig.cmd(f"GET_CAPABILITY {field}") == answer, field

    run(main())
