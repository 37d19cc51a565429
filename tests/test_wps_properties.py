"""Hypothesis: build -> parse round trips, and every parser fed random bytes raises only the project's errors.

10^4 examples per parser (CI runs the same count); no shrinking phase is needed unless a test fails, and the
example database is off so runs do not depend on a local cache.
"""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from wps_helpers import PIN, STA, tlv

from pywps.wps.attributes import FIXED_LEN, MAX_LEN, MIN_LEN, build_attrs, parse_attrs
from pywps.wps.credential import Credential, parse_credentials
from pywps.wps.defs import AuthType, EncrType
from pywps.wps.eap import IDENTITY_ENROLLEE, EapPeer, Reassembler, WscFrame, fragments, parse_eap, parse_eapol, parse_wsc
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.errors import ParseError, ProtocolError
from pywps.wps.messages import read_message

MANY = settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate, Phase.shrink])
FEW = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))

WSC_HEAD = b"\x00\x37\x2a\x00\x00\x00\x01"


def _value_for(t: int) -> st.SearchStrategy[bytes]:
    if t in FIXED_LEN:
        return st.binary(min_size=FIXED_LEN[t], max_size=FIXED_LEN[t])
    if t == 0x1049:  # vendor extension of another vendor (WFA's is checked by its own tests)
        return st.binary(min_size=0, max_size=20).map(lambda b: b"\x00\x50\xf2" + b)
    return st.binary(min_size=MIN_LEN.get(t, 0), max_size=min(MAX_LEN.get(t, 80), 80))


ATTR_TYPES = st.one_of(st.sampled_from(sorted(set(FIXED_LEN) | set(MAX_LEN) | set(MIN_LEN))),
                       st.integers(0, 0xFFFF).filter(lambda t: t not in FIXED_LEN and t not in MAX_LEN
                                                     and t not in MIN_LEN))
ATTR = ATTR_TYPES.flatmap(lambda t: _value_for(t).map(lambda v: (t, v)))


@MANY
@given(st.lists(ATTR, max_size=12))
def test_attrs_round_trip(items):
    data = build_attrs(items)
    # Reference encoding, by hand: type u16, length u16, value.
    assert data == b"".join(struct.pack(">HH", t, len(v)) + v for t, v in items)
    attrs = parse_attrs(data)
    assert [(a.type, a.value) for a in attrs] == items
    assert attrs.to_bytes() == data


CREDENTIAL = st.builds(
    Credential,
    ssid=st.binary(min_size=1, max_size=32),
    auth_type=st.sampled_from(list(AuthType)),
    encr_type=st.sampled_from(list(EncrType)),
    network_key=st.binary(max_size=64),
    mac_address=st.binary(min_size=6, max_size=6),
    network_index=st.integers(0, 255),
    key_index=st.none() | st.integers(0, 255),
)


@MANY
@given(st.lists(CREDENTIAL, min_size=1, max_size=3))
def test_credentials_round_trip(creds):
    data = b"".join(c.to_credential_attr() for c in creds)
    got = parse_credentials(data)
    assert [(c.ssid, int(c.auth_type), int(c.encr_type), c.network_key, c.mac_address, c.network_index,
             c.key_index) for c in got] == [
        (c.ssid, int(c.auth_type), int(c.encr_type), c.network_key, c.mac_address, c.network_index, c.key_index)
        for c in creds]
    assert b"".join(c.raw for c in got) == data
    assert b"".join(c.to_credential_attr() for c in got) == data


@MANY
@given(st.binary(max_size=3000), st.integers(16, 1400), st.sampled_from([2, 3, 4, 5]))
def test_wsc_fragments_round_trip(message, size, op):
    r = Reassembler()
    frags = fragments(op, message, size)
    results = []
    for f in frags:
        assert len(f) - 7 <= size
        w = parse_wsc(f)
        assert w.op == op
        results.append(r.add(w))
    assert results[:-1] == [None] * (len(frags) - 1)
    assert results[-1] == message
    assert not r.in_progress


# -- random bytes: only the project's errors ----------------------------------------------------------------


@MANY
@given(st.binary(max_size=600))
def test_parse_attrs_random(data):
    try:
        parse_attrs(data)
    except ParseError:
        pass


TLV_SOUP = st.lists(st.one_of(
    st.binary(max_size=40),
    ATTR.map(lambda tv: tlv(*tv)),
    st.sampled_from([tlv(0x104A, b"\x10")] + [tlv(0x1022, bytes([t])) for t in range(0x01, 0x11)]),
), max_size=12).map(b"".join)


@MANY
@given(st.one_of(st.binary(max_size=600), TLV_SOUP))
def test_read_message_random(data):
    try:
        msg = read_message(data)
    except (ParseError, ProtocolError):
        return
    assert msg.raw == data


@MANY
@given(st.binary(max_size=300))
def test_parse_eapol_eap_wsc_random(data):
    for parse in (parse_eapol, parse_eap, parse_wsc):
        try:
            parse(data)
        except ParseError:
            pass
    try:
        parse_wsc(WSC_HEAD + data)
    except ParseError:
        pass


FRAME = st.builds(WscFrame, op=st.integers(0, 7), flags=st.integers(0, 3),
                  message_length=st.none() | st.integers(0, 70000), data=st.binary(max_size=60))


@MANY
@given(st.lists(FRAME, max_size=20))
def test_reassembler_random(frames):
    r = Reassembler(max_message=500, max_fragments=8)
    for f in frames:
        try:
            out = r.add(f)
        except ParseError:
            assert not r.in_progress
            continue
        if out is not None:
            assert len(out) <= max(500, 60)


@MANY
@given(st.one_of(st.binary(max_size=400), TLV_SOUP.map(lambda b: tlv(0x100E, b[:1000]))))
def test_parse_credentials_random(data):
    try:
        parse_credentials(data)
    except ParseError:
        pass


def _peer_mid_run() -> EapPeer:
    """A peer that has sent M1 and waits for M2: random input reaches the WSC session itself."""
    peer = EapPeer(Enrollee(EnrolleeConfig(STA, PIN)), IDENTITY_ENROLLEE)
    peer.receive(struct.pack(">BBHBBHB", 2, 0, 5, 1, 1, 5, 1))
    peer.receive(_eap_wsc(2, b"\x01\x00"))
    peer.frames_to_send()
    return peer


def _eap_wsc(ident: int, wsc: bytes) -> bytes:
    eap = struct.pack(">BBHB", 1, ident, 5 + 7 + len(wsc), 254) + WSC_HEAD + wsc
    return struct.pack(">BBH", 2, 0, len(eap)) + eap


PEER_INPUT = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.integers(0, 255), st.integers(0, 7), st.integers(0, 3), TLV_SOUP).map(
        lambda t: _eap_wsc(t[0], bytes([t[1], t[2]]) + (b"\x00\x20" if t[2] & 2 else b"") + t[3])),
)


@MANY
@given(st.lists(PEER_INPUT, min_size=1, max_size=4))
def test_eap_peer_receive_never_raises(pdus):
    peer = _peer_mid_run()
    for pdu in pdus:
        peer.receive(pdu)
    peer.frames_to_send()
    while peer.next_event() is not None:
        pass
