"""EAPOL-Key frames and Key Data: layout against a captured frame, strict parsing, round trips, KDEs."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywps.wpa.eapol_key import (
    DescriptorType,
    EapolKey,
    KeyInfo,
    build_gtk_kde,
    pad_key_data,
    parse_eapol_key,
    parse_key_data,
)
from pywps.wpa.errors import KeyDataOverflow, KeyFrameError

# A captured message 2 of 4 (hashcat's mode 22000 example; see test_wpa_keys.py) with its MIC zeroed.
CAPTURED = bytes.fromhex(
    "0103007502010a0000000000000000000148ce2ccba9c1fda130ff2fbbfb4fd3b063d1a93920b0f7df54a5cbf787b16171"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "001630140100000fac040100000fac040100000fac028000"
)


def test_fields_of_a_captured_frame():
    frame = parse_eapol_key(CAPTURED)
    assert frame.version == 1
    assert frame.descriptor_type == DescriptorType.RSN
    assert frame.key_info == KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.PAIRWISE | KeyInfo.MIC  # 0x010a
    assert (frame.descriptor_version, frame.key_index, frame.key_length, frame.replay_counter) == (2, 0, 0, 1)
    assert frame.nonce.hex() == "48ce2ccba9c1fda130ff2fbbfb4fd3b063d1a93920b0f7df54a5cbf787b16171"
    assert frame.iv == bytes(16) and frame.rsc == bytes(8) and frame.mic == bytes(16)
    assert frame.key_data.hex() == "30140100000fac040100000fac040100000fac028000"
    assert frame.to_bytes() == CAPTURED  # building writes the same layout
    assert parse_eapol_key(CAPTURED + b"\x00" * 10).key_data == frame.key_data  # Ethernet padding is ignored


def body_with(**changes: int) -> bytes:
    """The captured frame with one field rewritten by offset, independent of the code under test."""
    raw = bytearray(CAPTURED)
    for name, value in changes.items():
        if name == "eapol_type":
            raw[1] = value
        elif name == "eapol_length":
            raw[2:4] = struct.pack(">H", value)
        elif name == "descriptor":
            raw[4] = value
        elif name == "key_data_length":
            raw[97:99] = struct.pack(">H", value)
    return bytes(raw)


@pytest.mark.parametrize(
    ("pdu", "reason"),
    [
        (b"", "EAPOL frame of 0 bytes"),
        (CAPTURED[:3], "EAPOL frame of 3 bytes"),
        (body_with(eapol_type=0), "type 0 is not EAPOL-Key"),
        (body_with(eapol_length=200), "exceeds"),
        (body_with(eapol_length=94), "at least 95"),
        (CAPTURED[:60], "exceeds"),
        (body_with(descriptor=1), "descriptor type 1"),
        (body_with(key_data_length=23), "Key Data Length 23 runs past the 22 bytes"),
        (body_with(key_data_length=0xFFFF), "runs past"),
    ],
)
def test_parse_errors_name_the_problem(pdu, reason):
    with pytest.raises(KeyFrameError, match=reason):
        parse_eapol_key(pdu)


def test_an_overflowing_key_data_length_says_both_lengths_and_a_short_one_ends_the_key_data():
    """hostap's wpa_sm_rx_eapol says "key_data overflow (%u > %u)" of a Key Data Length over the bytes there, and
    reads only Key Data Length bytes of key data when there are more (the MIC covers the whole frame still)."""
    with pytest.raises(KeyDataOverflow) as raised:
        parse_eapol_key(body_with(key_data_length=30))
    assert (raised.value.length, raised.value.room) == (30, 22)
    frame = parse_eapol_key(body_with(key_data_length=21))
    assert frame.key_data == CAPTURED[-22:-1] and frame.mic_input()[-22:] == CAPTURED[-22:]


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_parse_error(data):
    try:
        frame = parse_eapol_key(data)
    except KeyFrameError:
        return
    assert frame.to_bytes() == data[: 4 + struct.unpack(">H", data[2:4])[0]]


frames = st.builds(
    EapolKey,
    descriptor_type=st.sampled_from([DescriptorType.RSN, DescriptorType.WPA]),
    key_info=st.integers(0, 0xFFFF).map(KeyInfo),
    key_length=st.integers(0, 0xFFFF),
    replay_counter=st.integers(0, 2**64 - 1),
    nonce=st.binary(min_size=32, max_size=32),
    iv=st.binary(min_size=16, max_size=16),
    rsc=st.binary(min_size=8, max_size=8),
    mic=st.binary(min_size=16, max_size=16),
    key_data=st.binary(max_size=200),
    version=st.integers(1, 3),
)


@given(frames)
def test_build_parse_round_trip(frame):
    pdu = frame.to_bytes()
    again = parse_eapol_key(pdu)
    assert again == frame
    assert again.raw == pdu
    # The MIC input is the PDU with bytes 81..96 zeroed, whatever the MIC was.
    assert again.mic_input() == pdu[:81] + bytes(16) + pdu[97:]
    assert frame.with_mic(bytes(16)).to_bytes() == again.mic_input()


def test_key_data_elements_kdes_and_padding():
    rsn_ie = bytes.fromhex("30140100000fac040100000fac040100000fac020000")
    gtk = bytes(range(16))
    plain = rsn_ie + build_gtk_kde(2, gtk, tx=True)
    assert build_gtk_kde(2, gtk, tx=True) == bytes.fromhex("dd16000fac01" "0600") + gtk  # KeyID 2, Tx bit 2
    padded = pad_key_data(plain)
    assert len(padded) % 8 == 0 and padded[len(plain)] == 0xDD and not any(padded[len(plain) + 1 :])
    data = parse_key_data(padded)
    assert data.rsn_ie == rsn_ie and data.wpa_ie is None
    kde = data.gtk()
    assert (kde.key_id, kde.tx, kde.gtk) == (2, True, gtk)
    assert gtk.hex() not in repr(kde)
    # A lone 0xdd at the very end is padding as well (hostap's rule).
    assert parse_key_data(rsn_ie + b"\xdd").rsn_ie == rsn_ie
    assert pad_key_data(b"") == b"\xdd" + bytes(15)
    assert pad_key_data(bytes(16)) == bytes(16)
    assert len(pad_key_data(bytes(17))) == 24


def test_wpa_element_in_key_data():
    wpa_ie = bytes.fromhex("dd160050f20101000050f20201000050f20201000050f202")
    assert parse_key_data(wpa_ie).wpa_ie == wpa_ie
    assert parse_key_data(wpa_ie).gtk() is None


def test_an_element_that_overruns_the_key_data_is_an_error():
    with pytest.raises(KeyFrameError, match="overruns"):
        parse_key_data(bytes.fromhex("3014") + bytes(10))


def test_key_data_is_read_as_hostap_reads_it():
    """wpa_parse_kde_ies: a last byte alone is no element, nothing after the padding's 0xdd 00 is read, a later
    element or KDE replaces an earlier one, and a GTK, IGTK or BIGTK KDE of 2 data bytes or fewer is skipped."""
    gtk_kde = bytes.fromhex("dd16000fac010100") + bytes(range(16))
    assert parse_key_data(gtk_kde + b"\x30").gtk().gtk == bytes(range(16))
    assert parse_key_data(gtk_kde + bytes.fromhex("dd00ff3003")).gtk().gtk == bytes(range(16))
    later = bytes.fromhex("dd16000fac010200") + bytes(16)
    assert parse_key_data(gtk_kde + later).gtk().key_id == 2
    short = bytes.fromhex("dd06000fac010100")
    assert parse_key_data(gtk_kde + short).gtk().key_id == 1 and parse_key_data(short).gtk() is None
    rsn_1, rsn_2 = bytes.fromhex("300101"), bytes.fromhex("300102")
    assert parse_key_data(rsn_1 + rsn_2).rsn_ie == rsn_2


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=120))
def test_key_data_parser_raises_only_parse_error(data):
    try:
        parsed = parse_key_data(data)
        parsed.gtk()
    except KeyFrameError:
        return
    assert all(e[1] == len(e) - 2 for e in parsed.elements)
