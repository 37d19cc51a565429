"""The TLV codec and the message reader: strict lengths, unknown attributes kept, WFA vendor extension."""

from __future__ import annotations

import pytest
from wps_helpers import tlv

from pywps.wps.attributes import build_attr, build_attrs, build_wfa_ext, parse_attrs, parse_wfa_subelems, version2_ext
from pywps.wps.defs import AttrType, MsgType
from pywps.wps.errors import ParseError, ProtocolError
from pywps.wps.messages import REQUIRED, build_closing, read_message

A = AttrType


def test_parse_keeps_order_duplicates_and_unknown_types():
    data = tlv(0x104A, b"\x10") + tlv(0x7777, b"odd") + tlv(0x1049, b"\x00\x11\x22xyz") + tlv(0x1049, b"\x00\x37\x2a")
    attrs = parse_attrs(data)
    assert [(a.type, a.value) for a in attrs] == [(0x104A, b"\x10"), (0x7777, b"odd"), (0x1049, b"\x00\x11\x22xyz"),
                                                  (0x1049, b"\x00\x37\x2a")]
    assert [a.offset for a in attrs] == [0, 5, 12, 22]
    assert attrs.get(0x1049) == b"\x00\x11\x22xyz" and attrs.count(0x1049) == 2
    assert attrs.to_bytes() == data
    assert 0x7777 in attrs and 0x1234 not in attrs


def test_build_attr_layout():
    assert build_attr(0x1045, b"ab") == b"\x10\x45\x00\x02ab"
    assert build_attrs([(0x104A, b"\x10"), (0x1022, b"\x04")]) == bytes.fromhex("104a000110" "1022000104")
    with pytest.raises(ValueError):
        build_attr(0x1045, bytes(0x10000))


@pytest.mark.parametrize("attr,length", [
    (A.VERSION, 0), (A.VERSION, 2), (A.MSG_TYPE, 2), (A.PUBLIC_KEY, 191), (A.PUBLIC_KEY, 193), (A.ENROLLEE_NONCE, 15),
    (A.AUTHENTICATOR, 7), (A.MAC_ADDR, 5), (A.UUID_E, 17), (A.E_HASH1, 31), (A.SSID, 33), (A.NETWORK_KEY, 65),
    (A.DEV_NAME, 33), (A.MANUFACTURER, 65), (A.ENCR_SETTINGS, 31), (A.VENDOR_EXT, 2),
])
def test_wrong_lengths_rejected(attr, length):
    with pytest.raises(ParseError) as info:
        parse_attrs(tlv(0x104A, b"\x10") + tlv(attr, bytes(length)))
    assert info.value.attr == attr and info.value.offset == 5


@pytest.mark.parametrize("attr,length", [(A.PUBLIC_KEY, 192), (A.SSID, 0), (A.SSID, 32), (A.NETWORK_KEY, 64),
                                         (A.MANUFACTURER, 64), (A.ENCR_SETTINGS, 32), (A.ENCR_SETTINGS, 400)])
def test_boundary_lengths_accepted(attr, length):
    assert parse_attrs(tlv(attr, bytes(length))).get(attr) == bytes(length)


@pytest.mark.parametrize("data", [b"\x10", b"\x10\x4a\x00", b"\x10\x4a\x00\x02\x10", tlv(0x104A, b"\x10") + b"\x10\x22"])
def test_truncated_rejected(data):
    with pytest.raises(ParseError):
        parse_attrs(data)


def test_wfa_vendor_extension():
    value = build_wfa_ext([(0x00, b"\x20"), (0x01, bytes(12)), (0x03, b"\x01")])
    assert value == bytes.fromhex("00372a" "000120" "010c" + "00" * 12 + "030101")
    assert parse_wfa_subelems(value[3:]) == {0: b"\x20", 1: bytes(12), 3: b"\x01"}
    assert version2_ext() == (0x1049, bytes.fromhex("00372a000120"))
    assert parse_attrs(tlv(0x1049, value)).wfa_ext()[0] == b"\x20"
    for bad in ("000220", "0001", "0105" + "00" * 5, "0100", "000320"):
        with pytest.raises(ParseError):
            parse_attrs(tlv(0x1049, bytes.fromhex("00372a" + bad)))
    # Other vendors' extensions are opaque.
    assert parse_attrs(tlv(0x1049, bytes.fromhex("0050f2" "ff"))).wfa_ext() == {}


def _closing(msg_type: MsgType) -> bytes:
    return build_closing(msg_type, bytes(16), bytes(range(16)), 18)


def test_read_message_closing_messages():
    msg = read_message(_closing(MsgType.WSC_NACK))
    assert msg.type is MsgType.WSC_NACK and msg.attrs.require_int(A.CONFIG_ERROR) == 18
    assert msg.raw == _closing(MsgType.WSC_NACK)
    assert read_message(_closing(MsgType.WSC_DONE)).type is MsgType.WSC_DONE


def test_read_message_rejects():
    done = _closing(MsgType.WSC_DONE)
    with pytest.raises(ParseError):  # no Version
        read_message(done[5:])
    with pytest.raises(ParseError):  # no Message Type
        read_message(tlv(0x104A, b"\x10"))
    with pytest.raises(ParseError):  # unknown type
        read_message(tlv(0x104A, b"\x10") + tlv(0x1022, b"\x55"))
    with pytest.raises(ParseError):  # a beacon is not a registration message
        read_message(tlv(0x104A, b"\x10") + tlv(0x1022, b"\x01"))
    with pytest.raises(ProtocolError):  # lacks Registrar Nonce
        read_message(tlv(0x104A, b"\x10") + tlv(0x1022, b"\x0f") + tlv(0x101A, bytes(16)))
    with pytest.raises(ProtocolError):  # repeats Enrollee Nonce
        read_message(done + tlv(0x101A, bytes(16)))
    m3 = (tlv(0x104A, b"\x10") + tlv(0x1022, b"\x07") + tlv(0x1039, bytes(16)) + tlv(0x1014, bytes(32))
          + tlv(0x1015, bytes(32)))
    assert read_message(m3 + tlv(0x1005, bytes(8))).type is MsgType.M3
    with pytest.raises(ProtocolError):  # Authenticator not last
        read_message(m3[:5 + 5 + 20] + tlv(0x1005, bytes(8)) + m3[30:])


def test_required_table_covers_every_registration_message():
    assert set(REQUIRED) == {MsgType.M1, MsgType.M2, MsgType.M2D, MsgType.M3, MsgType.M4, MsgType.M5, MsgType.M6,
                             MsgType.M7, MsgType.M8, MsgType.WSC_ACK, MsgType.WSC_NACK, MsgType.WSC_DONE}
    for t in (MsgType.M2, MsgType.M3, MsgType.M4, MsgType.M5, MsgType.M6, MsgType.M7, MsgType.M8):
        assert A.AUTHENTICATOR in REQUIRED[t]
