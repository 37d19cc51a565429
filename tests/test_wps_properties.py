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

WSC_HEAD = b"\x00\x37\x2a\x00\x00\x00\x01"


def _value_for(t: int) -> st.SearchStrategy[bytes]:
    if t in FIXED_LEN:
        return st.binary(min_size=FIXED_LEN[t], max_size=FIXED_LEN[t])
    if t == 0x1049:  # vendor extension of another vendor (WFA's is checked by its own tests)
        return st.binary(min_size=0, max_size=20).map(lambda b: b"\x00\x50\xf2" + b)
    return st.binary(min_size=MIN_LEN.get(t, 0), max_size=min(MAX_LEN.get(t, 80), 80))


ATTR_TYPES = sorted(set(FIXED_LEN) | set(MAX_LEN) | set(MIN_LEN) | {0x0000, 0x2000, 0x7777, 0xFFFF})


def _attr(i: int, raw: bytes) -> tuple[int, bytes]:
    """A valid attribute from cheap raw material (hypothesis draws flat data; the shape is made here)."""
    t = ATTR_TYPES[i % len(ATTR_TYPES)]
    if t == 0x1049:  # another vendor's extension (WFA's sub-elements are checked by their own tests)
        return t, b"\x00\x50\xf2" + raw[:20]
    if t in FIXED_LEN:
        n = FIXED_LEN[t]
        return t, (raw * (n // max(len(raw), 1) + 1))[:n] if raw else bytes(n)
    value = raw[: MAX_LEN.get(t, 80)]
    return t, value.ljust(MIN_LEN.get(t, 0), b"\x00")


def _items(data: bytes) -> list[tuple[int, bytes]]:
    """Attributes carved out of flat random bytes (flat draws are ~3x cheaper than nested strategies)."""
    items, pos = [], 0
    while pos + 2 <= len(data):
        n = data[pos + 1] % 81
        items.append(_attr(data[pos], data[pos + 2 : pos + 2 + n]))
        pos += 2 + n
    return items


@MANY
@given(st.binary(max_size=600))
def test_attrs_round_trip(data):
    items = _items(data)
    data = build_attrs(items)
    # Reference encoding, by hand: type u16, length u16, value.
    assert data == b"".join(struct.pack(">HH", t, len(v)) + v for t, v in items)
    attrs = parse_attrs(data)
    assert [(a.type, a.value) for a in attrs] == items
    assert attrs.to_bytes() == data


AUTH_TYPES, ENCR_TYPES = list(AuthType), list(EncrType)


def _credential(ssid: bytes, key: bytes, mac: bytes, bits: int) -> Credential:
    return Credential(ssid, AUTH_TYPES[bits % 6], ENCR_TYPES[(bits >> 3) % 4], key, mac, (bits >> 5) & 0xFF,
                      None if bits & (1 << 13) else (bits >> 14) & 0xFF)


def _credentials(data: bytes) -> list[Credential]:
    creds, pos = [], 0
    while pos + 12 <= len(data) and len(creds) < 3:
        bits = int.from_bytes(data[pos : pos + 3], "big")
        ssid_len, key_len = 1 + data[pos + 3] % 32, data[pos + 4] % 65
        mac = data[pos + 5 : pos + 11]
        body = data[pos + 11 :]
        ssid, key = body[:ssid_len] or b"s", body[ssid_len : ssid_len + key_len]
        creds.append(_credential(ssid, key, mac, bits))
        pos += 11 + ssid_len + key_len
    return creds


@MANY
@given(st.binary(min_size=12, max_size=300))
def test_credentials_round_trip(data):
    creds = _credentials(data)
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


def _soup(data: bytes) -> bytes:
    """TLVs built from random bytes: a Version and a Message Type first, then attributes of known types with
    random values, so the random input reaches past the TLV walk into the message rules."""
    if len(data) < 2:
        return data
    out = tlv(0x104A, b"\x10") + tlv(0x1022, bytes([data[0] % 0x11]))
    pos = 1
    while pos < len(data):
        n = data[pos] % 40
        out += tlv(*_attr(data[pos - 1], data[pos + 1 : pos + 1 + n])) if data[pos] & 0x80 else data[pos:pos + 4]
        pos += n + 1
    return out


WSC_HEAD = b"\x00\x37\x2a\x00\x00\x00\x01"


def _eap_wsc(ident: int, wsc: bytes) -> bytes:
    eap = struct.pack(">BBHB", 1, ident, 5 + 7 + len(wsc), 254) + WSC_HEAD + wsc
    return struct.pack(">BBH", 2, 0, len(eap)) + eap


def _frames(data: bytes) -> list[WscFrame]:
    frames, pos = [], 0
    while pos + 3 <= len(data):
        op, flags, n = data[pos] % 8, data[pos + 1] % 4, data[pos + 2] % 64
        length = int.from_bytes(data[pos + 3 : pos + 5], "big") * (data[pos] >> 3) if flags & 2 else None
        frames.append(WscFrame(op, flags, length, data[pos + 3 : pos + 3 + n]))
        pos += 3 + n
    return frames




def _peer_mid_run() -> EapPeer:
    """A peer that has sent M1 and waits for M2: random input reaches the WSC session itself."""
    peer = EapPeer(Enrollee(EnrolleeConfig(STA, PIN)), IDENTITY_ENROLLEE)
    peer.receive(struct.pack(">BBHBBHB", 2, 0, 5, 1, 1, 5, 1))
    peer.receive(_eap_wsc(2, b"\x01\x00"))
    peer.frames_to_send()
    return peer


@MANY
@given(st.binary(max_size=500))
def test_every_parser_on_random_bytes(data):
    """One draw, every parser: 10^4 examples each, raising only ParseError (ProtocolError for read_message)."""
    soup = _soup(data)
    for parse, arg in ((parse_attrs, data), (parse_attrs, soup), (parse_eapol, data), (parse_eap, data),
                       (parse_wsc, data), (parse_wsc, WSC_HEAD + data), (parse_credentials, data),
                       (parse_credentials, tlv(0x100E, soup[:1000])), (parse_credentials, soup)):
        try:
            parse(arg)
        except ParseError:
            pass
    for arg in (data, soup):
        try:
            assert read_message(arg).raw == arg
        except (ParseError, ProtocolError):
            pass
    r = Reassembler(max_message=500, max_fragments=8)
    for frame in _frames(data):
        try:
            out = r.add(frame)
        except ParseError:
            assert not r.in_progress
            continue
        assert out is None or len(out) <= 500 or not frame.flags & 1
    peer = _peer_mid_run()
    peer.receive(data)  # raw bytes as an EAPOL PDU
    flags = data[1] % 4 if len(data) > 1 else 0
    peer.receive(_eap_wsc(data[0] if data else 0, bytes([4, flags]) + (b"\x01\x00" if flags & 2 else b"") + soup))
    peer.receive(_eap_wsc(3, bytes([data[0] % 8 if data else 4, 0]) + data))
    peer.frames_to_send()
    while peer.next_event() is not None:
        pass
