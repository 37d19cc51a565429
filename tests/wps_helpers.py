"""Shared helpers of the tests/test_wps_*.py suites.

- `shuttle()` drives an EapPeer against an EapAuthenticator over bytes, recording every EAPOL PDU both ways,
  with an optional man in the middle that sees (and may rewrite) whole WSC messages after reassembly.
- `ref_*` functions are an independent reference of the WSC formulas (notes/wps-protocol.md), written with
  hashlib/hmac/cryptography only, so known answers never come from the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, DevicePasswordId, EncrType
from pywps.wps.device import DeviceInfo
from pywps.wps.eap import IDENTITY_ENROLLEE, IDENTITY_REGISTRAR, EapAuthenticator, EapPeer
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.registrar import Registrar, RegistrarConfig

STA = DeviceInfo(uuid=bytes(range(16)), mac_address=bytes.fromhex("020000000200"), device_name=b"sta")
AP = DeviceInfo(uuid=bytes(range(1, 17)), mac_address=bytes.fromhex("020000000100"), device_name=b"ap")
CRED = Credential(b"jkm-wps-test", AuthType.WPA2PSK, EncrType.AES, b"12345678")
PIN = b"12345670"

# RFC 3526 section 2, typed in from the RFC (not imported from pywps).
RFC3526_P = int(
    "FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD"
    " EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED"
    " EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F"
    " 83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D 670C354E 4ABC9804 F1746C08 CA237327 FFFFFFFF FFFFFFFF"
    .replace(" ", ""),
    16,
)

# -- EAPOL / EAP / EAP-WSC, decoded by hand (struct only) ---------------------------------------------------

WSC_HEADER = b"\x00\x37\x2a\x00\x00\x00\x01"


@dataclass(frozen=True)
class WscPdu:
    """One EAPOL PDU that carries EAP-WSC, decoded independently of pywps.wps.eap."""

    eapol_version: int
    code: int
    ident: int
    op: int
    flags: int
    length_field: int | None
    data: bytes


def decode_wsc_pdu(pdu: bytes) -> WscPdu | None:
    """The EAP-WSC content of an EAPOL PDU, or None when it is anything else (Start, Identity, Failure...)."""
    if len(pdu) < 4 or pdu[1] != 0:
        return None
    body = pdu[4 : 4 + struct.unpack_from(">H", pdu, 2)[0]]
    if len(body) < 5 or body[0] not in (1, 2) or body[4] != 254:
        return None
    code, ident, length = struct.unpack_from(">BBH", body)
    data = body[5:length]
    if data[:7] != WSC_HEADER:
        return None
    op, flags = data[7], data[8]
    if flags & 0x02:
        return WscPdu(pdu[0], code, ident, op, flags, struct.unpack_from(">H", data, 9)[0], data[11:])
    return WscPdu(pdu[0], code, ident, op, flags, None, data[9:])


def encode_wsc_pdu(eapol_version: int, code: int, ident: int, op: int, data: bytes) -> bytes:
    """An unfragmented EAPOL/EAP/EAP-WSC PDU carrying `data` (used to re-frame a rewritten message)."""
    wsc = bytes([254]) + WSC_HEADER + bytes([op, 0]) + data
    eap = struct.pack(">BBH", code, ident, 4 + len(wsc)) + wsc
    return struct.pack(">BBH", eapol_version, 0, len(eap)) + eap


def eap_code(pdu: bytes) -> int | None:
    if len(pdu) >= 5 and pdu[1] == 0:
        return pdu[4]
    return None


def tlvs(body: bytes) -> list[tuple[int, bytes]]:
    """A hand-written TLV walk (type u16, length u16, value)."""
    out, pos = [], 0
    while pos < len(body):
        t, n = struct.unpack_from(">HH", body, pos)
        out.append((t, body[pos + 4 : pos + 4 + n]))
        pos += 4 + n
    return out


def tlv(t: int, v: bytes) -> bytes:
    return struct.pack(">HH", t, len(v)) + v


def msg_type_of(body: bytes) -> int | None:
    try:
        for t, v in tlvs(body):
            if t == 0x1022 and len(v) == 1:
                return v[0]
    except struct.error:
        return None
    return None


class WscReassembly:
    """Reassembles the WSC messages of one direction from its EAP-WSC PDUs (counts fragments and FRAG_ACKs)."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, bytes]] = []  # (op, body)
        self.fragments = 0
        self.frag_acks = 0
        self._buf = b""
        self._expected: int | None = None

    def feed(self, pdu: bytes) -> tuple[int, bytes] | None:
        w = decode_wsc_pdu(pdu)
        if w is None:
            return None
        if w.op == 6:
            self.frag_acks += 1
            return None
        if w.flags & 0x01 or self._expected is not None:
            self.fragments += 1
        if w.length_field is not None:
            self._expected = w.length_field
        self._buf += w.data
        if w.flags & 0x01:
            return None
        done = (w.op, self._buf)
        if self._expected is not None:
            assert len(self._buf) == self._expected
        self._buf, self._expected = b"", None
        self.messages.append(done)
        return done


# -- driving runs -------------------------------------------------------------------------------------------

# A man in the middle: (direction "up" = peer -> authenticator or "down", op, WSC body) -> new body or None to
# deliver unchanged. It sees unfragmented messages only (run it at the default fragment size).
Mitm = Callable[[str, int, bytes], bytes | None]


@dataclass
class Run:
    peer_events: list = field(default_factory=list)
    auth_events: list = field(default_factory=list)
    up: list[bytes] = field(default_factory=list)  # PDUs peer -> authenticator, as the peer sent them
    down: list[bytes] = field(default_factory=list)
    peer: EapPeer | None = None
    auth: EapAuthenticator | None = None

    def events(self, side: str, kind: type) -> list:
        return [e for e in (self.peer_events if side == "peer" else self.auth_events) if isinstance(e, kind)]

    def messages(self, direction: str) -> list[tuple[int, bytes]]:
        r = WscReassembly()
        for pdu in self.up if direction == "up" else self.down:
            r.feed(pdu)
        return r.messages

    def msg_types(self, direction: str) -> list[int | None]:
        return [msg_type_of(body) for _, body in self.messages(direction)]


def shuttle(peer: EapPeer, auth: EapAuthenticator, mitm: Mitm | None = None, rounds: int = 500) -> Run:
    run = Run(peer=peer, auth=auth)
    def deliver(direction: str, pdu: bytes, to) -> None:
        w = decode_wsc_pdu(pdu) if mitm is not None else None
        if w is None or w.op == 6 or w.flags & 0x03:  # fragments pass untouched: the MITM sees whole messages
            to.receive(pdu)
            return
        new = mitm(direction, w.op, w.data)
        to.receive(pdu if new is None else encode_wsc_pdu(w.eapol_version, w.code, w.ident, w.op, new))

    peer.start()
    for _ in range(rounds):
        up = peer.frames_to_send()
        for pdu in up:
            run.up.append(pdu)
            deliver("up", pdu, auth)
        down = auth.frames_to_send()
        for pdu in down:
            run.down.append(pdu)
            deliver("down", pdu, peer)
        if not up and not down:
            break
    for endpoint, events in ((peer, run.peer_events), (auth, run.auth_events)):
        while (event := endpoint.next_event()) is not None:
            events.append(event)
    return run


def enrollee_run(enrollee_pin: bytes = PIN, registrar_pin: bytes | None = PIN, *, pbc: bool = False,
                 fragment_size: int = 1398, credentials=(CRED,), mitm: Mitm | None = None,
                 registrar_cls=Registrar, enrollee_cls=Enrollee, rng=None) -> Run:
    """pywps's wps_pin / wps_pbc: a station Enrollee (EapPeer) against a registrar on the authenticator side."""
    config = EnrolleeConfig.pbc(STA) if pbc else EnrolleeConfig(STA, enrollee_pin)
    peer = EapPeer(enrollee_cls(config, rng), IDENTITY_ENROLLEE, fragment_size=fragment_size)
    reg_config = RegistrarConfig(
        AP, b"00000000" if pbc else registrar_pin,
        DevicePasswordId.PUSHBUTTON if pbc else DevicePasswordId.DEFAULT,
        enrollee_is_ap=False, credentials=tuple(credentials),
    )
    auth = EapAuthenticator(registrar_factory=lambda: registrar_cls(reg_config, rng), fragment_size=fragment_size)
    return shuttle(peer, auth, mitm)


def registrar_run(ap_pin: bytes = PIN, registrar_pin: bytes = PIN, new_settings: Credential | None = None, *,
                  fragment_size: int = 1398, mitm: Mitm | None = None, registrar_cls=Registrar,
                  ap_settings: Credential = CRED) -> Run:
    """pywps's wps_reg: an external Registrar (EapPeer) against an AP Enrollee on the authenticator side."""
    reg = registrar_cls(RegistrarConfig(STA, registrar_pin, enrollee_is_ap=True, new_ap_settings=new_settings))
    peer = EapPeer(reg, IDENTITY_REGISTRAR, fragment_size=fragment_size)
    auth = EapAuthenticator(enrollee_factory=lambda: Enrollee(EnrolleeConfig(AP, ap_pin, ap_settings=ap_settings)),
                            fragment_size=fragment_size)
    return shuttle(peer, auth, mitm)


# -- independent reference of the formulas ----------------------------------------------------------------


def ref_hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def ref_dhkey(shared: int) -> bytes:
    return hashlib.sha256(shared.to_bytes(192, "big")).digest()


def ref_keys(dhkey: bytes, n_e: bytes, mac_e: bytes, n_r: bytes) -> tuple[bytes, bytes, bytes]:
    kdk = ref_hmac(dhkey, n_e + mac_e + n_r)
    label = b"Wi-Fi Easy and Secure Key Derivation"
    stream = b"".join(ref_hmac(kdk, struct.pack(">I", i) + label + struct.pack(">I", 640)) for i in (1, 2, 3))
    return stream[0:32], stream[32:48], stream[48:80]


def ref_psks(auth_key: bytes, pin: bytes) -> tuple[bytes, bytes]:
    n = (len(pin) + 1) // 2
    return ref_hmac(auth_key, pin[:n])[:16], ref_hmac(auth_key, pin[n:])[:16]


def ref_authenticator(auth_key: bytes, previous: bytes, current_without_auth: bytes) -> bytes:
    return ref_hmac(auth_key, previous + current_without_auth)[:8]


def ref_encrypt(auth_key: bytes, key_wrap_key: bytes, settings: bytes, iv: bytes, kwa: bytes | None = None) -> bytes:
    """Encrypted Settings value; `kwa` overrides the Key Wrap Authenticator (to forge a bad one)."""
    kwa = ref_hmac(auth_key, settings)[:8] if kwa is None else kwa
    plain = settings + tlv(0x101E, kwa)
    pad = 16 - len(plain) % 16
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key_wrap_key), modes.CBC(iv)).encryptor()
    return iv + enc.update(plain) + enc.finalize()


def ref_decrypt(key_wrap_key: bytes, value: bytes) -> bytes:
    """Decrypt and strip the padding only (no checks): for the tests to look inside."""
    dec = Cipher(algorithms.AES(key_wrap_key), modes.CBC(value[:16])).decryptor()
    plain = dec.update(value[16:]) + dec.finalize()
    return plain[: -plain[-1]]
