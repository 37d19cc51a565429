"""Property tests: build -> parse round trips, and random bytes into every parser raise only our errors."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywps.wps.attributes import Attributes, build_attrs, build_wfa_ext, parse_attrs, parse_wfa_subelems
from pywps.wps.credential import Credential, parse_credentials
from pywps.wps.defs import AttrType, AuthType, EncrType, WscOpCode
from pywps.wps.eap import (
    EapPeer,
    IDENTITY_ENROLLEE,
    Reassembler,
    build_eap,
    build_eapol,
    fragments,
    parse_eap,
    parse_eapol,
    parse_wsc,
)
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.errors import ParseError, ProtocolError, WpsError
from pywps.wps.messages import read_message
from core_helpers import STA

# CI runs 10^4 examples per parser; PYWPS_FUZZ_EXAMPLES raises it for longer local runs.
EXAMPLES = int(os.environ.get("PYWPS_FUZZ_EXAMPLES", "10000"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
roundtrip = settings(max_examples=500, deadline=None, database=None)

variable_types = st.sampled_from([AttrType.DEV_NAME, AttrType.SSID, AttrType.MANUFACTURER, AttrType.NETWORK_KEY, 0x2000])


@roundtrip
@given(st.lists(st.tuples(variable_types, st.binary(max_size=32)), max_size=12))
def test_attributes_round_trip(items):
    data = build_attrs(items)
    parsed = parse_attrs(data)
    assert [(a.type, a.value) for a in parsed] == [(int(t), v) for t, v in items]
    assert parsed.to_bytes() == data


@roundtrip
@given(
    ssid=st.binary(min_size=1, max_size=32),
    key=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=8, max_size=63).map(str.encode),
    index=st.integers(1, 255),
    mac=st.binary(min_size=6, max_size=6),
)
def test_credential_round_trip(ssid, key, index, mac):
    cred = Credential(ssid, AuthType.WPA2PSK, EncrType.AES, key, mac, index)
    (back,) = parse_credentials(cred.to_credential_attr())
    assert (back.ssid, back.network_key, back.network_index, back.mac_address) == (ssid, key, index, mac)


@roundtrip
@given(st.binary(min_size=0, max_size=3000), st.integers(16, 1400), st.sampled_from(list(WscOpCode)))
def test_fragment_reassembly_round_trip(message, size, op):
    reassembler = Reassembler()
    out = None
    for payload in fragments(op, message, size):
        out = reassembler.add(parse_wsc(payload))
    assert out == message


@roundtrip
@given(st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=12)), max_size=5))
def test_wfa_subelements_round_trip(subs):
    subs = [(sid, v) for sid, v in subs if sid not in (0, 1, 2, 3, 4, 5)]  # fixed-size ids are checked apart
    value = build_wfa_ext(subs)
    expected = {}
    for sid, v in subs:
        expected.setdefault(sid, v)
    assert parse_wfa_subelems(value[3:]) == expected


@fuzz
@given(st.binary(max_size=600))
def test_parse_attrs_raises_only_parse_error(data):
    try:
        assert isinstance(parse_attrs(data), Attributes)
    except ParseError:
        pass


def tlv_soup():
    """Mostly well-formed TLVs with random types and lengths: reaches deeper than uniform random bytes."""
    return st.lists(
        st.tuples(st.sampled_from(list(AttrType)) | st.integers(0, 0xFFFF), st.binary(max_size=40)), max_size=25
    ).map(lambda items: b"\x10\x4a\x00\x01\x10" + b"".join(
        int(t).to_bytes(2, "big") + len(v).to_bytes(2, "big") + v for t, v in items))


@fuzz
@given(tlv_soup() | st.binary(max_size=600))
def test_read_message_raises_only_our_errors(data):
    try:
        read_message(data)
    except (ParseError, ProtocolError):
        pass


@fuzz
@given(st.binary(max_size=300))
def test_eapol_eap_wsc_parsers(data):
    for parser in (parse_eapol, parse_eap, parse_wsc):
        try:
            parser(data)
        except ParseError:
            pass


@fuzz
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 70000), st.binary(max_size=64)), max_size=40))
def test_reassembler_never_exceeds_its_cap(frames):
    from pywps.wps.eap import WscFrame

    reassembler = Reassembler(max_message=4096, max_fragments=32)
    for flags, length, data in frames:
        try:
            out = reassembler.add(WscFrame(4, flags, length if flags & 2 else None, data))
        except ParseError:
            continue
        assert out is None or len(out) <= max(4096, len(data))
        assert len(reassembler._buf) <= 4096


@fuzz
@given(tlv_soup() | st.binary(max_size=600))
def test_parse_credentials_raises_only_parse_error(data):
    try:
        for cred in parse_credentials(b"\x10\x0e" + len(data).to_bytes(2, "big") + data):
            assert isinstance(cred, Credential)
    except (ParseError, ValueError):  # ValueError: an Auth/Encr Type value no IntFlag holds
        pass


@settings(max_examples=max(EXAMPLES // 5, 100), deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(st.binary(max_size=200) | tlv_soup().map(lambda b: build_eapol(0, build_eap(1, 7, 254,
       b"\x00\x37\x2a\x00\x00\x00\x01\x04\x00" + b))), max_size=8))
def test_eap_peer_survives_any_frames(frames):
    peer = EapPeer(Enrollee(EnrolleeConfig(STA, b"12345670")), IDENTITY_ENROLLEE)
    peer.start()
    for frame in frames:
        peer.receive(frame)  # must never raise
    while peer.next_event() is not None:
        pass
    assert all(isinstance(f, bytes) for f in peer.frames_to_send())
