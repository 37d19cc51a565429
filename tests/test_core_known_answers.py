"""Known answers, each computed here from the formulas (hashlib/hmac/cryptography), not by the code under test."""

from __future__ import annotations

import hashlib
import hmac
import struct
import warnings

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pywps.wps import crypto
from pywps.wps.credential import Credential, parse_credentials
from pywps.wps.defs import AuthType, EncrType
from pywps.wps.errors import ParseError, ProtocolError
from pywps.wps.pin import PinError, checksum_digit, generate_pin, has_valid_checksum, normalize_pin

SEED = bytes.fromhex(
    "100e006f10260001011045000c6a6b6d2d7770732d74657374100300020020100f0002000810270040306534623034353663323636666530"
    "64333961643135353461316634626637313234333761636664623766333939653534663166316230323061643434386235102000060266a0"
    "ee1727"
)


def test_seed_credential_vector():
    (cred,) = parse_credentials(SEED)
    assert cred.network_index == 1
    assert cred.ssid == b"jkm-wps-test"
    assert cred.auth_type == AuthType.WPA2PSK and cred.encr_type == EncrType.AES
    assert cred.network_key == b"0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"
    assert cred.mac_address == bytes.fromhex("0266a0ee1727")
    assert cred.raw == SEED
    assert cred.to_credential_attr() == SEED  # byte-exact re-encoding
    cred.validate()


@pytest.mark.parametrize("pin,valid", [("12345670", True), ("12345678", False), ("00000000", True), ("39095213", True)])
def test_pin_checksum(pin, valid):
    # WSC 2.0 section 7.4.1: digits weighted 3,1,3,1,3,1,3 from the left, checksum makes the sum % 10 == 0
    total = sum(int(d) * w for d, w in zip(pin, (3, 1, 3, 1, 3, 1, 3, 1)))
    assert (total % 10 == 0) == valid
    assert has_valid_checksum(pin) == valid
    assert checksum_digit(int(pin[:7])) == (10 - sum(int(d) * w for d, w in zip(pin[:7], (3, 1, 3, 1, 3, 1, 3))) % 10) % 10


def test_generated_pins_are_valid_and_differ():
    pins = {generate_pin() for _ in range(200)}
    assert all(len(p) == 8 and has_valid_checksum(p) for p in pins)
    assert len(pins) > 190


def test_pin_normalisation():
    assert normalize_pin("1234-5670") == "12345670"
    assert normalize_pin("1234 5670") == "12345670"
    assert normalize_pin("1234") == "1234"  # 4-digit PINs carry no checksum
    assert normalize_pin("12345678", require_checksum=False) == "12345678"
    for bad in ("12345678", "12a45670", "123", "123456789", "١٢٣٤٥٦٧٠"):
        with pytest.raises(PinError):
            normalize_pin(bad)


def independent_kdf(key: bytes, label: bytes, bits: int) -> bytes:
    out = b""
    for i in range(1, (bits + 255) // 256 + 1):
        out += hmac.new(key, struct.pack(">I", i) + label + struct.pack(">I", bits), hashlib.sha256).digest()
    return out[: bits // 8]


def test_session_keys_and_hashes_against_the_formulas():
    dhkey = hashlib.sha256(b"shared secret").digest()
    n_e, n_r, mac = bytes(range(16)), bytes(range(16, 32)), bytes.fromhex("020000000200")
    keys = crypto.derive_session_keys(dhkey, n_e, mac, n_r)
    kdk = hmac.new(dhkey, n_e + mac + n_r, hashlib.sha256).digest()
    material = independent_kdf(kdk, b"Wi-Fi Easy and Secure Key Derivation", 640)
    assert keys.auth_key == material[:32] and keys.key_wrap_key == material[32:48] and keys.emsk == material[48:80]
    assert "hidden" in repr(keys)

    for pin, halves in ((b"12345670", (b"1234", b"5670")), (b"1234567", (b"1234", b"567")), (b"1234", (b"12", b"34"))):
        psk1, psk2 = crypto.psk_pair(keys.auth_key, pin)
        assert psk1 == hmac.new(keys.auth_key, halves[0], hashlib.sha256).digest()[:16]
        assert psk2 == hmac.new(keys.auth_key, halves[1], hashlib.sha256).digest()[:16]

    s1, pk_e, pk_r = b"\x11" * 16, b"\x22" * 192, b"\x33" * 192
    psk1 = hmac.new(keys.auth_key, b"1234", hashlib.sha256).digest()[:16]
    expected = hmac.new(keys.auth_key, s1 + psk1 + pk_e + pk_r, hashlib.sha256).digest()
    assert crypto.secret_hash(keys.auth_key, s1, psk1, pk_e, pk_r) == expected

    prev, cur = b"previous message", b"current message"
    assert crypto.authenticator(keys.auth_key, prev, cur) == hmac.new(keys.auth_key, prev + cur, hashlib.sha256).digest()[:8]
    assert crypto.key_wrap_authenticator(keys.auth_key, cur) == hmac.new(keys.auth_key, cur, hashlib.sha256).digest()[:8]


def test_encrypted_settings_layout_and_rejections():
    keys = crypto.derive_session_keys(b"\x01" * 32, b"\x02" * 16, b"\x03" * 6, b"\x04" * 16)
    settings = bytes.fromhex("103f0010") + b"\x55" * 16  # R-SNonce1
    value = crypto.encrypt_settings(keys, settings)
    iv, body = value[:16], value[16:]
    plain = Cipher(algorithms.AES(keys.key_wrap_key), modes.CBC(iv)).decryptor().update(body)
    kwa = hmac.new(keys.auth_key, settings, hashlib.sha256).digest()[:8]
    pad = 16 - (len(settings) + 12) % 16
    assert plain == settings + b"\x10\x1e\x00\x08" + kwa + bytes([pad]) * pad
    assert crypto.decrypt_settings(keys, value) == settings
    assert crypto.encrypt_settings(keys, settings)[:16] != iv  # a fresh IV every time

    tampered = bytearray(value)
    tampered[-20] ^= 1
    with pytest.raises(ProtocolError):
        crypto.decrypt_settings(keys, bytes(tampered))
    with pytest.raises(ProtocolError):
        crypto.decrypt_settings(keys, value[:-1])
    other = crypto.derive_session_keys(b"\x09" * 32, b"\x02" * 16, b"\x03" * 6, b"\x04" * 16)
    with pytest.raises(ProtocolError):
        crypto.decrypt_settings(other, value)


@pytest.mark.parametrize("y", [0, 1, crypto.DH_P - 1, crypto.DH_P, crypto.DH_P + 5])
def test_weak_dh_public_keys_are_refused(y):
    pair = crypto.DhKeyPair.generate()
    with pytest.raises(ProtocolError):
        pair.exchange(y.to_bytes(193, "big")[-192:] if y < 2**1536 else b"\xff" * 192)


def test_fallback_modexp_agrees_with_the_library():
    library = crypto.DhKeyPair.generate()
    fallback = crypto.DhKeyPair.generate(use_library=False)
    assert library.exchange(fallback.public) == fallback.exchange(library.public)
    g_x = pow(2, int.from_bytes(bytes(range(1, 193)), "big") % (crypto.DH_P - 2) + 1, crypto.DH_P)
    seeded = crypto.DhKeyPair.generate(rng=lambda n: bytes(range(1, n + 1)))
    assert seeded.public == g_x.to_bytes(192, "big")
    shared = pow(int.from_bytes(library.public, "big"), int.from_bytes(bytes(range(1, 193)), "big") % (crypto.DH_P - 2) + 1, crypto.DH_P)
    assert seeded.exchange(library.public) == hashlib.sha256(shared.to_bytes(192, "big")).digest()


def test_no_deprecation_warning_escapes():
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", CryptographyDeprecationWarning)
        a, b = crypto.DhKeyPair.generate(), crypto.DhKeyPair.generate()
        assert a.exchange(b.public) == b.exchange(a.public)


def test_credential_validation():
    Credential(b"x" * 32, AuthType.WPA2PSK, EncrType.AES, b"a" * 63).validate()
    for bad in (
        Credential(b"", AuthType.WPA2PSK, EncrType.AES, b"12345678"),
        Credential(b"x" * 33, AuthType.WPA2PSK, EncrType.AES, b"12345678"),
        Credential(b"x", AuthType.WPA2PSK, EncrType.AES, b"1234567"),
        Credential(b"x", AuthType.WPA2PSK, EncrType.AES, b"a" * 65),
        Credential(b"x", AuthType.WPA2PSK, EncrType.AES, b"g" * 64),
        Credential(b"x", AuthType.WPA2PSK, EncrType.AES, b"pass\nword"),
    ):
        with pytest.raises(ParseError):
            bad.validate()
