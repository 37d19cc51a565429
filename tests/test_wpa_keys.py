"""WPA key hierarchy against published vectors (the expected values come from the sources named, never from pywps)."""

from __future__ import annotations

import pytest

from pywps.wpa.eapol_key import parse_eapol_key
from pywps.wpa.errors import KeyFrameUnsupported, KeyFrameError
from pywps.wpa.keys import (
    derive_ptk,
    eapol_key_mic,
    pmk_from_passphrase,
    pmk_from_psk,
    prf_sha1,
    unwrap_key_data,
)

# IEEE 802.11-2016 J.4.2 passphrase-to-PSK vectors, as hostap's tests/test-sha1.c carries them (passphrase_tests).
PSK_VECTORS = [
    ("password", b"IEEE", "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e"),
    ("ThisIsAPassword", b"ThisIsASSID", "0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af"),
    ("a" * 32, b"Z" * 32, "becb93866bb8c3832cb777c2f559807c8c59afcb6eae734885001300a981cc62"),
]


@pytest.mark.parametrize(("passphrase", "ssid", "psk"), PSK_VECTORS)
def test_passphrase_to_psk_annex_j(passphrase, ssid, psk):
    assert pmk_from_passphrase(passphrase, ssid).hex() == psk


def test_passphrase_and_psk_bounds():
    with pytest.raises(ValueError):
        pmk_from_passphrase("1234567", b"net")  # 7 characters
    with pytest.raises(ValueError):
        pmk_from_passphrase("a" * 64, b"net")  # 64 characters is the hex form, not a passphrase
    with pytest.raises(ValueError):
        pmk_from_passphrase("password", b"")
    with pytest.raises(ValueError):
        pmk_from_passphrase("password", b"x" * 33)
    assert len(pmk_from_passphrase("a" * 63, b"net")) == 32
    assert pmk_from_psk(PSK_VECTORS[0][2]) == bytes.fromhex(PSK_VECTORS[0][2])
    with pytest.raises(ValueError):
        pmk_from_psk("00" * 31)
    with pytest.raises(ValueError):
        pmk_from_psk("zz" * 32)


# IEEE 802.11 PRF (J.3.2) vectors, from hostap's tests/test-sha1.c (key0/data0/prf0 ... key2/data2/prf2), all with
# the label "prefix"; hostap's sha1_prf() is the 802.11 PRF with the 0x00 separator and the counter octet.
PRF_VECTORS = [
    (b"\x0b" * 20, b"Hi There",
     ("bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606e17d8da35402ffee"
     "75df78c3d31e0f889f012120c0862beb67753e7439ae242edb8373698356cf5a")),
    (b"Jefe", b"what do ya want for nothing?",
     ("51f4de5b33f249adf81aeb713a3c20f4fe631446fabdfa58244759ae58ef9009"
     "a99abf4eac2ca5fa87e692c440eb40023e7babb206d61de7b92f41529092b8fc")),
    (b"\xaa" * 20, b"\xdd" * 50,
     ("e1ac546ec4cb636f9976487be5c86be17a0252ca5d8d8df12cfb0473525249ce"
     "9dd8d177ead710bc9b590547239107aef7b4abd43d87f0a68f1cbd9e2b6f7607")),
]


@pytest.mark.parametrize(("key", "data", "expected"), PRF_VECTORS)
def test_prf_annex_j(key, data, expected):
    assert prf_sha1(key, b"prefix", data, 64).hex() == expected
    # PRF-n for shorter n is a prefix of the same stream (PRF-384 for CCMP, PRF-512 for TKIP).
    assert prf_sha1(key, b"prefix", data, 48).hex() == expected[:96]


# Pairwise key derivation sample of IEEE 802.11 Annex J (PMK = the "ThisIsAPassword"/"ThisIsASSID" PSK), with
# the KCK/KEK/TK values as iwd's unit/test-crypto.c publishes them (ptk_test_1 CCMP, ptk_test_2 TKIP).
PTK_PMK = bytes.fromhex("0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af")
PTK_AA = bytes.fromhex("a0a1a1a3a4a5")
PTK_SPA = bytes.fromhex("b0b1b2b3b4b5")
PTK_SNONCE = bytes.fromhex("c0c1c2c3c4c5c6c7c8c9d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5")
PTK_ANONCE = bytes.fromhex("e0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405")
PTK_KCK = "379f9852d0199236b94e407ce4c00ec8"
PTK_KEK = "47c9edc01c2c6e5b4910caddfb3e51a7"
PTK_TK_TKIP = "b2360c79e9710fdd58bea93deaf06599db980afbc29c152855740a6ce5ae3827"


def test_ptk_derivation_ccmp_and_tkip():
    ccmp = derive_ptk(PTK_PMK, PTK_AA, PTK_SPA, PTK_ANONCE, PTK_SNONCE, 16)
    assert (ccmp.kck.hex(), ccmp.kek.hex(), ccmp.tk.hex()) == (PTK_KCK, PTK_KEK, PTK_TK_TKIP[:32])
    tkip = derive_ptk(PTK_PMK, PTK_AA, PTK_SPA, PTK_ANONCE, PTK_SNONCE, 32)
    assert (tkip.kck.hex(), tkip.kek.hex(), tkip.tk.hex()) == (PTK_KCK, PTK_KEK, PTK_TK_TKIP)
    # Min/Max ordering: the derivation is symmetric in which side is the authenticator.
    assert derive_ptk(PTK_PMK, PTK_SPA, PTK_AA, PTK_SNONCE, PTK_ANONCE, 16) == ccmp
    assert PTK_PMK.hex() == PSK_VECTORS[1][2]
    assert "hidden" in repr(ccmp) and PTK_KCK not in repr(ccmp)


# A real captured message 2 of 4: hashcat's published mode 22000 example (hashcat.net wiki, example_hashes;
# passphrase "hashcat!", ESSID "TP-LINK_HASHCAT_TEST"):
# WPA*02*<MIC>*<AP MAC>*<STA MAC>*<ESSID hex>*<ANonce>*<EAPOL frame with zeroed MIC>*<message pair>
HC_MIC = "024022795224bffca545276c3762686f"
HC_AP = bytes.fromhex("6466b38ec3fc")
HC_STA = bytes.fromhex("225edc49b7aa")
HC_ESSID = bytes.fromhex("54502d4c494e4b5f484153484341545f54455354")
HC_ANONCE = bytes.fromhex("10e3be3b005a629e89de088d6a2fdc489db83ad4764f2d186b9cde15446e972e")
HC_EAPOL = bytes.fromhex(
    "0103007502010a0000000000000000000148ce2ccba9c1fda130ff2fbbfb4fd3b063d1a93920b0f7df54a5cbf787b16171"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "001630140100000fac040100000fac040100000fac028000"
)


def test_mic_of_a_captured_message_2():
    assert HC_ESSID == b"TP-LINK_HASHCAT_TEST"
    frame = parse_eapol_key(HC_EAPOL)
    pmk = pmk_from_passphrase("hashcat!", HC_ESSID)
    ptk = derive_ptk(pmk, HC_AP, HC_STA, HC_ANONCE, frame.nonce, 16)
    assert eapol_key_mic(ptk.kck, frame.mic_input(), frame.descriptor_version).hex() == HC_MIC
    # The wrong passphrase gives another MIC: the vector discriminates.
    other = derive_ptk(pmk_from_passphrase("hashcat?", HC_ESSID), HC_AP, HC_STA, HC_ANONCE, frame.nonce, 16)
    assert eapol_key_mic(other.kck, frame.mic_input(), 2).hex() != HC_MIC
    # With the MIC filled in, mic_input() zeroes it again: the same bytes are covered.
    signed = parse_eapol_key(HC_EAPOL[:81] + bytes.fromhex(HC_MIC) + HC_EAPOL[97:])
    assert signed.mic_input() == HC_EAPOL


def test_mic_primitives_rfc2202():
    # RFC 2202 test case 1: HMAC-MD5 (descriptor version 1) and HMAC-SHA1 truncated to 128 bits (version 2).
    assert eapol_key_mic(b"\x0b" * 16, b"Hi There", 1).hex() == "9294727a3638bb1c13f48ef8158bfc9d"
    assert eapol_key_mic(b"\x0b" * 20, b"Hi There", 2).hex() == "b617318655057264e28bc0b6fb378c8e"
    with pytest.raises(KeyFrameUnsupported):
        eapol_key_mic(b"\x0b" * 16, b"Hi There", 0)  # version 0 (AKM-defined: FT-SAE, OWE, ...) is not implemented
    # version 3 (AES-128-CMAC): RFC 4493's vectors, in test_wpa_mfp.py


RFC3394_KEK = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
RFC3394_PLAIN = bytes.fromhex("00112233445566778899aabbccddeeff")
RFC3394_WRAPPED = bytes.fromhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5")  # RFC 3394 section 4.1


def test_aes_unwrap_rfc3394():
    assert unwrap_key_data(RFC3394_KEK, RFC3394_WRAPPED, 2) == RFC3394_PLAIN
    tampered = RFC3394_WRAPPED[:-1] + bytes([RFC3394_WRAPPED[-1] ^ 1])
    with pytest.raises(KeyFrameError, match="integrity"):
        unwrap_key_data(RFC3394_KEK, tampered, 2)
    for bad in (b"", RFC3394_WRAPPED[:16], RFC3394_WRAPPED + b"\x00"):
        with pytest.raises(KeyFrameError):
            unwrap_key_data(RFC3394_KEK, bad, 2)
    assert unwrap_key_data(RFC3394_KEK, RFC3394_WRAPPED, 3) == RFC3394_PLAIN  # AES-128-CMAC's key data: the same
    with pytest.raises(KeyFrameUnsupported):
        unwrap_key_data(RFC3394_KEK, RFC3394_WRAPPED, 0)


def test_rc4_key_data_rfc6229():
    # Version 1 key data: RC4 keyed with IV || KEK, first 256 keystream bytes discarded. RFC 6229's 256-bit key
    # 0x0102..20 has keystream 02e1e705... at offset 256; split that key into IV (first 16) and KEK (last 16).
    key = bytes(range(1, 33))
    stream_at_256 = "02e1e7056b0f623900496422943e97b6"
    assert unwrap_key_data(key[16:], bytes(16), 1, iv=key[:16]).hex() == stream_at_256
    assert unwrap_key_data(key[16:], bytes.fromhex(stream_at_256), 1, iv=key[:16]) == bytes(16)
