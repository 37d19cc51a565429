"""WPS cryptography: DH group 5, key derivation, hashes and the authenticators, encrypted settings.

Formulas: WSC 2.0 section 7 (and ../shared/notes/wps-protocol.md). All primitives come from `cryptography`
and hashlib/hmac; DH is behind `DhKeyPair` so the backend can change without touching the protocol code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .attributes import build_attr
from .defs import AttrType, ConfigError
from .errors import ProtocolError

# RFC 3526 group 5: 1536-bit MODP, generator 2.
DH_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF",
    16,
)
DH_G = 2
DH_LEN = 192
NONCE_LEN = 16
KDF_LABEL = b"Wi-Fi Easy and Secure Key Derivation"


class RandomSource(Protocol):
    def __call__(self, n: int) -> bytes: ...


# The kernel CSPRNG, called directly: secrets.token_bytes is the same source behind two Python-level calls.
default_random: RandomSource = os.urandom


# -- Diffie-Hellman --------------------------------------------------------------------------------------


def _load_ffdh() -> tuple[object, object, object] | None:
    """`cryptography`'s DH parameters and its public-numbers class, or None where finite-field DH is gone.

    cryptography >= 50 deprecates FFDH: the CryptographyDeprecationWarning fires when a DH name is looked up on
    the `dh` module, not when a key is used. WPS has no other key exchange (WSC 2.0 mandates group 5), so we look
    the names up once, here, with exactly that warning silenced, and keep them; no call below warns. The day
    the module is gone we fall back to modular exponentiation.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Diffie-Hellman over finite fields")
            from cryptography.hazmat.primitives.asymmetric import dh

            numbers = dh.DHParameterNumbers(DH_P, DH_G)
            return numbers.parameters(), numbers, dh.DHPublicNumbers
    except (ImportError, AttributeError, ValueError):  # pragma: no cover - depends on the installed library
        return None


def _load_powmod() -> Callable[[int, int, int], int]:
    try:
        import gmpy2  # optional: 5-10x faster than pow() for 1536-bit exponents

        return lambda b, e, m: int(gmpy2.powmod(b, e, m))
    except ImportError:
        return pow


# Loaded on first use (warm_up() or the first key pair), not at import: `cryptography` costs tens of
# milliseconds on a daemon's start path, before any WPS run needs it.
_ffdh_loaded = False
_ffdh = _ffdh_params = _ffdh_numbers = _DHPublicNumbers = None
_powmod = _load_powmod()


def _ensure_ffdh() -> None:
    global _ffdh_loaded, _ffdh, _ffdh_params, _ffdh_numbers, _DHPublicNumbers
    _ffdh = _load_ffdh()
    if _ffdh is not None:
        _ffdh_params, _ffdh_numbers, _DHPublicNumbers = _ffdh
    _ffdh_loaded = True


def warm_up() -> None:
    """Load what a registration needs (`cryptography`'s DH and AES) ahead of the first run, and use each once: a
    daemon calls it once it is ready, so neither its start nor its first WPS run pays for the imports, nor for
    OpenSSL's set-up on first use (a first key pair and exchange took ~1 ms more than the next ones here, a first
    AES-CBC 0.14 ms more)."""
    if _ffdh_loaded and _Cipher is not None:  # an earlier call, or a run that loaded and used them already
        return
    if not _ffdh_loaded:
        _ensure_ffdh()
    if _Cipher is None:
        _load_ciphers()
    pair = DhKeyPair.generate()
    pair.exchange(pair.public)
    _Cipher(_AES(bytes(16)), _CBC(bytes(16))).encryptor().update(bytes(16))


def check_public_key(public: bytes) -> int:
    """Reject DH public keys that make the shared secret predictable: 0, 1, p-1 and anything >= p."""
    if len(public) != DH_LEN:
        raise ProtocolError(f"public key of {len(public)} bytes, expected {DH_LEN}")
    y = int.from_bytes(public, "big")
    if y <= 1 or y >= DH_P - 1:
        raise ProtocolError("weak or out-of-range DH public key", ConfigError.NO_ERROR)
    return y


class DhKeyPair:
    """Our DH group 5 key pair. `exchange()` returns DHKey = SHA-256(zero-padded g^AB mod p)."""

    def __init__(self, private: int, public: bytes, backend_key: object | None = None) -> None:
        self._private = private
        self.public = public
        self._backend_key = backend_key

    @classmethod
    def generate(cls, rng: RandomSource | None = None, use_library: bool = True) -> DhKeyPair:
        """A fresh key pair. With no `rng`, `cryptography` draws the exponent from OpenSSL's CSPRNG (the fast
        path); an injected `rng` (deterministic tests) supplies the 192-byte exponent itself."""
        if not _ffdh_loaded:
            _ensure_ffdh()
        if rng is None and use_library and _ffdh is not None:
            key = _ffdh_params.generate_private_key()
            numbers = key.private_numbers()
            return cls(numbers.x, numbers.public_numbers.y.to_bytes(DH_LEN, "big"), key)
        x = int.from_bytes((rng or default_random)(DH_LEN), "big") % (DH_P - 2) + 1
        return cls(x, _powmod(DH_G, x, DH_P).to_bytes(DH_LEN, "big"))

    def exchange(self, peer_public: bytes) -> bytes:
        y = check_public_key(peer_public)
        if self._backend_key is not None:
            shared = self._backend_key.exchange(_DHPublicNumbers(y, _ffdh_numbers).public_key())
            shared = shared.rjust(DH_LEN, b"\x00")
        else:
            shared = _powmod(y, self._private, DH_P).to_bytes(DH_LEN, "big")
        return hashlib.sha256(shared).digest()


# -- key derivation --------------------------------------------------------------------------------------


try:  # hmac.digest's and hmac.new's C cores, without their Python wrappers
    from _hashlib import hmac_digest as _hmac_digest
    from _hashlib import hmac_new as _hmac_new
except ImportError:  # pragma: no cover - Python built without OpenSSL's hashlib
    _hmac_digest = hmac.digest

    def _hmac_new(key: bytes, digestmod: str) -> hmac.HMAC:
        return hmac.new(key, digestmod=digestmod)


def hmac_sha256(key: bytes, *parts: bytes) -> bytes:
    return _hmac_digest(key, b"".join(parts), "sha256")  # the one-shot C path: for a key used once


class Hmac256:
    """HMAC-SHA-256 under one key, keyed once. A run MACs ~20 times under its AuthKey: copying the keyed state
    costs ~1.4 us a MAC, where OpenSSL 3's one-shot HMAC looks the digest up and sets the key up again each
    time (~3.7 us)."""

    __slots__ = ("_keyed",)

    def __init__(self, key: bytes) -> None:
        self._keyed = _hmac_new(key, digestmod="sha256")

    def __call__(self, *parts: bytes) -> bytes:
        mac = self._keyed.copy()
        mac.update(b"".join(parts))
        return mac.digest()

    def __repr__(self) -> str:
        return "Hmac256(<hidden>)"


MacKey = bytes | Hmac256  # the functions below take a raw key or one keyed already


def _mac(key: MacKey) -> Hmac256:
    return key if type(key) is Hmac256 else Hmac256(key)


def kdf(key: bytes, label: bytes, bits: int) -> bytes:
    """WSC KDF: HMAC-SHA-256(key, i || label || bits) for i = 1.. until `bits` are produced."""
    mac = Hmac256(key)
    suffix = label + struct.pack(">I", bits)
    out = b"".join([mac(struct.pack(">I", i), suffix) for i in range(1, (bits + 255) // 256 + 1)])
    return out[: bits // 8]


@dataclass(frozen=True)
class SessionKeys:
    auth_key: bytes  # 32 bytes: Authenticator, hashes, KWA
    key_wrap_key: bytes  # 16 bytes: AES-128-CBC of encrypted settings
    emsk: bytes  # 32 bytes: unused by WPS itself, derived for completeness
    # Set up once per run from the keys above: the AuthKey's HMAC and the KeyWrapKey's AES key schedule.
    auth: Hmac256 = field(init=False, repr=False, compare=False)
    wrap: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if _Cipher is None:
            _load_ciphers()
        object.__setattr__(self, "auth", Hmac256(self.auth_key))
        object.__setattr__(self, "wrap", _AES(self.key_wrap_key))

    def __repr__(self) -> str:  # keys never reach a log through repr()
        return "SessionKeys(<hidden>)"


def derive_session_keys(dhkey: bytes, enrollee_nonce: bytes, enrollee_mac: bytes, registrar_nonce: bytes) -> SessionKeys:
    kdk = hmac_sha256(dhkey, enrollee_nonce, enrollee_mac, registrar_nonce)
    keys = kdf(kdk, KDF_LABEL, 640)
    return SessionKeys(keys[:32], keys[32:48], keys[48:80])


def pin_halves(pin: bytes) -> tuple[bytes, bytes]:
    """The two PIN halves hashed into PSK1/PSK2: the first ceil(n/2) digits, then the rest."""
    half = (len(pin) + 1) // 2
    return pin[:half], pin[half:]


def psk_pair(auth_key: MacKey, pin: bytes) -> tuple[bytes, bytes]:
    mac = _mac(auth_key)
    first, second = pin_halves(pin)
    return mac(first)[:16], mac(second)[:16]


def secret_hash(auth_key: MacKey, secret_nonce: bytes, psk: bytes, pk_e: bytes, pk_r: bytes) -> bytes:
    """E-Hash1/2 and R-Hash1/2: HMAC(AuthKey, S || PSK || PK_E || PK_R)."""
    return _mac(auth_key)(secret_nonce, psk, pk_e, pk_r)


def authenticator(auth_key: MacKey, previous_msg: bytes, current_msg_without_auth: bytes) -> bytes:
    return _mac(auth_key)(previous_msg, current_msg_without_auth)[:8]


def key_wrap_authenticator(auth_key: MacKey, data: bytes) -> bytes:
    return _mac(auth_key)(data)[:8]


# -- encrypted settings ----------------------------------------------------------------------------------


# Bound once, on first use: the names live behind cryptography's module shim (a __getattr__ per lookup in
# older releases), and the import itself is kept off the start path.
_Cipher = _AES = _CBC = None


def _load_ciphers() -> None:
    global _Cipher, _AES, _CBC
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    _AES, _CBC = algorithms.AES, modes.CBC
    _Cipher = Cipher  # last: callers test it, and the daemon's warm-up may run this in another thread


_KWA_HEADER = build_attr(AttrType.KEY_WRAP_AUTH, b"")[:2] + b"\x00\x08"


def encrypt_settings(keys: SessionKeys, settings: bytes, rng: RandomSource | None = None) -> bytes:
    """IV || AES-128-CBC(KeyWrapKey, settings || KWA TLV, PKCS#7), the value of an Encrypted Settings."""
    plain = settings + _KWA_HEADER + keys.auth(settings)[:8]
    pad = 16 - len(plain) % 16  # PKCS#7: 1..16 bytes, each the pad length
    iv = (rng or default_random)(16)
    enc = _Cipher(keys.wrap, _CBC(iv)).encryptor()
    return iv + enc.update(plain + bytes((pad,)) * pad) + enc.finalize()


def decrypt_settings(keys: SessionKeys, value: bytes) -> bytes:
    """Decrypt and check the KWA; returns the settings TLVs without the KWA.

    Raises ProtocolError for bad padding or a wrong KWA, with config error 0 as wpa_supplicant and hostapd
    report it (`WPS-FAIL msg=8 config_error=0` for a bad KWA in M4).
    """
    if len(value) < 32 or len(value) % 16:
        raise ProtocolError(f"encrypted settings of {len(value)} bytes", ConfigError.NO_ERROR)
    iv, body = value[:16], value[16:]
    dec = _Cipher(keys.wrap, _CBC(iv)).decryptor()
    padded = dec.update(body) + dec.finalize()
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != bytes([pad]) * pad:
        raise ProtocolError("bad padding in encrypted settings", ConfigError.NO_ERROR)
    plain = padded[:-pad]
    # The KWA is the last TLV: 4-byte header + 8 bytes.
    if len(plain) < 12 or plain[-12:-8] != _KWA_HEADER:
        raise ProtocolError("no Key Wrap Authenticator in encrypted settings", ConfigError.NO_ERROR)
    settings, kwa = plain[:-12], plain[-8:]
    if not hmac.compare_digest(kwa, keys.auth(settings)[:8]):
        raise ProtocolError("Key Wrap Authenticator mismatch", ConfigError.NO_ERROR)
    return settings
