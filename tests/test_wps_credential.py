"""Credentials: the seed's WPS-CRED-RECEIVED vector, the codec, validation (config-injection class inputs)."""

from __future__ import annotations

import pytest
from wps_helpers import tlv, tlvs

from pywps.wps.credential import MAC_ANY, Credential, parse_credentials
from pywps.wps.defs import AuthType, EncrType
from pywps.wps.errors import ParseError

SEED = bytes.fromhex(
    "100e006f10260001011045000c6a6b6d2d7770732d74657374100300020020100f000200081027004030653462303435366332363666"
    "653064333961643135353461316634626637313234333761636664623766333939653534663166316230323061643434386235102000"
    "060266a0ee1727"
)
SEED_KEY = b"0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"


def test_seed_vector_decodes():
    (cred,) = parse_credentials(SEED)
    assert cred.network_index == 1
    assert cred.ssid == b"jkm-wps-test"
    assert cred.auth_type == AuthType.WPA2PSK and int(cred.auth_type) == 0x20
    assert cred.encr_type == EncrType.AES and int(cred.encr_type) == 0x08
    assert cred.network_key == SEED_KEY and len(cred.network_key) == 64
    assert cred.mac_address == bytes.fromhex("0266a0ee1727")
    assert cred.key_index is None
    assert cred.raw == SEED
    cred.validate()


def test_seed_vector_re_encodes_byte_for_byte():
    (cred,) = parse_credentials(SEED)
    assert cred.to_credential_attr() == SEED
    fresh = Credential(b"jkm-wps-test", AuthType.WPA2PSK, EncrType.AES, SEED_KEY, bytes.fromhex("0266a0ee1727"))
    assert fresh.to_credential_attr() == SEED


def test_seed_layout_by_hand():
    # The vector's structure, walked with the test's own TLV reader.
    ((t, inner),) = tlvs(SEED)
    assert t == 0x100E and len(inner) == 0x6F
    assert [x for x, _ in tlvs(inner)] == [0x1026, 0x1045, 0x1003, 0x100F, 0x1027, 0x1020]


def test_key_index_and_multiple_credentials_round_trip():
    a = Credential(b"a", AuthType.OPEN, EncrType.NONE, b"", MAC_ANY, network_index=1)
    b = Credential(b"wep-net", AuthType.OPEN, EncrType.WEP, b"abcde", bytes(6), network_index=2, key_index=1)
    data = a.to_credential_attr() + b.to_credential_attr()
    got = parse_credentials(data)
    assert [(c.ssid, c.network_index, c.key_index, c.network_key, c.mac_address) for c in got] == [
        (b"a", 1, None, b"", MAC_ANY), (b"wep-net", 2, 1, b"abcde", bytes(6))]
    assert b"".join(c.raw for c in got) == data
    assert tlv(0x1028, b"\x01") in b.to_attrs()


def test_unrelated_attributes_around_credentials_are_ignored():
    data = tlv(0x104A, b"\x10") + SEED + tlv(0x1049, b"\x00\x37\x2a\x00\x01\x20")
    (cred,) = parse_credentials(data)
    assert cred.raw == SEED


@pytest.mark.parametrize("data", [
    b"", tlv(0x104A, b"\x10"),  # no Credential
    SEED[:-1],  # truncated
    tlv(0x100E, tlv(0x1026, b"\x01") + tlv(0x1003, b"\x00\x20") + tlv(0x100F, b"\x00\x08")),  # no SSID
    tlv(0x100E, tlv(0x1045, b"x") + tlv(0x100F, b"\x00\x08")),  # no Auth Type
    tlv(0x100E, tlv(0x1045, b"x") + tlv(0x1003, b"\x00\x20") + tlv(0x100F, b"\x00\x08") + tlv(0x1027, b"k" * 65)),
    tlv(0x100E, tlv(0x1045, b"x" * 33) + tlv(0x1003, b"\x00\x20") + tlv(0x100F, b"\x00\x08")),
    tlv(0x100E, tlv(0x1045, b"x") + tlv(0x1003, b"\x00\x20\x00") + tlv(0x100F, b"\x00\x08")),
    tlv(0x100E, tlv(0x1045, b"x") + tlv(0x1003, b"\x00\x20") + tlv(0x100F, b"\x00\x08") + tlv(0x1020, b"\x02")),
])
def test_malformed_credentials_raise_parse_error(data):
    with pytest.raises(ParseError):
        parse_credentials(data)


# -- validation: what may reach a config file -------------------------------------------------------------

def psk(key: bytes, ssid: bytes = b"net") -> Credential:
    return Credential(ssid, AuthType.WPA2PSK, EncrType.AES, key)


@pytest.mark.parametrize("cred", [
    psk(b"12345678"), psk(b"x" * 63), psk(b"ab" * 32), psk(b"AB" * 32), psk(b"p" * 8, b"s" * 32),
    psk(b"pass word ~!"), Credential(b"open", AuthType.OPEN, EncrType.NONE),
    Credential(b"w", AuthType.OPEN, EncrType.WEP, b"abcde"), Credential(b"w", AuthType.OPEN, EncrType.WEP, b"a" * 26),
    Credential(b"mixed", AuthType.WPAPSK | AuthType.WPA2PSK, EncrType.TKIP | EncrType.AES, b"12345678"),
])
def test_valid_credentials(cred):
    cred.validate()


@pytest.mark.parametrize("cred", [
    psk(b"1234567"),  # too short
    psk(b"x" * 65),  # the 65-character PSK wpa_supplicant refuses
    psk(b"g" * 64),  # 64 characters that are not hex
    psk(b"0" * 62 + b"\n "),  # 64 characters, 62 hex digits + whitespace: bytes.fromhex() would skip it
    psk(b"0" * 60 + b"\tnet"),
    psk(b"12345678\nnetwork={"),  # config injection attempt in a passphrase
    psk(b"1234567\x00"),
    psk(b"caf\xc3\xa9caf\xc3\xa9"),  # non-ASCII passphrase bytes
    psk(b"12345678", b""),  # SSID of 0 bytes
    psk(b"12345678", b"s" * 33),
    Credential(b"w", AuthType.OPEN, EncrType.WEP, b"abcdef"),
])
def test_invalid_credentials(cred):
    with pytest.raises(ParseError):
        cred.validate()


def test_processing_reads_padded_ssids_and_nul_terminated_passphrases_as_hostap():
    """Parsing keeps the bytes (and round-trips); processing drops an SSID's zero padding and one NUL ending a WPA
    passphrase, as hostap's wps_attr_process.c does (hostapd's own stub credential ends its key with a NUL)."""
    cred = Credential(b"stub\x00\x00", AuthType.WPA2PSK, EncrType.AES, b"stub psk\x00", raw=b"raw")
    processed = cred.as_processed()
    assert (processed.ssid, processed.network_key, processed.raw) == (b"stub", b"stub psk", b"raw")
    processed.validate()
    hex_key = Credential(b"n", AuthType.WPA2PSK, EncrType.AES, b"a" * 63 + b"\x00")
    assert hex_key.as_processed().network_key == b"a" * 63 + b"\x00"  # 64 octets: a PSK, left alone
    open_net = Credential(b"n", AuthType.OPEN, EncrType.NONE, b"x" * 9 + b"\x00")
    assert open_net.as_processed().network_key == open_net.network_key  # only WPA passphrases
