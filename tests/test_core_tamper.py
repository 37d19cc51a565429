"""Tampering: flipped bytes in every message, forged Authenticator and KWA, replays, weak keys, bad credentials.

Each must end without a credential and without success, and no exception may leave the core.
"""

from __future__ import annotations

import pytest
from core_helpers import AP, CRED, STA, enrollee_run, registrar_run

from pywps.wps import crypto
from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, EncrType, MsgType, WscOpCode
from pywps.wps.eap import build_eap, build_eapol, build_wsc, parse_eap, parse_eapol, parse_wsc
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.events import CredentialReceived, Failure, MessageDropped, Success
from pywps.wps.registrar import Registrar, RegistrarConfig


def flip_in_message(target: int, position: int):
    """A tap that flips one byte of the WSC body of message `target` (once), re-framing the EAP packet."""
    done = []

    def tap(direction: str, pdu: bytes) -> bytes:
        if done:
            return pdu
        eapol = parse_eapol(pdu)
        if eapol.type != 0:
            return pdu
        packet = parse_eap(eapol.body)
        if packet.type != 254:
            return pdu
        frame = parse_wsc(packet.data)
        body = frame.data
        if frame.op != WscOpCode.MSG or b"\x10\x22\x00\x01" + bytes([target]) not in body:
            return pdu
        done.append(True)
        i = position % len(body)
        body = body[:i] + bytes([body[i] ^ 0x40]) + body[i + 1 :]
        return build_eapol(0, build_eap(packet.code, packet.id, 254, build_wsc(frame.op, 0, body)), eapol.version)

    return tap


def assert_no_credential(result, receiver: str) -> None:
    assert not result.of("peer", CredentialReceived)
    assert not result.of("peer", Success)
    events = result.peer_events if receiver == "peer" else result.auth_events
    assert any(isinstance(e, (Failure, MessageDropped)) for e in events), events


@pytest.mark.parametrize("msg,receiver", [(MsgType.M2, "peer"), (MsgType.M3, "auth"), (MsgType.M4, "peer"),
                                          (MsgType.M5, "auth"), (MsgType.M6, "peer"), (MsgType.M7, "auth"),
                                          (MsgType.M8, "peer")])
def test_one_flipped_byte_anywhere_in_m2_to_m8(msg, receiver):
    # Every 5th byte of the message: TLV headers (-> unreadable, dropped) and values (-> a check fails).
    for position in range(9, 600, 5):  # past Version and Message Type, which select the message
        result = enrollee_run(tap=flip_in_message(msg, position))
        assert_no_credential(result, receiver)


@pytest.mark.parametrize("msg", [MsgType.M2, MsgType.M4, MsgType.M6, MsgType.M8])
def test_wrong_authenticator_is_a_failure(msg):
    result = enrollee_run(tap=flip_in_message(msg, -1))  # the last byte: inside the Authenticator
    (fail,) = result.of("peer", Failure)
    assert fail.msg == msg and "Authenticator" in fail.description
    assert not result.of("peer", CredentialReceived)


class BadKwaRegistrar(Registrar):
    """Encrypts correctly but with a Key Wrap Authenticator made from the wrong key."""

    def encrypt(self, settings: bytes) -> bytes:
        wrong = crypto.SessionKeys(b"\x00" * 32, self.keys.key_wrap_key, self.keys.emsk)
        return crypto.encrypt_settings(wrong, settings)


def test_wrong_kwa_in_m4():
    result = enrollee_run(registrar_cls=BadKwaRegistrar)
    (fail,) = result.of("peer", Failure)
    assert (fail.msg, fail.config_error) == (MsgType.M4, 0)  # as wpa_supplicant: msg=8 config_error=0
    assert not result.of("peer", CredentialReceived)


def test_long_key_in_m8_is_refused():
    result = enrollee_run(credentials=(Credential(b"net", AuthType.WPA2PSK, EncrType.AES, b"k" * 65),))
    (fail,) = result.of("peer", Failure)
    assert fail.msg == MsgType.M8
    assert not result.of("peer", CredentialReceived) and not result.of("peer", Success)


def step(session, out):
    """Deliver one session's outgoing message to the other; returns the reply."""
    return session.receive(out.op, out.body)


def start_pair():
    enrollee = Enrollee(EnrolleeConfig(STA, b"12345670"))
    registrar = Registrar(RegistrarConfig(AP, b"12345670", enrollee_is_ap=False, credentials=(CRED,)))
    m1 = enrollee.start()
    m2 = step(registrar, m1)
    return enrollee, registrar, m1, m2


def drain(session) -> list:
    events = []
    while (e := session.next_event()) is not None:
        events.append(e)
    return events


def test_replayed_m2_after_m3_ends_the_run():
    enrollee, registrar, m1, m2 = start_pair()
    m3 = step(enrollee, m2)
    assert m3.msg_type is MsgType.M3
    reply = step(enrollee, m2)  # the registrar's M2 again, where M4 is due
    assert reply is not None and reply.msg_type is MsgType.WSC_NACK
    fails = [e for e in drain(enrollee) if isinstance(e, Failure)]
    assert fails and "unexpected M2" in fails[0].description and enrollee.failed


def test_m6_before_m4_ends_the_run():
    enrollee, registrar, m1, m2 = start_pair()
    m3 = step(enrollee, m2)
    m4 = step(registrar, m3)
    m5 = step(enrollee, m4)
    m6 = step(registrar, m5)
    # A fresh enrollee run, shown an M6 where it waits for M4:
    enrollee2, registrar2, _, m2b = start_pair()
    step(enrollee2, m2b)
    reply = enrollee2.receive(m6.op, m6.body)
    assert reply is not None and reply.msg_type is MsgType.WSC_NACK
    assert any(isinstance(e, Failure) for e in drain(enrollee2))


def test_replayed_m4_is_refused():
    enrollee, registrar, m1, m2 = start_pair()
    m4 = step(registrar, step(enrollee, m2))
    step(enrollee, m4)
    reply = enrollee.receive(m4.op, m4.body)
    assert reply is not None and reply.msg_type is MsgType.WSC_NACK
    assert enrollee.failed


@pytest.mark.parametrize("y", [0, 1, crypto.DH_P - 1])
def test_weak_registrar_public_key(y):
    enrollee, registrar, m1, m2 = start_pair()
    good = registrar.dh.public
    forged = m2.body.replace(good, y.to_bytes(192, "big"))
    reply = enrollee.receive(WscOpCode.MSG, forged)
    assert reply is not None and reply.msg_type is MsgType.WSC_NACK
    fails = [e for e in drain(enrollee) if isinstance(e, Failure)]
    assert fails and "public key" in fails[0].description
    assert enrollee.keys is None  # nothing was derived from the weak key


def test_truncated_and_duplicated_attributes():
    enrollee, registrar, m1, m2 = start_pair()
    assert enrollee.receive(WscOpCode.MSG, m2.body[:-3]) is None  # a TLV runs past the end: dropped
    assert isinstance(drain(enrollee)[-1], MessageDropped)
    assert not enrollee.failed  # noise does not end the run ...
    doubled = m2.body[:4 + 5] + m2.body[9:9 + 20] + m2.body[9:]  # the Enrollee Nonce TLV twice
    reply = enrollee.receive(WscOpCode.MSG, doubled)  # ... an ambiguous message does
    assert reply is not None and reply.msg_type is MsgType.WSC_NACK
    assert any(isinstance(e, Failure) and "repeats" in e.description for e in drain(enrollee))


def test_missing_mandatory_attribute():
    enrollee, registrar, m1, m2 = start_pair()
    pos = m2.body.find(b"\x10\x39\x00\x10")  # drop the Registrar Nonce
    stripped = m2.body[:pos] + m2.body[pos + 20 :]
    reply = enrollee.receive(WscOpCode.MSG, stripped)
    assert reply is None or reply.msg_type is MsgType.WSC_NACK
    assert any(isinstance(e, Failure) and "REGISTRAR_NONCE" in e.description for e in drain(enrollee))


def test_forged_nack_from_a_bystander_is_ignored():
    from pywps.wps.messages import build_closing

    enrollee, registrar, m1, m2 = start_pair()
    forged = build_closing(MsgType.WSC_NACK, b"\x00" * 16, b"\x00" * 16, 18)
    assert enrollee.receive(WscOpCode.NACK, forged) is None
    assert not enrollee.failed


def test_learn_only_run_survives_a_tampered_m7():
    result = registrar_run(tap=flip_in_message(MsgType.M7, -1))
    assert not result.of("peer", CredentialReceived)
    assert any(isinstance(e, Failure) for e in result.peer_events)
