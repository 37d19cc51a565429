"""A man in the middle and broken peers: flipped bytes, forged Authenticator and KWA, replays, out-of-order
messages, truncation, weak DH keys, bad credentials. None may yield a credential or success, and no exception
may leave the core (the shuttle would raise it)."""

from __future__ import annotations

import pytest
from wps_helpers import (
    CRED,
    RFC3526_P,
    enrollee_run,
    msg_type_of,
    ref_encrypt,
    ref_hmac,
    registrar_run,
    tlv,
    tlvs,
)

from pywps.wps.credential import Credential
from pywps.wps.crypto import authenticator
from pywps.wps.defs import AuthType, EncrType, MsgType
from pywps.wps.enrollee import Enrollee
from pywps.wps.events import CredentialReceived, Failure, MessageDropped, Success
from pywps.wps.messages import build_encrypted_step
from pywps.wps.registrar import Registrar
from pywps.wps.session import Outgoing, WscOpCode

M = MsgType
RECEIVER_IN_ENROLLEE_RUN = {M.M2: "peer", M.M3: "auth", M.M4: "peer", M.M5: "auth", M.M6: "peer", M.M7: "auth",
                            M.M8: "peer"}


def rewrite(target: int, change, once: bool = True):
    """A MITM that applies `change(body) -> body` to the first (or every) message of type `target`."""
    hits = []

    def mitm(direction, op, body):
        if msg_type_of(body) != target or (once and hits):
            return None
        hits.append(body)
        return change(body)

    mitm.hits = hits
    return mitm


def flip(position: int, mask: int = 0x01):
    return lambda body: body[:position] + bytes([body[position] ^ mask]) + body[position + 1:]


def assert_failed_cleanly(run, receiver: str) -> None:
    for side in ("peer", "auth"):
        assert not run.events(side, CredentialReceived), (side, run.events(side, CredentialReceived))
    assert not run.events("peer", Success)
    events = run.peer_events if receiver == "peer" else run.auth_events
    assert any(isinstance(e, (Failure, MessageDropped)) for e in events), events


def message_length(msg: MsgType) -> int:
    body = next(b for d in ("up", "down") for _, b in enrollee_run().messages(d) if msg_type_of(b) == msg)
    return len(body)


@pytest.mark.parametrize("msg", [M.M2, M.M3, M.M4, M.M5, M.M6, M.M7, M.M8])
def test_every_single_byte_flip_in_m2_to_m8_is_refused(msg):
    """Each byte of the message, in turn, one run per byte (library DH keeps a run ~3 ms)."""
    receiver = RECEIVER_IN_ENROLLEE_RUN[msg]
    length = message_length(msg)
    for position in range(length):
        mitm = rewrite(msg, flip(position))
        run = enrollee_run(mitm=mitm)
        assert mitm.hits, f"{msg.name} never passed"
        assert_failed_cleanly(run, receiver)


@pytest.mark.parametrize("msg,receiver", [(M.M1, "peer"), (M.M2, "auth"), (M.M3, "peer"), (M.M4, "auth"),
                                          (M.M5, "peer"), (M.M6, "auth"), (M.M7, "peer"), (M.M8, "auth")])
def test_byte_flips_against_an_external_registrar(msg, receiver):
    # M7 carries the AP's settings: a forged one must not turn into a learned credential either.
    new = Credential(b"new", AuthType.WPA2PSK, EncrType.AES, b"new-passphrase")
    for position in range(9, 400, 7):
        mitm = rewrite(msg, lambda b, p=position: flip(p % len(b), 0x80)(b))
        run = registrar_run(new_settings=new if msg != M.M7 else None, mitm=mitm)
        assert mitm.hits
        if msg == M.M1:
            # M1 is not authenticated yet: a flipped nonce, MAC or key is a different (valid) enrollee whose
            # M2 keys then disagree with the AP's; whatever happens, nothing is configured or learned.
            assert not run.events("auth", CredentialReceived) and not run.events("peer", CredentialReceived)
            assert not run.events("auth", Success)
        else:
            assert_failed_cleanly(run, receiver)


@pytest.mark.parametrize("msg", [M.M2, M.M3, M.M4, M.M5, M.M6, M.M7, M.M8])
def test_wrong_authenticator(msg):
    receiver = RECEIVER_IN_ENROLLEE_RUN[msg]
    run = enrollee_run(mitm=rewrite(msg, lambda b: b[:-8] + bytes(8)))
    assert_failed_cleanly(run, receiver)
    (f,) = run.events(receiver, Failure)
    assert (f.msg, f.config_error) == (msg, 0)
    assert "Authenticator" in f.description
    # The receiver answered with WSC_NACK and sent nothing after it.
    sent = run.msg_types("up" if receiver == "peer" else "down")
    assert sent[-1] == M.WSC_NACK


# -- forged Key Wrap Authenticator: right Authenticator, bad KWA inside ------------------------------------


class BadKwaRegistrar(Registrar):
    """Encrypts with the session's real keys but a wrong KWA, in the message named by `corrupt`."""

    corrupt: MsgType = M.M4

    def encrypt(self, settings: bytes) -> bytes:
        next_msg = {"M3": M.M4, "M5": M.M6, "M7": M.M8}  # our step when encrypt() runs -> what we build
        if next_msg.get(self.step.value) is not self.corrupt:
            return super().encrypt(settings)
        good = ref_hmac(self.keys.auth_key, settings)[:8]
        return ref_encrypt(self.keys.auth_key, self.keys.key_wrap_key, settings, self.random(16),
                           kwa=bytes([good[0] ^ 0xFF]) + good[1:])


@pytest.mark.parametrize("corrupt", [M.M4, M.M6, M.M8])
def test_bad_kwa_from_the_registrar(corrupt):
    cls = type("Bad", (BadKwaRegistrar,), {"corrupt": corrupt})
    run = enrollee_run(registrar_cls=cls)
    assert_failed_cleanly(run, "peer")
    (f,) = run.events("peer", Failure)
    assert (f.msg, f.config_error) == (corrupt, 0)  # wpa_supplicant: WPS-FAIL msg=8 config_error=0 for M4
    assert "Key Wrap" in f.description
    if corrupt == M.M4:
        assert M.M5 not in run.msg_types("up")


class BadKwaEnrollee(Enrollee):
    def encrypt(self, settings: bytes) -> bytes:
        good = ref_hmac(self.keys.auth_key, settings)[:8]
        return ref_encrypt(self.keys.auth_key, self.keys.key_wrap_key, settings, bytes(16), kwa=good[::-1])


def test_bad_kwa_from_the_enrollee():
    run = enrollee_run(enrollee_cls=BadKwaEnrollee)
    assert_failed_cleanly(run, "auth")
    (f,) = run.events("auth", Failure)
    assert (f.msg, f.config_error) == (M.M5, 0)
    assert M.M6 not in run.msg_types("down")  # R-S2 is not revealed


def test_kwa_sanity_the_double_works_when_not_corrupting():
    # Guard against a test double that breaks more than the KWA: with no message to corrupt, it succeeds.
    cls = type("Good", (BadKwaRegistrar,), {"corrupt": None})
    assert enrollee_run(registrar_cls=cls).events("peer", Success)


# -- replays and out-of-order messages ---------------------------------------------------------------------


def test_m2_replayed_when_m4_is_expected():
    seen = {}

    def mitm(direction, op, body):
        t = msg_type_of(body)
        if t == M.M2:
            seen["m2"] = body
        if t == M.M4:
            return seen["m2"]
        return None

    run = enrollee_run(mitm=mitm)
    assert_failed_cleanly(run, "peer")
    (f,) = run.events("peer", Failure)
    assert "M2" in f.description
    assert M.M5 not in run.msg_types("up")


def test_m3_replayed_when_m5_is_expected():
    seen = {}

    def mitm(direction, op, body):
        t = msg_type_of(body)
        if t == M.M3:
            seen["m3"] = body
        return seen["m3"] if t == M.M5 else None

    run = enrollee_run(mitm=mitm)
    assert_failed_cleanly(run, "auth")
    assert M.M6 not in run.msg_types("down")


class SkippingRegistrar(Registrar):
    """Answers M3 with a correctly authenticated M6 (skipping M4): only the message order is wrong."""

    def _on_m3(self, msg):
        super()._on_m3(msg)  # derives everything M4 would need (and advances our own table to M4)
        encrypted = self.encrypt(tlv(0x1040, self._secret_nonces[1]))
        body = build_encrypted_step(M.M6, 0x101A, self.enrollee_nonce, encrypted)
        body += tlv(0x1005, authenticator(self.keys.auth_key, self._last_received, body))
        return Outgoing(WscOpCode.MSG, body, M.M6)


def test_m6_before_m4():
    run = enrollee_run(registrar_cls=SkippingRegistrar)
    assert_failed_cleanly(run, "peer")
    (f,) = run.events("peer", Failure)
    assert "unexpected M6" in f.description
    assert run.msg_types("up") == [M.M1, M.M3, M.WSC_NACK]


def test_m8_from_another_run_is_refused():
    other = enrollee_run()
    old_m8 = next(b for _, b in other.messages("down") if msg_type_of(b) == M.M8)
    run = enrollee_run(mitm=rewrite(M.M8, lambda b: old_m8))
    assert_failed_cleanly(run, "peer")


# -- truncation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("msg", [M.M2, M.M4, M.M6, M.M8])
@pytest.mark.parametrize("cut", [1, 3, 8, 13])
def test_truncated_message(msg, cut):
    run = enrollee_run(mitm=rewrite(msg, lambda b: b[:-cut]))
    assert_failed_cleanly(run, "peer")


def test_attribute_length_lies():
    def lie(body):
        # Claim the Public Key is 191 bytes long: the TLV walk desynchronizes.
        i = body.index(b"\x10\x32\x00\xc0")
        return body[:i] + b"\x10\x32\x00\xbf" + body[i + 4:]

    run = enrollee_run(mitm=rewrite(M.M2, lie))
    assert_failed_cleanly(run, "peer")
    assert run.events("peer", MessageDropped) or run.events("peer", Failure)


# -- weak DH public keys ---------------------------------------------------------------------------------------


def with_public_key(y: int):
    def change(body):
        out = b""
        for t, v in tlvs(body):
            out += tlv(t, y.to_bytes(192, "big") if t == 0x1032 else v)
        return out

    return change


@pytest.mark.parametrize("y", [0, 1, RFC3526_P - 1])
def test_weak_registrar_public_key(y):
    run = enrollee_run(mitm=rewrite(M.M2, with_public_key(y)))
    assert_failed_cleanly(run, "peer")
    (f,) = run.events("peer", Failure)
    assert f.msg == M.M2
    assert run.msg_types("up") == [M.M1, M.WSC_NACK]


@pytest.mark.parametrize("y", [1, RFC3526_P - 1])
def test_weak_enrollee_public_key(y):
    run = enrollee_run(mitm=rewrite(M.M1, with_public_key(y)))
    assert_failed_cleanly(run, "auth")
    assert M.M2 not in run.msg_types("down")


# -- bad credentials in an authenticated M8 -------------------------------------------------------------------


@pytest.mark.parametrize("cred", [
    Credential(b"jkm-wps-test", AuthType.WPA2PSK, EncrType.AES, b"x" * 65),
    Credential(b"jkm-wps-test", AuthType.WPA2PSK, EncrType.AES, b"0" * 62 + b"\n\n"),
    Credential(b"jkm-wps-test", AuthType.WPA2PSK, EncrType.AES, b"short"),
    Credential(b"", AuthType.WPA2PSK, EncrType.AES, b"12345678"),
])
def test_bad_credential_in_m8(cred):
    run = enrollee_run(credentials=(cred,))
    assert_failed_cleanly(run, "peer")
    (f,) = run.events("peer", Failure)
    assert (f.msg, f.config_error) == (M.M8, 0)


def test_one_bad_credential_spoils_the_whole_m8():
    run = enrollee_run(credentials=(CRED, Credential(b"b", AuthType.WPA2PSK, EncrType.AES, b"x" * 65)))
    assert_failed_cleanly(run, "peer")
    assert run.events("peer", Failure)[0].msg == M.M8


def test_m8_without_credential():
    run = enrollee_run(credentials=())
    assert_failed_cleanly(run, "peer")
    assert run.events("peer", Failure)[0].msg == M.M8
