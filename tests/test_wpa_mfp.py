"""Management frame protection and PSK-SHA256 in the supplicant's handshakes, against the authenticator of
test_wpa_handshake.py (written from the standard, sharing no code with pywps.wpa): the IGTK of message 3 and of
group messages (IEEE 802.11-2016 12.7.2 IGTK KDE, 12.7.6.4, 12.7.7.2) installed once each, as hostap's
wpa_supplicant_install_igtk does; the SHA-256 KDF and AES-128-CMAC MICs (descriptor version 3) of PSK-SHA256."""

from __future__ import annotations

import pytest

from pywps.wpa import (Akm, Cipher, FrameDropped, GroupKeyNotConfigured, GroupRekeyed, HandshakeCompleted,
                       IgtkNotInstalled, InstallGroupKey, InstallPairwiseKey, KeyDataRefused, Notice, Refusal,
                       SendEapol, State)
from pywps.wpa.keys import derive_ptk, eapol_key_mic, kdf_sha256
from test_wpa_handshake import (AP, PMK, STA, V2, V3, Authenticator, handshake, kinds, only_drop, ref_kdf_sha256,
                                refused)

BIP = Cipher.BIP_CMAC_128


def test_aes_cmac_mic_matches_rfc_4493():
    """Descriptor version 3's MIC is AES-128-CMAC: RFC 4493's example 2 (one 16-byte block)."""
    key = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
    message = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
    assert eapol_key_mic(key, message, 3).hex() == "070a16b46b4d4144f79bdd9dd04a287c"
    assert eapol_key_mic(key, b"", 3).hex() == "bb1d6929e95937287fa37d129b756746"  # example 1: empty


@pytest.mark.parametrize("length", [16, 32, 48, 64, 80])
def test_the_sha256_kdf_counts_from_one_and_says_the_length_in_bits(length):
    assert kdf_sha256(PMK, b"Pairwise key expansion", b"context", length) == ref_kdf_sha256(
        PMK, b"Pairwise key expansion", b"context", length)


def test_psk_sha256_derives_with_the_kdf_not_the_prf():
    anonce, snonce = bytes([1]) * 32, bytes([2]) * 32
    sha1 = derive_ptk(PMK, AP, STA, anonce, snonce, 16)
    sha256 = derive_ptk(PMK, AP, STA, anonce, snonce, 16, sha256=True)
    data = min(AP, STA) + max(AP, STA) + anonce + snonce
    assert sha256.kck + sha256.kek + sha256.tk == ref_kdf_sha256(PMK, b"Pairwise key expansion", data, 48)
    assert sha1.kck != sha256.kck


@pytest.mark.parametrize("akm,version", [(Akm.PSK_SHA256, V3), (Akm.PSK, V2)])
def test_a_protected_association_installs_the_igtk_of_message_3(akm, version):
    ap = Authenticator(akm=akm, mgmt_group=BIP)
    assert ap.version == version
    hs, out = handshake(ap)
    assert kinds(out) == [SendEapol, type(out[1]), InstallGroupKey, InstallGroupKey, HandshakeCompleted]
    ap.check_msg4(out[0].pdu)  # signed with the version's MIC (AES-128-CMAC for PSK-SHA256)
    igtk = out[3]
    assert (igtk.gtk, igtk.key_index, igtk.rsc, igtk.cipher) == (ap.igtk, 4, ap.ipn, BIP)
    assert out[1].tk == ap.tk


def test_group_messages_bring_a_new_igtk_and_a_repeated_one_is_not_installed_again():
    ap = Authenticator(akm=Akm.PSK_SHA256, mgmt_group=BIP)
    hs, _ = handshake(ap)
    ap.igtk, ap.igtk_id, ap.ipn = bytes([0x72]) * 16, 5, bytes(6)
    out = hs.receive(ap.group1(bytes([0x62]) * 16, 2))
    assert kinds(out) == [InstallGroupKey, InstallGroupKey, SendEapol, GroupRekeyed]
    assert (out[1].gtk, out[1].key_index, out[1].cipher) == (ap.igtk, 5, BIP)
    ap.check_group2(out[2].pdu)
    out = hs.receive(ap.group1(bytes([0x63]) * 16, 1))  # a new GTK, the same IGTK: KRACK-safe
    assert kinds(out) == [InstallGroupKey, SendEapol, GroupRekeyed] and out[0].cipher == Cipher.CCMP


def test_message_3_without_an_igtk_completes_and_one_without_protection_is_ignored():
    ap = Authenticator(mgmt_group=BIP)
    ap.mgmt_group = None  # the AP leaves the KDE out (hostap's ieee80211w_set_keys accepts that)
    hs, out = handshake(ap, Authenticator(mgmt_group=BIP).supplicant())
    assert kinds(out)[-1] is HandshakeCompleted and not [e for e in out if getattr(e, "cipher", None) == BIP]
    ap = Authenticator(mgmt_group=BIP)  # sends an IGTK to a station that did not negotiate protection
    hs, out = handshake(ap, ap.supplicant(mgmt_group=None))
    assert kinds(out)[-1] is HandshakeCompleted and not [e for e in out if getattr(e, "cipher", None) == BIP]


@pytest.mark.parametrize("key_id", [1, 6, 0x0600, 4095])
def test_an_authentic_message_3_with_an_igtk_under_a_key_id_the_kernel_refuses_is_dropped(key_id):
    """hostap hands such a key to the driver, whose refusal ends the association; pywps drops the message."""
    ap = Authenticator(mgmt_group=BIP)
    ap.igtk_id = key_id
    hs, out = handshake(ap)
    assert "IGTK" in only_drop(out)
    ap.igtk_id, ap.igtk = 4, bytes([0x71]) * 16  # the AP's retransmission, right this time
    out = hs.receive(ap.msg3())
    assert kinds(out)[-1] is HandshakeCompleted


@pytest.mark.parametrize("length", [15, 32])
def test_an_igtk_kde_of_the_wrong_length_ends_the_association_before_message_4(length):
    """process_3_of_4: "WPA: Invalid IGTK KDE length <n>" (Key ID, IPN and key) and its deauthentication, before
    message 4 (Debian wpa_supplicant in the VM's comparison: test_hwsim_bad_m3.py)."""
    ap = Authenticator(mgmt_group=BIP)
    ap.igtk = bytes([0x71]) * length
    hs, out = handshake(ap)
    assert refused(out, []) == (Refusal.IGTK_KDE_LENGTH, 8 + length)


def test_an_igtk_key_id_over_4095_ends_the_association_after_message_4_and_the_gtk():
    """wpa_supplicant_install_igtk: "WPA: Invalid IGTK KeyID 4096", then "RSN: Failed to configure IGTK" and the
    deauthentication, with message 4 sent and the PTK and GTK installed."""
    ap = Authenticator(mgmt_group=BIP)
    ap.igtk_id = 4096
    hs, out = handshake(ap)
    assert refused(out, [SendEapol, InstallPairwiseKey, InstallGroupKey], "IGTK") == (Refusal.IGTK_KEY_ID, 4096)
    ap.check_msg4(out[0].pdu)


def test_an_igtk_whose_key_id_bytes_are_swapped_is_left_out_and_the_link_goes_on():
    """hostap's workaround for deployed APs that send KeyID 4 or 5 as 0x0400 or 0x0500: the IGTK is not
    installed ("WPA: Ignore IGTK configuration error due to invalid IGTK KeyID byte order"), the handshake
    completes, and a group message's GTK is taken."""
    ap = Authenticator(mgmt_group=BIP)
    ap.igtk_id = 0x0400
    hs, out = handshake(ap)
    assert kinds(out) == [SendEapol, InstallPairwiseKey, InstallGroupKey, IgtkNotInstalled, HandshakeCompleted]
    assert out[2].cipher == Cipher.CCMP and out[3].key_id == 0x0400
    ap.igtk, ap.igtk_id = bytes([0x72]) * 16, 0x0500
    out = hs.receive(ap.group1(bytes([0x62]) * 16, 2))
    assert kinds(out) == [InstallGroupKey, IgtkNotInstalled, SendEapol, GroupRekeyed] and out[0].cipher == Cipher.CCMP
    ap.check_group2(out[2].pdu)


def test_a_group_message_with_a_bad_igtk_still_delivers_its_gtk():
    """hostap logs "Failed to configure IGTK" and answers the group message all the same."""
    ap = Authenticator(mgmt_group=BIP)
    hs, _ = handshake(ap)
    ap.igtk_id = 7
    out = hs.receive(ap.group1(bytes([0x62]) * 16, 2))
    assert kinds(out) == [InstallGroupKey, SendEapol, GroupRekeyed] and out[0].cipher == Cipher.CCMP


@pytest.mark.parametrize("key_id,length,said", [(4096, 16, [KeyDataRefused, GroupKeyNotConfigured]),
                                                (4, 15, [GroupKeyNotConfigured]), (4, 32, [GroupKeyNotConfigured])])
def test_a_group_message_whose_igtk_hostap_refuses_says_so_and_still_delivers_its_gtk(key_id, length, said):
    """process_1_of_2_rsn: ieee80211w_set_keys' failure is "RSN: Failed to configure IGTK" (after "WPA: Invalid
    IGTK KeyID 4096" for such a KeyID; a wrong length has no words of its own), and the group message is answered."""
    ap = Authenticator(mgmt_group=BIP)
    hs, _ = handshake(ap)
    ap.igtk_id, ap.igtk = key_id, bytes([0x73]) * length
    out = hs.receive(ap.group1(bytes([0x62]) * 16, 2))
    assert kinds(out) == [InstallGroupKey, *said, SendEapol, GroupRekeyed] and out[0].cipher == Cipher.CCMP
    assert out[len(said)].key == "IGTK" and (key_id < 4096 or out[1].value == 4096)
    ap.check_group2(out[-2].pdu)
    assert hs.state is State.COMPLETED


def test_psk_sha256_takes_only_descriptor_version_3():
    ap = Authenticator(akm=Akm.PSK_SHA256, mgmt_group=BIP)
    hs = ap.supplicant()
    ap.version = V2  # the AP signs message 1 as if it were PSK: the station drops it
    assert "descriptor version 2" in only_drop(hs.receive(ap.msg1()))


def test_psk_with_ccmp_takes_version_3_from_an_ap_that_uses_it():
    """hostap's interoperability workaround: AES-128-CMAC where HMAC-SHA1 was due is stronger, so accepted;
    the station answers in the version it was addressed in."""
    ap = Authenticator(mgmt_group=BIP)
    ap.version = V3
    hs, out = handshake(ap)
    # "WPA: CCMP is used, but EAPOL-Key descriptor version (3) is not 2", then "WPA: Interoperability workaround: ..."
    assert [(e.notice, e.value) for e in out[:2]] == [(Notice.CCMP_VERSION, 3), (Notice.CMAC_TOLERATED, 0)]
    ap.check_msg4(out[2].pdu)
    assert isinstance(out[-1], HandshakeCompleted)


def test_constructor_refuses_what_it_cannot_negotiate():
    ap = Authenticator(mgmt_group=BIP)
    with pytest.raises(ValueError):
        ap.supplicant(mgmt_group=Cipher.CCMP)  # not a management group cipher
    with pytest.raises(ValueError):
        ap.supplicant(akm=Akm.PSK_SHA256)  # our element names PSK
    wpa = Authenticator(wpa=True)
    with pytest.raises(ValueError):
        wpa.supplicant(mgmt_group=BIP)


def test_a_repeated_message_3_of_a_protected_link_installs_nothing_again():
    """A retransmitted message 3 is answered and its PTK, GTK and IGTK are not handed over again; garbage is
    dropped."""
    ap = Authenticator(akm=Akm.PSK_SHA256, mgmt_group=BIP)
    hs, _ = handshake(ap)
    out = hs.receive(ap.msg3())
    assert kinds(out) == [SendEapol]
    assert isinstance(hs.receive(b"\x02\x03\x00\x05garbage")[0], FrameDropped)


# -- the daemon on the fake radio ------------------------------------------------------------------------------

STORED = 'network={\n\tssid="pywps-test"\n\tpsk="correct horse battery"\n%s}\n'  # test_wpa_handshake's PMK


@pytest.mark.parametrize("network,ap,status", [
    ("\tieee80211w=1\n", {}, "key_mgmt=WPA2-PSK\npmf=1\nmgmt_group_cipher=BIP\n"),
    ("\tkey_mgmt=WPA-PSK-SHA256\n\tieee80211w=2\n", {"akm": Akm.PSK_SHA256, "mfpr": True},
     "key_mgmt=WPA2-PSK-SHA256\npmf=2\nmgmt_group_cipher=BIP\n"),
])
def test_the_daemon_joins_with_protection_installs_the_igtk_and_says_so_in_status(network, ap, status):
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(mgmt_group=BIP, **ap))
        async with Rig(driver, STORED % network) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            assert driver.keys == ["ptk", "gtk1", "igtk4", "port"]
            assert f"group_cipher=CCMP\n{status}wpa_state=COMPLETED\n" in await rig.cmd("STATUS")
            assert await rig.cmd("GET_CAPABILITY group_mgmt") == "AES-128-CMAC BIP-GMAC-128 BIP-GMAC-256 BIP-CMAC-256"
            akm = (ap.get("akm") or Akm.PSK).value
            assert f"dot11RSNAAuthenticationSuiteSelected=00-0f-ac-{akm}\n" in await rig.cmd("MIB")

    run(main())


def test_the_daemon_keeps_a_link_whose_igtk_has_its_key_id_bytes_swapped():
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        ap = FakeAp(mgmt_group=BIP)
        ap.igtk_key_id = 0x0500
        driver = FakeRadioDriver(ap)
        async with Rig(driver, STORED % "\tieee80211w=1\n") as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            assert driver.keys == ["ptk", "gtk1", "port"]
            events = [(level, text) for level, text in rig.events if text.startswith("WPA: Ignore IGTK")]
            assert events == [(3, "WPA: Ignore IGTK configuration error due to invalid IGTK KeyID byte order")]

    run(main())


def test_a_network_without_protection_does_not_join_an_ap_that_requires_it():
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(mgmt_group=BIP, mfpr=True))
        async with Rig(driver, STORED % "") as rig:
            await rig.wait_event("^CTRL-EVENT-NETWORK-NOT-FOUND")
            assert not [line for line in driver.log if line.startswith("associate")]

    run(main())


@pytest.mark.parametrize("network", ["\tieee80211w=1\n", "\tkey_mgmt=WPA-PSK-SHA256\n\tieee80211w=2\n"])
def test_the_first_scan_with_one_result_joins_with_protection_from_keys_read_then(network):
    """nl80211 knows the radio's keys only once it has read its wiphy; a first scan that found a single BSS (no
    order to decide, no modes read) used to reach the connector before then: an AP that offers protection was
    joined without it, one that requires it was not joined until the warm-up had read them. wpa_supplicant reads
    them before its first scan (tests/vm/guest/test_hwsim_mfp.py, "its channel alone")."""
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    class KeysReadLate(FakeRadioDriver):
        protects_management_frames = False

        async def read_ciphers(self) -> None:
            self.protects_management_frames = True

    async def main():
        akm = Akm.PSK_SHA256 if "SHA256" in network else Akm.PSK
        driver = KeysReadLate(FakeAp(mgmt_group=BIP, akm=akm, mfpr="ieee80211w=2" in network))
        async with Rig(driver, STORED % network) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            assert not [t for t in rig.texts() if t.startswith("CTRL-EVENT-NETWORK-NOT-FOUND")]
            assert driver.keys == ["ptk", "gtk1", "igtk4", "port"]
            assert "pmf=" in await rig.cmd("STATUS")

    run(main())
