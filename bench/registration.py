"""In-process WPS registration (Enrollee and Registrar, PIN, over the EAP layer as bytes) against the crypto
floor measured in the same run.

    python3 bench/registration.py [--runs N] [--memory-runs N]

The floor is the cryptography a WSC registration cannot avoid, done with the cheapest calls the libraries offer:
2 DH-1536 key generations and 2 exchanges (`cryptography`), 2 SHA-256 of the shared secrets, and the 44
HMAC-SHA-256 and 10 AES-128-CBC operations of the two sides (per side: KDK, 3 KDF rounds, PSK1/PSK2, 4 E/R-Hash,
7 Authenticators, 5 Key Wrap Authenticators; the sender of each Encrypted Settings encrypts, the receiver
decrypts), over data of the sizes a real run carries (taken from a recorded registration). A key used more
than once (the KDK, each side's AuthKey) is keyed once and its state copied per MAC, OpenSSL 3's cheapest way
(a one-shot HMAC sets the key up again each time); the AES key is set up once per run.

Also: the registrar side alone (the time spent inside the Registrar's EAP end) against 1 keygen + 1 exchange,
the protocol code's share (the registration with precomputed DH, less the floor's SHA/HMAC/AES) and the part
of it no message logic can avoid (the EAP layers alone, reading and building each message once), and RSS
before and after --memory-runs registrations. Both sides of the run are pywps, so the ratio is what
the protocol code costs on top of the unavoidable crypto. The last line is the summary.

Times are this thread's CPU time (time.thread_time), for the registration and the floor alike: on a machine
shared with other work, wall-clock samples mostly measure the scheduler.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import statistics
import sys
import time
import warnings
from _hashlib import hmac_digest, hmac_new  # the C cores of hmac.digest and hmac.new
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

from pywps.wps import session as session_module  # noqa: E402
from pywps.wps.credential import Credential  # noqa: E402
from pywps.wps.crypto import DH_G, DH_P, DhKeyPair  # noqa: E402
from pywps.wps.defs import AttrType, AuthType, DevicePasswordId, EncrType, MsgType  # noqa: E402
from pywps.wps.device import DeviceInfo  # noqa: E402
from pywps.wps.eap import IDENTITY_ENROLLEE, EapAuthenticator, EapPeer  # noqa: E402
from pywps.wps.enrollee import Enrollee, EnrolleeConfig  # noqa: E402
from pywps.wps.events import Success  # noqa: E402
from pywps.wps.messages import (  # noqa: E402
    build_closing,
    build_encrypted_step,
    build_m1,
    build_m2,
    build_m3,
    build_m4,
    read_message,
)
from pywps.wps.protocol import Step  # noqa: E402
from pywps.wps.registrar import Registrar, RegistrarConfig  # noqa: E402
from pywps.wps.session import Outgoing  # noqa: E402

STA = DeviceInfo(uuid=bytes(range(16)), mac_address=bytes.fromhex("020000000200"), device_name=b"bench-sta")
AP = DeviceInfo(uuid=bytes(range(1, 17)), mac_address=bytes.fromhex("020000000100"), device_name=b"bench-ap")
CRED = Credential(b"bench", AuthType.WPA2PSK, EncrType.AES, b"12345678")


def new_pair() -> tuple[EapPeer, EapAuthenticator]:
    peer = EapPeer(Enrollee(EnrolleeConfig(STA, b"12345670")), IDENTITY_ENROLLEE)
    auth = EapAuthenticator(
        registrar_factory=lambda: Registrar(RegistrarConfig(AP, b"12345670", enrollee_is_ap=False, credentials=(CRED,)))
    )
    return peer, auth


def check(peer: EapPeer) -> None:
    events = []
    while (event := peer.next_event()) is not None:
        events.append(event)
    if not any(isinstance(e, Success) for e in events):
        raise SystemExit(f"registration failed: {events}")


def exchange(peer: EapPeer, auth: EapAuthenticator) -> None:
    """Both ends' frames to each other until the authenticator is done."""
    peer.start()
    while not auth.finished:
        for frame in peer.frames_to_send():
            auth.receive(frame)
        for frame in auth.frames_to_send():
            peer.receive(frame)


def registration() -> None:
    peer, auth = new_pair()
    exchange(peer, auth)
    check(peer)


def registrar_side() -> float:
    """One registration; returns the seconds spent in the registrar's end (its receive and frame output)."""
    peer, auth = new_pair()
    clock = time.thread_time
    spent = 0.0
    peer.start()
    while not auth.finished:
        for frame in peer.frames_to_send():
            t0 = clock()
            auth.receive(frame)
            spent += clock() - t0
        t0 = clock()
        frames = auth.frames_to_send()
        spent += clock() - t0
        for frame in frames:
            peer.receive(frame)
    check(peer)
    return spent


class _FixedDh:
    """A key pair computed once (for the run without DH): what the protocol code costs with no DH at all."""

    pair: DhKeyPair | None = None
    dhkey = b""

    def __init__(self) -> None:
        self.public = self.pair.public

    @classmethod
    def generate(cls, rng=None) -> _FixedDh:
        return cls()

    def exchange(self, peer_public: bytes) -> bytes:
        return self.dhkey


def registration_without_dh() -> None:
    """A registration whose DH keygens and exchanges are precomputed: protocol code and HMAC/AES only."""
    if _FixedDh.pair is None:
        _FixedDh.pair = DhKeyPair.generate()
        _FixedDh.dhkey = _FixedDh.pair.exchange(DhKeyPair.generate().public)
    original = session_module.DhKeyPair
    session_module.DhKeyPair = _FixedDh
    try:
        registration()
    finally:
        session_module.DhKeyPair = original


class _Replay:
    """A WSC session that answers with the messages of a recorded run: the EAP layers' cost alone."""

    def __init__(self, replies: list[Outgoing]) -> None:
        self._replies = iter(replies)
        self.step = Step.START
        self._events: deque = deque()

    def start(self) -> Outgoing:
        self.step = Step.M1
        return next(self._replies)

    def receive(self, op, body) -> Outgoing | None:
        self.step = Step.M1
        return next(self._replies, None)


def record_replies() -> tuple[list[Outgoing], list[Outgoing]]:
    """What the Enrollee and the Registrar sent in one registration, in order."""
    sent: dict[type, list[Outgoing]] = {Enrollee: [], Registrar: []}
    receive, start = session_module.RegistrationSession.receive, Enrollee.start

    def recording_receive(self, op, body):
        out = receive(self, op, body)
        sent[type(self)].append(out)
        return out

    def recording_start(self):
        out = start(self)
        sent[Enrollee].append(out)
        return out

    session_module.RegistrationSession.receive, Enrollee.start = recording_receive, recording_start
    try:
        registration()
    finally:
        session_module.RegistrationSession.receive, Enrollee.start = receive, start
    return sent[Enrollee], sent[Registrar]


def eap_layers_only(replies: tuple[list[Outgoing], list[Outgoing]]) -> None:
    """The same EAPOL/EAP/EAP-WSC exchange, both ends, with sessions that only replay their messages."""
    peer = EapPeer(_Replay(replies[0]), IDENTITY_ENROLLEE)
    auth = EapAuthenticator(registrar_factory=lambda: _Replay(replies[1]))
    exchange(peer, auth)


def read_each_message(bodies: list[bytes]) -> None:
    """Every WSC message of a run read (parsed and checked for its mandatory attributes) once."""
    for body in bodies:
        read_message(body)


def message_builder(messages: dict[MsgType, bytes]):
    """A function that builds each WSC message of a run once, from the values the recorded run carried (no
    crypto: hashes and ciphertexts are taken as they were sent)."""
    attrs = {m: read_message(body).attrs for m, body in messages.items()}
    en, rn = attrs[MsgType.M1].require(AttrType.ENROLLEE_NONCE), attrs[MsgType.M2].require(AttrType.REGISTRAR_NONCE)
    pk_e, pk_r = attrs[MsgType.M1].require(AttrType.PUBLIC_KEY), attrs[MsgType.M2].require(AttrType.PUBLIC_KEY)
    hashes = {m: (attrs[m].require(a1), attrs[m].require(a2)) for m, a1, a2 in (
        (MsgType.M3, AttrType.E_HASH1, AttrType.E_HASH2), (MsgType.M4, AttrType.R_HASH1, AttrType.R_HASH2))}
    encrypted = {m: attrs[m].require(AttrType.ENCR_SETTINGS) for m in (MsgType.M4, MsgType.M5, MsgType.M6,
                                                                        MsgType.M7, MsgType.M8)}
    sta, ap = STA.as_sent(), AP.as_sent()
    steps = [(MsgType.M5, AttrType.REGISTRAR_NONCE, rn), (MsgType.M6, AttrType.ENROLLEE_NONCE, en),
             (MsgType.M7, AttrType.REGISTRAR_NONCE, rn), (MsgType.M8, AttrType.ENROLLEE_NONCE, en)]

    def build_each_message() -> None:
        build_m1(sta, en, pk_e, DevicePasswordId.DEFAULT)
        build_m2(ap, en, rn, pk_r, DevicePasswordId.DEFAULT)
        build_m3(rn, *hashes[MsgType.M3])
        build_m4(en, *hashes[MsgType.M4], encrypted[MsgType.M4])
        for m, nonce_attr, nonce in steps:
            build_encrypted_step(m, nonce_attr, nonce, encrypted[m])
        build_closing(MsgType.WSC_DONE, en, rn)

    return build_each_message


# -- the floor ------------------------------------------------------------------------------------------------


def record_messages() -> dict[MsgType, bytes]:
    """The WSC message bodies of one registration, by type (for the floor's data sizes)."""
    sent: dict[MsgType, bytes] = {}
    original = session_module.RegistrationSession.send

    def send(self, msg_type, body):
        out = original(self, msg_type, body)
        sent[msg_type] = out.body
        return out

    session_module.RegistrationSession.send = send
    try:
        registration()
    finally:
        session_module.RegistrationSession.send = original
    return sent


class Floor:
    """The crypto of one registration (both sides), replayed with the cheapest library calls."""

    def __init__(self, messages: dict[MsgType, bytes]) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Diffie-Hellman over finite fields")
            from cryptography.hazmat.primitives.asymmetric import dh

            self.params = dh.DHParameterNumbers(DH_P, DH_G).parameters()
        order = [MsgType.M1, MsgType.M2, MsgType.M3, MsgType.M4, MsgType.M5, MsgType.M6, MsgType.M7, MsgType.M8]
        bodies = [messages[m] for m in order]
        # Authenticator of M2..M8: HMAC over the previous message and this one (without its Authenticator).
        self.auth_inputs = [bodies[i - 1] + bodies[i][:-12] for i in range(1, len(bodies))]
        # Encrypted Settings of M4..M8: their ciphertext sizes (IV excluded) and the settings covered by the KWA.
        self.ciphertexts = []
        for m in order[3:]:
            value = read_message(messages[m]).attrs.require(AttrType.ENCR_SETTINGS)
            self.ciphertexts.append(value[16:])
        self.kwa_inputs = [bytes(len(ct) - 12 - 1) for ct in self.ciphertexts]  # minus KWA TLV and >= 1 pad byte
        self.key = bytes(32)
        self.wrap_key = bytes(16)
        self.iv = bytes(16)
        self.kdk_input = bytes(16 + 6 + 16)
        self.kdf_inputs = [bytes(4 + 36 + 4)] * 3
        self.hash_input = bytes(16 + 16 + 192 + 192)

    def dh_only(self) -> None:
        a = self.params.generate_private_key()
        b = self.params.generate_private_key()
        a.exchange(b.public_key())
        b.exchange(a.public_key())

    def full(self) -> None:
        a = self.params.generate_private_key()
        b = self.params.generate_private_key()
        self.symmetric(a.exchange(b.public_key()), b.exchange(a.public_key()))

    def symmetric(self, *shared_secrets: bytes) -> None:
        """Everything after the DH exchanges: SHA-256, HMAC, AES."""
        digest, keyed, sha256, key = hmac_digest, hmac_new, hashlib.sha256, self.key
        auth_keys = []
        for shared in shared_secrets or (bytes(192), bytes(192)):
            sha256(shared).digest()
            digest(key, self.kdk_input, "sha256")  # KDK: its key (DHKey) is used once
            kdk = keyed(key, digestmod="sha256")  # the KDF's 3 rounds share their key: keyed once
            for data in self.kdf_inputs:
                mac = kdk.copy()
                mac.update(data)
                mac.digest()
            auth = keyed(key, digestmod="sha256")  # each side keys its AuthKey once, as pywps does
            auth_keys.append(auth)
            for data in (b"1234", b"5670", self.hash_input, self.hash_input, self.hash_input, self.hash_input):
                mac = auth.copy()  # PSK1, PSK2; E-Hash1/2 and R-Hash1/2, made by one side, checked by the other
                mac.update(data)
                mac.digest()
        for data in self.auth_inputs:  # each Authenticator made by the sender and checked by the receiver
            for auth in auth_keys:
                mac = auth.copy()
                mac.update(data)
                mac.digest()
        aes = algorithms.AES(self.wrap_key)  # one key per run, an IV of its own per Encrypted Settings
        for ct, data in zip(self.ciphertexts, self.kwa_inputs):
            for auth in auth_keys:  # the KWA, made by the sender and checked by the receiver
                mac = auth.copy()
                mac.update(data)
                mac.digest()
            enc = Cipher(aes, modes.CBC(self.iv)).encryptor()
            enc.update(ct)
            enc.finalize()
            dec = Cipher(aes, modes.CBC(self.iv)).decryptor()
            dec.update(ct)
            dec.finalize()


# -- measuring -------------------------------------------------------------------------------------------------


def median_ms(fn, runs: int) -> float:
    samples = []
    clock = time.thread_time
    for _ in range(runs):
        t0 = clock()
        fn()
        samples.append((clock() - t0) * 1000)
    return statistics.median(samples)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--memory-runs", type=int, default=10_000)
    args = parser.parse_args()
    messages = record_messages()
    floor = Floor(messages)
    replies, bodies = record_replies(), list(messages.values())
    build_each_message = message_builder(messages)
    for _ in range(20):  # warm-up: imports, parameter objects, caches
        registration(), floor.full(), floor.dh_only(), registrar_side(), registration_without_dh()
    reg, full, dh_only, reg_side, no_dh, sym, eap, reads, builds = [], [], [], [], [], [], [], [], []
    per_round = max(args.runs // 5, 1)
    for _ in range(5):  # interleave so load on the machine hits all alike
        reg.append(median_ms(registration, per_round))
        full.append(median_ms(floor.full, per_round))
        dh_only.append(median_ms(floor.dh_only, per_round))
        reg_side.append(statistics.median(registrar_side() for _ in range(per_round)) * 1000)
        no_dh.append(median_ms(registration_without_dh, per_round))
        sym.append(median_ms(floor.symmetric, per_round))
        eap.append(median_ms(lambda: eap_layers_only(replies), per_round))
        reads.append(median_ms(lambda: read_each_message(bodies), per_round))
        builds.append(median_ms(build_each_message, per_round))
    r, f, d = statistics.median(reg), statistics.median(full), statistics.median(dh_only)
    rs, nd, sy = statistics.median(reg_side), statistics.median(no_dh), statistics.median(sym)
    half_dh = d / 2  # 1 keygen + 1 exchange
    print(f"{'registrar side alone':<44} {rs:8.3f} ms = {1000 / rs:6.0f} /s   "
          f"floor 1 keygen + 1 exchange {half_dh:.3f} ms = {1000 / half_dh:.0f} /s   "
          f"throughput {half_dh / rs:.0%} of the floor (goal >= 75%)")
    # What the goals leave the protocol code (EAPOL, EAP, EAP-WSC, session, TLV codec): the registration
    # without its DH, less the floor's HMACs and AES; and the registrar side's ceiling with no protocol code
    # at all (its share of the floor's HMACs and AES still on top of 1 keygen + 1 exchange).
    print(f"{'protocol code (registration without DH)':<44} {nd:8.3f} ms, less the floor's SHA/HMAC/AES "
          f"{sy:.3f} ms = {nd - sy:.3f} ms; the 1.25x goal leaves it {0.25 * f:.3f} ms; the registrar side with "
          f"no protocol code: {half_dh / (half_dh + sy / 2):.0%} of its floor")
    e, rd, bd = statistics.median(eap), statistics.median(reads), statistics.median(builds)
    print(f"{'of which EAPOL/EAP/EAP-WSC framing alone':<44} {e:8.3f} ms, reading each WSC message once {rd:.3f} ms, "
          f"building each once {bd:.3f} ms: {e + rd + bd:.3f} ms before a nonce, key, hash or Authenticator is made "
          f"or checked, or an event queued")
    if args.memory_runs:
        gc.collect()
        start = rss_kib()
        for _ in range(args.memory_runs):
            registration()
        gc.collect()
        end = rss_kib()
        print(f"{'RSS over %d registrations' % args.memory_runs:<44} start {start / 1024:.1f} MiB, "
              f"end {end / 1024:.1f} MiB ({(end - start) / 1024:+.2f} MiB)")
    print(f"registration {r:.3f} ms, crypto floor {f:.3f} ms (DH only {d:.3f} ms), ratio {r / f:.2f}")


if __name__ == "__main__":
    main()
