"""WPA2-PSK key hierarchy: PMK from a passphrase, the IEEE 802.11 PRF and KDF, PTK, EAPOL-Key MICs and key data
decryption.

IEEE 802.11-2016 12.7.1 (PRF, KDF, PTK), J.4 (passphrase mapping), 12.7.2 (Key MIC, key data encryption). Every
primitive comes from `cryptography`; this module only arranges its inputs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from .errors import KeyFrameUnsupported, KeyFrameError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.hashes import HashAlgorithm

PMK_LEN = 32
NONCE_LEN = 32
KCK_LEN = 16
KEK_LEN = 16
MIC_LEN = 16
PTK_LABEL = b"Pairwise key expansion"
# Descriptor versions (Key Information bits 0-2): 1 = HMAC-MD5 MIC + RC4 key data (TKIP), 2 = HMAC-SHA1-128 + AES
# key wrap (CCMP), 3 = AES-128-CMAC + AES key wrap (the SHA-256 AKMs, PSK-SHA256 here).
VERSION_HMAC_MD5_RC4 = 1
VERSION_HMAC_SHA1_AES = 2
VERSION_AES_128_CMAC = 3


@functools.cache
def _lib() -> SimpleNamespace:
    """`cryptography`'s primitives, loaded by the first key derivation (or the daemon's warm-up), not at import:
    a radio daemon makes its connector, whose modules import this one, at start, long before it joins a network
    (the library costs ~15 ms of that start here, ten times as much in the emulated VM)."""
    from cryptography.hazmat.primitives import cmac, hashes, hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap

    try:  # RC4 lives in the "decrepit" module since cryptography 43; older releases kept it in the main one
        from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    except ImportError:  # pragma: no cover - depends on the installed library
        ARC4 = None
    return SimpleNamespace(hashes=hashes, hmac=hmac, cmac=cmac, AES=algorithms.AES, Cipher=Cipher,
                           PBKDF2HMAC=PBKDF2HMAC, InvalidUnwrap=InvalidUnwrap, aes_key_unwrap=aes_key_unwrap, ARC4=ARC4)


def warm_up() -> None:
    """Load `cryptography` ahead of the first handshake: the daemon calls it once it is ready."""
    _lib()


def pmk_from_passphrase(passphrase: str | bytes, ssid: bytes) -> bytes:
    """PSK = PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 256 bits) (J.4.1); the passphrase is 8..63 ASCII characters
    (wpa_supplicant derives from whatever bytes a network's psk holds, and so does this)."""
    raw = passphrase if isinstance(passphrase, bytes) else passphrase.encode("utf-8")
    if not 8 <= len(raw) <= 63:
        raise ValueError(f"passphrase of {len(raw)} bytes, expected 8..63")
    if not 1 <= len(ssid) <= 32:
        raise ValueError(f"SSID of {len(ssid)} bytes, expected 1..32")
    lib = _lib()
    return lib.PBKDF2HMAC(lib.hashes.SHA1(), PMK_LEN, ssid, 4096).derive(raw)


def pmk_from_psk(hex64: str) -> bytes:
    """A raw PSK given as 64 hex digits (the `psk=` form without quotes)."""
    if len(hex64) != 64:
        raise ValueError(f"PSK of {len(hex64)} hex digits, expected 64")
    return bytes.fromhex(hex64)  # ValueError on non-hex digits


def _hmac(algorithm: HashAlgorithm, key: bytes, data: bytes) -> bytes:
    mac = _lib().hmac.HMAC(key, algorithm)
    mac.update(data)
    return mac.finalize()


def prf_sha1(key: bytes, label: bytes, data: bytes, nbytes: int) -> bytes:
    """PRF-n of 12.7.1.2: HMAC-SHA1(K, A || 0x00 || B || i) for i = 0, 1, ... concatenated and truncated."""
    sha1 = _lib().hashes.SHA1()
    out = b""
    i = 0
    while len(out) < nbytes:
        out += _hmac(sha1, key, label + b"\x00" + data + bytes([i]))
        i += 1
    return out[:nbytes]


def kdf_sha256(key: bytes, label: bytes, context: bytes, nbytes: int) -> bytes:
    """KDF-Hash-Length of 12.7.1.7.2 with SHA-256: HMAC-SHA-256(K, i || label || context || length) for i = 1, 2,
    ... (i and the length in bits as 16-bit little-endian numbers), concatenated and truncated."""
    sha256 = _lib().hashes.SHA256()
    length = (nbytes * 8).to_bytes(2, "little")
    out = b""
    i = 1
    while len(out) < nbytes:
        out += _hmac(sha256, key, i.to_bytes(2, "little") + label + context + length)
        i += 1
    return out[:nbytes]


@dataclass(frozen=True)
class Ptk:
    kck: bytes  # 16: Key MIC of EAPOL-Key frames
    kek: bytes  # 16: key data encryption
    tk: bytes  # cipher's key length: what the driver installs (TKIP: TK || Tx MIC key || Rx MIC key as derived)

    def __repr__(self) -> str:  # keys never reach a log through repr()
        return f"Ptk(<hidden>, tk_len={len(self.tk)})"


def derive_ptk(pmk: bytes, aa: bytes, spa: bytes, anonce: bytes, snonce: bytes, tk_len: int,
               sha256: bool = False) -> Ptk:
    """PTK = PRF(PMK, "Pairwise key expansion", Min(AA,SPA) || Max(AA,SPA) || Min(ANonce,SNonce) || Max(...)):
    the SHA-1 PRF, or for a SHA-256 AKM (PSK-SHA256) the SHA-256 KDF (12.7.1.3)."""
    if len(aa) != 6 or len(spa) != 6 or len(anonce) != NONCE_LEN or len(snonce) != NONCE_LEN:
        raise ValueError("addresses are 6 bytes and nonces 32")
    data = min(aa, spa) + max(aa, spa) + min(anonce, snonce) + max(anonce, snonce)
    derive = kdf_sha256 if sha256 else prf_sha1
    raw = derive(pmk, PTK_LABEL, data, KCK_LEN + KEK_LEN + tk_len)
    return Ptk(raw[:KCK_LEN], raw[KCK_LEN : KCK_LEN + KEK_LEN], raw[KCK_LEN + KEK_LEN :])


def eapol_key_mic(kck: bytes, frame_with_zeroed_mic: bytes, descriptor_version: int) -> bytes:
    """The Key MIC over the whole EAPOL PDU with the MIC field zeroed (12.7.2 b.9)."""
    hashes = _lib().hashes
    if descriptor_version == VERSION_HMAC_MD5_RC4:
        return _hmac(hashes.MD5(), kck, frame_with_zeroed_mic)
    if descriptor_version == VERSION_HMAC_SHA1_AES:
        return _hmac(hashes.SHA1(), kck, frame_with_zeroed_mic)[:MIC_LEN]
    if descriptor_version == VERSION_AES_128_CMAC:
        lib = _lib()
        mac = lib.cmac.CMAC(lib.AES(kck))
        mac.update(frame_with_zeroed_mic)
        return mac.finalize()
    raise KeyFrameUnsupported(f"EAPOL-Key descriptor version {descriptor_version}")


def unwrap_key_data(kek: bytes, data: bytes, descriptor_version: int, iv: bytes = bytes(16)) -> bytes:
    """Decrypt the Key Data field: AES key unwrap (RFC 3394) for versions 2 and 3, RC4 keyed with IV || KEK with
    the first 256 keystream bytes discarded for version 1 (`iv` is the frame's EAPOL-Key IV)."""
    lib = _lib()
    if descriptor_version in (VERSION_HMAC_SHA1_AES, VERSION_AES_128_CMAC):
        if len(data) < 24 or len(data) % 8:
            raise KeyFrameError(f"AES-wrapped key data of {len(data)} bytes (a multiple of 8, at least 24)")
        try:
            return lib.aes_key_unwrap(kek, data)
        except lib.InvalidUnwrap:
            raise KeyFrameError("key data does not unwrap with the KEK (integrity check failed)") from None
    if descriptor_version == VERSION_HMAC_MD5_RC4:
        if lib.ARC4 is None:  # pragma: no cover - depends on the installed library
            raise KeyFrameUnsupported("RC4 key data needs cryptography >= 43 (decrepit ARC4)")
        if len(iv) != 16:
            raise ValueError("the EAPOL-Key IV is 16 bytes")
        stream = lib.Cipher(lib.ARC4(iv + kek), mode=None).encryptor()
        stream.update(bytes(256))
        return stream.update(data)
    raise KeyFrameUnsupported(f"EAPOL-Key descriptor version {descriptor_version}")
