"""WPS crypto against an independent computation from the formulas (wps_helpers.ref_*, hashlib/hmac/AES)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wps_helpers import (
    RFC3526_P,
    ref_authenticator,
    ref_decrypt,
    ref_dhkey,
    ref_encrypt,
    ref_hmac,
    ref_keys,
    ref_psks,
    tlv,
)

from pywps.wps.crypto import (
    DH_P,
    DhKeyPair,
    SessionKeys,
    authenticator,
    check_public_key,
    decrypt_settings,
    derive_session_keys,
    encrypt_settings,
    kdf,
    key_wrap_authenticator,
    psk_pair,
    secret_hash,
)
from pywps.wps.errors import ProtocolError

N_E = bytes.fromhex("00112233445566778899aabbccddeeff")
N_R = bytes.fromhex("ffeeddccbbaa99887766554433221100")
MAC_E = bytes.fromhex("020000000200")
DHKEY = ref_dhkey(0x1234567890ABCDEF << 1000)


def counter_rng(seed: int):
    state = [seed]

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            state[0] += 1
            out += ref_hmac(b"test-rng", state[0].to_bytes(8, "big"))
        return out[:n]

    return rng


def test_group5_prime_is_rfc3526():
    assert DH_P == RFC3526_P
    assert DH_P.bit_length() == 1536


def test_kdf_and_session_keys_match_reference():
    auth_key, kwk, emsk = ref_keys(DHKEY, N_E, MAC_E, N_R)
    keys = derive_session_keys(DHKEY, N_E, MAC_E, N_R)
    assert (keys.auth_key, keys.key_wrap_key, keys.emsk) == (auth_key, kwk, emsk)
    assert len(keys.auth_key) == 32 and len(keys.key_wrap_key) == 16 and len(keys.emsk) == 32
    assert "<hidden>" in repr(keys) and auth_key.hex() not in repr(keys)


def test_kdf_output_is_the_hmac_stream():
    key = bytes(range(32))
    label = b"Wi-Fi Easy and Secure Key Derivation"
    stream = b"".join(ref_hmac(key, i.to_bytes(4, "big") + label + (640).to_bytes(4, "big")) for i in (1, 2, 3))
    assert kdf(key, label, 640) == stream[:80]
    # Other lengths: `bits` is part of every HMAC input, so 256 bits is not a prefix of the 640-bit output.
    assert kdf(key, label, 256) == ref_hmac(key, (1).to_bytes(4, "big") + label + (256).to_bytes(4, "big"))
    assert kdf(key, label, 256) != stream[:32]


@pytest.mark.parametrize("pin", [b"12345670", b"1234", b"00000000", b"9876"])
def test_psk_halves(pin):
    auth_key = ref_keys(DHKEY, N_E, MAC_E, N_R)[0]
    assert psk_pair(auth_key, pin) == ref_psks(auth_key, pin)
    # Spelled out for 8 digits: 4 + 4; for 4 digits: 2 + 2.
    half = len(pin) // 2
    assert psk_pair(auth_key, pin)[0] == ref_hmac(auth_key, pin[:half])[:16]


def test_e_hash_and_authenticator_and_kwa():
    auth_key = ref_keys(DHKEY, N_E, MAC_E, N_R)[0]
    pk_e, pk_r = (5).to_bytes(192, "big"), (7).to_bytes(192, "big")
    s1 = bytes(range(16))
    psk1 = ref_psks(auth_key, b"12345670")[0]
    assert secret_hash(auth_key, s1, psk1, pk_e, pk_r) == ref_hmac(auth_key, s1 + psk1 + pk_e + pk_r)
    prev, cur = b"\x10\x4a\x00\x01\x10", b"\x10\x22\x00\x01\x05" + b"x" * 40
    assert authenticator(auth_key, prev, cur) == ref_authenticator(auth_key, prev, cur)
    assert len(authenticator(auth_key, prev, cur)) == 8
    assert authenticator(auth_key, cur, prev) != authenticator(auth_key, prev, cur)  # order matters
    assert key_wrap_authenticator(auth_key, cur) == ref_hmac(auth_key, cur)[:8]


# -- Diffie-Hellman ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("y", [0, 1, DH_P - 1, DH_P, DH_P + 1, 2**1536 - 1])
def test_weak_public_keys_rejected(y):
    public = y.to_bytes(192, "big")
    with pytest.raises(ProtocolError):
        check_public_key(public)
    for pair in (DhKeyPair.generate(), DhKeyPair.generate(counter_rng(1))):
        with pytest.raises(ProtocolError):
            pair.exchange(public)


@pytest.mark.parametrize("length", [0, 191, 193])
def test_public_key_of_wrong_length_rejected(length):
    with pytest.raises(ProtocolError):
        check_public_key(b"\x02" * length)


def test_edge_public_keys_accepted():
    assert check_public_key((2).to_bytes(192, "big")) == 2
    assert check_public_key((DH_P - 2).to_bytes(192, "big")) == DH_P - 2


def test_pow_path_agrees_with_library_path():
    lib = DhKeyPair.generate()
    pure = DhKeyPair.generate(use_library=False)
    seeded = DhKeyPair.generate(counter_rng(7))
    for a, b in ((lib, pure), (lib, seeded), (pure, seeded)):
        assert a.exchange(b.public) == b.exchange(a.public)
    # ... and both agree with g^xy computed here from the private exponent of the seeded pair.
    y_lib = int.from_bytes(lib.public, "big")
    assert seeded.exchange(lib.public) == ref_dhkey(pow(y_lib, seeded._private, RFC3526_P))
    assert seeded.public == pow(2, seeded._private, RFC3526_P).to_bytes(192, "big")


def test_injected_rng_makes_keys_deterministic_and_public_keys_192_bytes():
    a, b = DhKeyPair.generate(counter_rng(3)), DhKeyPair.generate(counter_rng(3))
    assert a.public == b.public and len(a.public) == 192
    assert DhKeyPair.generate(counter_rng(4)).public != a.public
    assert DhKeyPair.generate().public != DhKeyPair.generate().public


def test_shared_secret_is_zero_padded_before_hashing():
    # Find a peer public key whose shared secret with our seeded key has a leading zero byte: SHA-256 must
    # cover 192 bytes, not the minimal encoding.
    me = DhKeyPair.generate(counter_rng(11))
    lib = DhKeyPair.generate()
    for k in range(2, 5000):
        peer = pow(2, k, RFC3526_P)
        shared = pow(peer, me._private, RFC3526_P)
        if shared < 1 << (191 * 8):
            break
    else:
        pytest.skip("no short shared secret found")
    public = peer.to_bytes(192, "big")
    assert me.exchange(public) == ref_dhkey(shared)
    # The library path pads too: its exchange with the same peer equals the pow() result from its public key.
    assert lib.exchange(public) == DhKeyPair(k, public).exchange(lib.public)


def test_no_cryptography_deprecation_warning_escapes():
    code = (
        "import warnings\n"
        "from cryptography.utils import CryptographyDeprecationWarning\n"
        "warnings.simplefilter('error', CryptographyDeprecationWarning)\n"
        "from pywps.wps.crypto import DhKeyPair\n"
        "a = DhKeyPair.generate(); b = DhKeyPair.generate()\n"
        "assert a.exchange(b.public) == b.exchange(a.public)\n"
        "from pywps.wps.enrollee import Enrollee\n"
    )
    proc = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_no_deprecation_warning_in_process():
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", CryptographyDeprecationWarning)
        a, b = DhKeyPair.generate(), DhKeyPair.generate()
        assert a.exchange(b.public) == b.exchange(a.public)


# -- encrypted settings --------------------------------------------------------------------------------------


def session_keys() -> SessionKeys:
    return SessionKeys(*ref_keys(DHKEY, N_E, MAC_E, N_R))


@pytest.mark.parametrize("settings", [b"", tlv(0x103F, bytes(16)), tlv(0x1045, b"x" * 32) * 3, b"y" * 4])
def test_encrypted_settings_match_reference_and_round_trip(settings):
    keys = session_keys()
    iv = bytes(range(100, 116))
    value = encrypt_settings(keys, settings, rng=lambda n: iv)
    assert value == ref_encrypt(keys.auth_key, keys.key_wrap_key, settings, iv)
    assert len(value) % 16 == 0 and value[:16] == iv
    assert decrypt_settings(keys, value) == settings


def test_fresh_iv_each_time():
    keys = session_keys()
    values = {encrypt_settings(keys, tlv(0x1016, bytes(16))) for _ in range(20)}
    assert len(values) == 20
    assert len({v[:16] for v in values}) == 20


def test_decrypt_settings_made_by_the_reference():
    keys = session_keys()
    settings = tlv(0x1016, bytes(range(16)))
    assert decrypt_settings(keys, ref_encrypt(keys.auth_key, keys.key_wrap_key, settings, bytes(16))) == settings


def _raw_cbc(keys: SessionKeys, plain: bytes, iv: bytes = bytes(16)) -> bytes:
    enc = Cipher(algorithms.AES(keys.key_wrap_key), modes.CBC(iv)).encryptor()
    return iv + enc.update(plain) + enc.finalize()


def test_bad_kwa_rejected():
    keys = session_keys()
    settings = tlv(0x1016, bytes(16))
    bad = ref_hmac(keys.auth_key, settings)[:8]
    bad = bytes([bad[0] ^ 1]) + bad[1:]
    with pytest.raises(ProtocolError, match="Key Wrap Authenticator"):
        decrypt_settings(keys, ref_encrypt(keys.auth_key, keys.key_wrap_key, settings, bytes(16), kwa=bad))
    # A KWA computed with another AuthKey is just as wrong.
    other = ref_hmac(b"\x00" * 32, settings)[:8]
    with pytest.raises(ProtocolError):
        decrypt_settings(keys, ref_encrypt(keys.auth_key, keys.key_wrap_key, settings, bytes(16), kwa=other))


def test_missing_kwa_rejected():
    keys = session_keys()
    plain = tlv(0x1016, bytes(16))  # 20 bytes, no KWA
    plain += bytes([12]) * 12
    with pytest.raises(ProtocolError):
        decrypt_settings(keys, _raw_cbc(keys, plain))


@pytest.mark.parametrize("pad", [b"\x00" * 16, b"\x11" * 16, b"\x01\x02" * 8, b"\x05" * 4])
def test_bad_padding_rejected(pad):
    keys = session_keys()
    settings = tlv(0x1016, bytes(16))
    plain = settings + tlv(0x101E, ref_hmac(keys.auth_key, settings)[:8])  # 32 bytes
    with pytest.raises(ProtocolError):
        decrypt_settings(keys, _raw_cbc(keys, plain + pad if len(pad) == 16 else plain[:-4] + pad))


@pytest.mark.parametrize("length", [0, 16, 31, 33, 47])
def test_bad_ciphertext_lengths_rejected(length):
    with pytest.raises(ProtocolError):
        decrypt_settings(session_keys(), bytes(length))


def test_wrong_key_wrap_key_fails_cleanly():
    keys = session_keys()
    value = encrypt_settings(keys, tlv(0x1016, bytes(16)))
    other = SessionKeys(keys.auth_key, bytes(16), keys.emsk)
    with pytest.raises(ProtocolError):
        decrypt_settings(other, value)
    assert ref_decrypt(keys.key_wrap_key, value)[:20] == tlv(0x1016, bytes(16))


def test_module_exposes_no_warnings_filter_leak():
    # crypto silences the FFDH deprecation only inside its own calls: the global filter list is untouched.
    before = list(warnings.filters)
    DhKeyPair.generate().exchange(DhKeyPair.generate().public)
    assert list(warnings.filters) == before
