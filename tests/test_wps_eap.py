"""EAPOL / EAP / EAP-WSC framing, fragmentation and reassembly, and the EAP ends' behaviour on odd input."""

from __future__ import annotations

import struct

import pytest
from wps_helpers import AP, CRED, PIN, STA, decode_wsc_pdu, eap_code, encode_wsc_pdu, shuttle

from pywps.wps.defs import WscOpCode
from pywps.wps.eap import (
    IDENTITY_ENROLLEE,
    IDENTITY_REGISTRAR,
    EapAuthenticator,
    EapFailureReceived,
    EapPeer,
    Reassembler,
    WscFrame,
    build_eap,
    build_eapol,
    build_wsc,
    fragments,
    parse_eap,
    parse_eapol,
    parse_wsc,
)
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.errors import ParseError
from pywps.wps.events import CredentialReceived, Failure, MessageDropped, Success
from pywps.wps.registrar import Registrar, RegistrarConfig


def test_frame_layouts_by_hand():
    assert build_eapol(1) == bytes([2, 1, 0, 0])
    assert build_eapol(0, b"abc", version=1) == b"\x01\x00\x00\x03abc"
    assert build_eap(1, 7, 1) == b"\x01\x07\x00\x05\x01"
    assert build_eap(4, 9) == b"\x04\x09\x00\x04"
    assert build_wsc(4, 0, b"xy") == b"\x00\x37\x2a\x00\x00\x00\x01\x04\x00xy"
    assert build_wsc(4, 3, b"xy", 300) == b"\x00\x37\x2a\x00\x00\x00\x01\x04\x03\x01\x2cxy"


def test_parsers_read_what_the_test_builds():
    eap = struct.pack(">BBHB", 1, 42, 5 + 11, 254) + b"\x00\x37\x2a\x00\x00\x00\x01\x04\x00ab"
    pdu = struct.pack(">BBH", 2, 0, len(eap)) + eap + b"\x00" * 20  # Ethernet padding after the length
    e = parse_eapol(pdu)
    assert (e.version, e.type, e.body) == (2, 0, eap)
    p = parse_eap(e.body)
    assert (p.code, p.id, p.type) == (1, 42, 254)
    w = parse_wsc(p.data)
    assert (w.op, w.flags, w.message_length, w.data) == (4, 0, None, b"ab")
    assert parse_eap(b"\x04\x05\x00\x04").type is None


@pytest.mark.parametrize("pdu", [b"", b"\x02\x00\x00", b"\x02\x00\x00\x05abcd"])
def test_bad_eapol(pdu):
    with pytest.raises(ParseError):
        parse_eapol(pdu)


@pytest.mark.parametrize("body", [b"\x01\x01\x00", b"\x01\x01\x00\x03xx", b"\x01\x01\x00\x09abc", b"\x07\x01\x00\x05x",
                                  b"\x01\x01\x00\x04"])
def test_bad_eap(body):
    with pytest.raises(ParseError):
        parse_eap(body)


@pytest.mark.parametrize("data", [b"", b"\x00\x37\x2a\x00\x00\x00\x02\x04\x00", b"\x00\x50\xf2\x00\x00\x00\x01\x04\x00",
                                  b"\x00\x37\x2a\x00\x00\x00\x01\x04\x02\x00"])
def test_bad_wsc(data):
    with pytest.raises(ParseError):
        parse_wsc(data)


@pytest.mark.parametrize("size", [16, 50, 100, 1398])
@pytest.mark.parametrize("length", [0, 1, 45, 46, 47, 48, 95, 400, 3000])
def test_fragments_reassemble_and_respect_the_size(size, length):
    message = bytes(i % 251 for i in range(length))
    frags = fragments(4, message, size)
    r = Reassembler()
    out = None
    for i, f in enumerate(frags):
        op, flags = f[7], f[8]
        assert op == 4 and len(f) - 7 <= size  # op-code + flags + [length] + data
        assert bool(flags & 1) == (i < len(frags) - 1)
        assert bool(flags & 2) == (i == 0 and len(frags) > 1)
        out = r.add(parse_wsc(f))
        assert (out is None) == (i < len(frags) - 1)
    assert out == message
    if length + 2 <= size:
        assert len(frags) == 1


def test_reassembler_limits():
    r = Reassembler(max_message=1000, max_fragments=4)
    with pytest.raises(ParseError):  # claim past the cap
        r.add(WscFrame(4, 3, 1001, b"x"))
    with pytest.raises(ParseError):  # first fragment without a length
        r.add(WscFrame(4, 1, None, b"x"))
    with pytest.raises(ParseError):  # claim smaller than what already came
        r.add(WscFrame(4, 3, 2, b"xyz"))
    assert r.add(WscFrame(4, 3, 100, b"x")) is None
    with pytest.raises(ParseError):  # op-code changes mid-message
        r.add(WscFrame(5, 1, None, b"x"))
    assert not r.in_progress
    r.add(WscFrame(4, 3, 100, b"x" * 10))
    for _ in range(3):
        try:
            r.add(WscFrame(4, 1, None, b"x"))
        except ParseError:
            break
    else:
        with pytest.raises(ParseError):  # too many fragments
            r.add(WscFrame(4, 1, None, b"x"))
    r.reset()
    r.add(WscFrame(4, 3, 5, b"abc"))
    with pytest.raises(ParseError):  # more than announced
        r.add(WscFrame(4, 0, None, b"def"))
    r.add(WscFrame(4, 3, 5, b"abc"))
    with pytest.raises(ParseError):  # last fragment too early
        r.add(WscFrame(4, 0, None, b"d"))
    r.add(WscFrame(4, 3, 5, b"abc"))
    assert r.add(WscFrame(4, 0, None, b"de")) == b"abcde"


# -- EapPeer ----------------------------------------------------------------------------------------------------


def new_peer(**kw) -> EapPeer:
    return EapPeer(Enrollee(EnrolleeConfig(STA, PIN)), IDENTITY_ENROLLEE, **kw)


def request(ident: int, eap_type: int | None, data: bytes = b"", code: int = 1) -> bytes:
    return build_eapol(0, build_eap(code, ident, eap_type, data))


def test_peer_identity_nak_and_start():
    peer = new_peer()
    peer.start()
    assert peer.frames_to_send() == [bytes([1, 1, 0, 0])]  # EAPOL-Start, version 1 as wpa_supplicant
    peer.receive(request(1, 1))
    (resp,) = peer.frames_to_send()
    assert parse_eap(parse_eapol(resp).body).data == IDENTITY_ENROLLEE.encode()
    peer.receive(request(2, 4, b"\x10"))  # MD5-Challenge: we only do WSC
    (nak,) = peer.frames_to_send()
    p = parse_eap(parse_eapol(nak).body)
    assert (p.code, p.id, p.type, p.data) == (2, 2, 3, b"\xfe")
    peer.receive(request(3, 254, build_wsc(WscOpCode.START)))
    (m1,) = peer.frames_to_send()
    w = decode_wsc_pdu(m1)
    assert w.op == 4 and b"\x10\x22\x00\x01\x04" in w.data
    # A second WSC_Start mid-run is dropped, not a new M1.
    peer.receive(request(4, 254, build_wsc(WscOpCode.START)))
    assert peer.frames_to_send() == []
    kinds = []
    while (e := peer.next_event()) is not None:
        kinds.append(type(e).__name__)
    assert kinds == ["EapStarted", "EapMethodProposed", "MessageDropped"]


def test_peer_answers_a_retransmitted_request_with_the_same_response():
    peer = new_peer()
    peer.receive(request(1, 1))
    peer.frames_to_send()
    start = request(2, 254, build_wsc(WscOpCode.START))
    peer.receive(start)
    (m1,) = peer.frames_to_send()
    peer.receive(start)  # the authenticator did not hear us: same id, same bytes
    assert peer.frames_to_send() == [m1]  # same M1 (same nonce and key), not a new run


def test_duplicated_downstream_pdus_do_not_break_a_run():
    peer = new_peer()
    auth = EapAuthenticator(registrar_factory=lambda: Registrar(RegistrarConfig(AP, PIN, enrollee_is_ap=False,
                                                                                 credentials=(CRED,))))

    class Dup:
        def __init__(self, inner):
            self.inner = inner

        def receive(self, pdu):
            self.inner.receive(pdu)
            self.inner.receive(pdu)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    run = shuttle(Dup(peer), auth)
    assert len(run.events("peer", CredentialReceived)) == 1
    assert len(run.events("peer", Success)) == 1 and not run.events("peer", Failure)


def test_peer_ignores_eapol_key_success_and_responses():
    peer = new_peer()
    for pdu in (build_eapol(3, b"\x02" + bytes(94)), request(1, 1, code=2), request(1, None, code=3)):
        peer.receive(pdu)
    assert peer.frames_to_send() == []
    assert not peer.finished
    peer.receive(request(9, None, code=4))
    assert peer.finished
    assert any(isinstance(e, EapFailureReceived) for e in iter(peer.next_event, None))


def test_many_tiny_fragments_are_refused_and_the_peer_lives_on():
    peer = new_peer()
    peer.receive(request(1, 1))
    peer.receive(request(2, 254, build_wsc(WscOpCode.START)))
    peer.frames_to_send()
    first = build_wsc(WscOpCode.MSG, 3, b"x", 60000)
    peer.receive(request(3, 254, first))
    acks = 1
    for i in range(3000):
        peer.receive(request((4 + i) & 0xFF, 254, build_wsc(WscOpCode.MSG, 1, b"y")))
        acks += sum(1 for f in peer.frames_to_send() if decode_wsc_pdu(f) and decode_wsc_pdu(f).op == 6)
    # FRAG_ACKs stop at the fragment limit (256); the few beyond it answer requests whose id wrapped round to
    # the last acknowledged one with the same bytes, which the peer treats as retransmissions.
    assert acks <= 256 + 3000 // 256 + 1
    assert not peer.session.finished
    events = list(iter(peer.next_event, None))
    assert any(isinstance(e, MessageDropped) and "reassembly" in e.reason for e in events)


def test_oversized_message_claim_is_dropped():
    peer = new_peer(max_message=2000)
    peer.receive(request(1, 1))
    peer.receive(request(2, 254, build_wsc(WscOpCode.MSG, 3, b"x" * 10, 2001)))
    assert [f for f in peer.frames_to_send() if decode_wsc_pdu(f)] == []


# -- EapAuthenticator ---------------------------------------------------------------------------------------


def test_authenticator_unknown_identity_ends_with_eap_failure():
    auth = EapAuthenticator(registrar_factory=lambda: None)
    auth.receive(build_eapol(1))
    (req,) = auth.frames_to_send()
    ident = parse_eap(parse_eapol(req).body).id
    auth.receive(build_eapol(0, build_eap(2, ident, 1, b"someone@example")))
    (fail,) = auth.frames_to_send()
    assert eap_code(fail) == 4 and auth.finished
    assert any(isinstance(e, Failure) for e in iter(auth.next_event, None))


def test_authenticator_ignores_responses_with_a_stale_id():
    auth = EapAuthenticator(registrar_factory=lambda: Registrar(RegistrarConfig(AP, PIN, enrollee_is_ap=False)))
    auth.receive(build_eapol(1))
    (req,) = auth.frames_to_send()
    ident = parse_eap(parse_eapol(req).body).id
    auth.receive(build_eapol(0, build_eap(2, (ident + 1) & 0xFF, 1, IDENTITY_ENROLLEE.encode())))
    assert auth.frames_to_send() == []
    auth.receive(build_eapol(0, build_eap(2, ident, 1, IDENTITY_ENROLLEE.encode())))
    (start,) = auth.frames_to_send()
    assert decode_wsc_pdu(start).op == WscOpCode.START


def test_authenticator_as_ap_enrollee_sends_m1_first():
    auth = EapAuthenticator(enrollee_factory=lambda: Enrollee(EnrolleeConfig(AP, PIN, ap_settings=CRED)))
    auth.receive(build_eapol(1))
    (req,) = auth.frames_to_send()
    auth.receive(build_eapol(0, build_eap(2, parse_eap(parse_eapol(req).body).id, 1, IDENTITY_REGISTRAR.encode())))
    (m1,) = auth.frames_to_send()
    assert b"\x10\x22\x00\x01\x04" in decode_wsc_pdu(m1).data
    assert b"\x10\x44\x00\x01\x02" in decode_wsc_pdu(m1).data  # WPS State: configured


def test_reframed_pdu_helper_round_trips():
    pdu = encode_wsc_pdu(2, 1, 7, 4, b"body")
    w = decode_wsc_pdu(pdu)
    assert (w.eapol_version, w.code, w.ident, w.op, w.data) == (2, 1, 7, 4, b"body")
    assert parse_wsc(parse_eap(parse_eapol(pdu).body).data).data == b"body"
