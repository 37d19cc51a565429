"""EAPOL, EAP and EAP-WSC framing, fragmentation and reassembly, and the two EAP ends of a WPS run.

`EapPeer` is what pywps runs (the supplicant side, as wpa_supplicant does for both `wps_pin` and `wps_reg`);
`EapAuthenticator` is the other side (what hostapd runs), used by the in-process tests and the rogue peers.
Both only shovel EAPOL PDUs (version, type, length, body) in and out; the driver adds the Ethernet header.
"""

from __future__ import annotations

import struct
from collections import deque
from enum import IntEnum
from typing import NamedTuple

from .defs import WFA_VENDOR_ID, MsgType, WscOpCode, members
from .errors import ParseError
from .events import (  # noqa: F401 - the EAP events are this module's vocabulary, defined with the others
    EapFailureReceived,
    EapMethodProposed,
    EapMethodRefused,
    EapStarted,
    EapSuccessReceived,
    Failure,
    MessageDropped,
    WpsEvent,
)
from .protocol import Step
from .session import Outgoing, RegistrationSession

IDENTITY_ENROLLEE = "WFA-SimpleConfig-Enrollee-1-0"
IDENTITY_REGISTRAR = "WFA-SimpleConfig-Registrar-1-0"
EAP_TYPE_IDENTITY = 1
EAP_TYPE_NAK = 3
EAP_VENDOR_IETF = b"\x00\x00\x00"
EXPANDED_NAK = EAP_VENDOR_IETF + struct.pack(">I", EAP_TYPE_NAK)  # RFC 3748 5.3.2, after the type byte 254
EAP_TYPE_EXPANDED = 254
WSC_VENDOR_TYPE = 1
FLAG_MF = 0x01  # more fragments
FLAG_LF = 0x02  # length field present
DEFAULT_FRAGMENT_SIZE = 1398  # what wpa_supplicant announces
MAX_MESSAGE = 65536  # reassembly cap: no WSC message comes close, so a larger claim is hostile
MAX_FRAGMENTS = 256


class EapolType(IntEnum):
    EAP_PACKET = 0
    START = 1
    LOGOFF = 2
    KEY = 3


class EapCode(IntEnum):
    REQUEST = 1
    RESPONSE = 2
    SUCCESS = 3
    FAILURE = 4


# The members as plain class attributes (defs.members): every frame compares codes and op-codes.
_Code = members(EapCode)
_Eapol = members(EapolType)
_Op = members(WscOpCode)
_Step = members(Step)


# -- framing ------------------------------------------------------------------------------------------------


# The three headers below are tuples rather than frozen dataclasses: every frame of a run builds them.
_HEADER = struct.Struct(">BBH")  # EAPOL (version, type, length) and EAP (code, id, length) alike
_unpack_header = _HEADER.unpack_from
_pack_header = _HEADER.pack
_pack_eapol_eap = struct.Struct(">BBHBBH").pack  # EAPOL-Packet carrying EAP Success/Failure
_pack_eapol_eap_type = struct.Struct(">BBHBBHB").pack  # EAPOL-Packet carrying an EAP Request/Response
_new = tuple.__new__


class Eapol(NamedTuple):
    version: int
    type: int
    body: bytes


def parse_eapol(pdu: bytes) -> Eapol:
    if len(pdu) < 4:
        raise ParseError(f"EAPOL frame of {len(pdu)} bytes")
    version, ptype, length = _unpack_header(pdu)
    if length > len(pdu) - 4:
        raise ParseError(f"EAPOL length {length} exceeds the {len(pdu) - 4} bytes present")
    return _new(Eapol, (version, ptype, pdu[4 : 4 + length]))  # Ethernet padding after `length` is ignored


def build_eapol(ptype: int, body: bytes = b"", version: int = 2) -> bytes:
    return _pack_header(version, ptype, len(body)) + body


class EapPacket(NamedTuple):
    code: int
    id: int
    type: int | None  # None for Success/Failure
    data: bytes  # after the type byte


def parse_eap(body: bytes) -> EapPacket:
    if len(body) < 4:
        raise ParseError(f"EAP packet of {len(body)} bytes")
    code, ident, length = _unpack_header(body)
    if length < 4 or length > len(body):
        raise ParseError(f"EAP length {length} does not fit the {len(body)} bytes present")
    if code not in (1, 2, 3, 4):
        raise ParseError(f"unknown EAP code {code}")
    if code >= 3:  # Success, Failure
        return _new(EapPacket, (code, ident, None, b""))
    if length < 5:
        raise ParseError("EAP request/response without a type")
    return _new(EapPacket, (code, ident, body[4], body[5:length]))


def build_eap(code: int, ident: int, eap_type: int | None = None, data: bytes = b"") -> bytes:
    if eap_type is None:
        return _pack_header(code, ident, 4)
    return _pack_header(code, ident, 5 + len(data)) + bytes((eap_type,)) + data


class WscFrame(NamedTuple):
    op: int
    flags: int
    message_length: int | None
    data: bytes


WSC_EXPANDED_HEADER = WFA_VENDOR_ID + struct.pack(">I", WSC_VENDOR_TYPE)
_OPCODES: dict[int, WscOpCode] = {int(op): op for op in WscOpCode}  # WscOpCode(n) is a slow Enum call


def parse_wsc(data: bytes) -> WscFrame:
    """`data` follows the EAP type byte 254: vendor id, vendor type, op-code, flags, [length], payload."""
    if len(data) < 9 or data[:7] != WSC_EXPANDED_HEADER:
        raise ParseError("not an EAP-WSC expanded-type packet")
    op, flags = data[7], data[8]
    pos = 9
    length = None
    if flags & FLAG_LF:
        if len(data) < 11:
            raise ParseError("EAP-WSC Length Field missing")
        length = (data[9] << 8) | data[10]
        pos = 11
    return _new(WscFrame, (op, flags, length, data[pos:]))


def build_wsc(op: int, flags: int = 0, payload: bytes = b"", message_length: int | None = None) -> bytes:
    if flags & FLAG_LF:
        return WSC_EXPANDED_HEADER + bytes((op, flags)) + (message_length or 0).to_bytes(2, "big") + payload
    return WSC_EXPANDED_HEADER + bytes((op, flags)) + payload


def fragments(op: int, message: bytes, fragment_size: int) -> list[bytes]:
    """Split one WSC message into EAP-WSC payloads (the data after the EAP type byte).

    `fragment_size` bounds op-code + flags + length field + data, as in hostap's eap_wsc_build_msg.
    """
    if 2 + len(message) <= fragment_size:
        return [build_wsc(op, 0, message)]
    out = []
    pos = 0
    while pos < len(message):
        first = pos == 0
        room = fragment_size - 2 - (2 if first else 0)
        chunk = message[pos : pos + room]
        pos += len(chunk)
        flags = (FLAG_MF if pos < len(message) else 0) | (FLAG_LF if first else 0)
        out.append(build_wsc(op, flags, chunk, len(message) if first else None))
    return out


class Reassembler:
    """Collects MF fragments into one message, refusing claims past `max_message` or too many pieces."""

    def __init__(self, max_message: int = MAX_MESSAGE, max_fragments: int = MAX_FRAGMENTS) -> None:
        self.max_message = max_message
        self.max_fragments = max_fragments
        self.reset()

    def reset(self) -> None:
        self._op: int | None = None
        self._expected = 0
        self._buf = bytearray()
        self._count = 0

    @property
    def in_progress(self) -> bool:
        return self._op is not None

    def add(self, frame: WscFrame) -> bytes | None:
        """Feed one frame; the whole message when it is complete, None while more fragments are due."""
        if self._op is None:
            if not frame.flags & FLAG_MF:
                return frame.data
            if frame.message_length is None:
                raise ParseError("first fragment without a Message Length")
            if frame.message_length > self.max_message or frame.message_length < len(frame.data):
                raise ParseError(f"Message Length {frame.message_length} refused")
            self._op, self._expected = frame.op, frame.message_length
        elif frame.op != self._op:
            self.reset()
            raise ParseError(f"op-code {frame.op} in the middle of a fragmented op-code {self._op} message")
        self._buf += frame.data
        self._count += 1
        if len(self._buf) > self._expected or self._count > self.max_fragments:
            self.reset()
            raise ParseError("fragments exceed the announced Message Length or the fragment limit")
        if frame.flags & FLAG_MF:
            return None
        message = bytes(self._buf)
        complete = len(message) == self._expected
        self.reset()
        if not complete:
            raise ParseError("last fragment arrived before the announced Message Length")
        return message


# -- events of the EAP layer: defined with the core's other events (pywps.wps.events), named here too ------------

class _WscEndpoint:
    """Shared by both EAP ends: the WPS session, reassembly, our pending fragments, events."""

    def __init__(self, session: RegistrationSession | None, fragment_size: int, eapol_version: int, max_message: int) -> None:
        self.session = session
        self.fragment_size = max(fragment_size, 16)
        self.eapol_version = eapol_version
        self.reassembler = Reassembler(max_message)
        self._pending: deque[bytes] = deque()  # EAP-WSC payloads of our message still to send
        self._frames: list[bytes] = []
        self._events: deque[WpsEvent] = deque()
        self.finished = False

    def frames_to_send(self) -> list[bytes]:
        frames, self._frames = self._frames, []
        return frames

    def next_event(self) -> WpsEvent | None:
        return self._events.popleft() if self._events else None

    def _drain_session_events(self) -> None:
        """Move the session's events into ours, so both layers' events keep their order."""
        if self.session is not None:
            events = self.session._events  # one transfer, not a next_event() call per event
            if events:
                self._events.extend(events)
                events.clear()

    def _queue(self, out: Outgoing | None) -> None:
        """Take the session's reply for sending."""
        self._drain_session_events()
        self._pending.clear()
        if out is not None:
            op, body = out[0], out[1]
            if len(body) + 2 <= self.fragment_size:  # the usual case: one frame
                self._pending.append(WSC_EXPANDED_HEADER + bytes((op, 0)) + body)
            else:
                self._pending.extend(fragments(op, body, self.fragment_size))

    def _send_eap(self, code: int, ident: int, eap_type: int | None = None, data: bytes = b"") -> None:
        if eap_type is None:
            self._frames.append(_pack_eapol_eap(self.eapol_version, 0, 4, code, ident, 4))
        else:  # EAPOL and EAP headers in one pack: every frame of a run goes through here
            n = 5 + len(data)
            self._frames.append(_pack_eapol_eap_type(self.eapol_version, 0, n, code, ident, n, eap_type) + data)

    def _drop(self, reason: str) -> None:
        self._events.append(MessageDropped(reason))

    def _read_wsc(self, packet: EapPacket) -> WscFrame | None:
        try:
            return parse_wsc(packet.data)
        except ParseError as e:
            self._drop(str(e))
            return None

    def _take_wsc(self, frame: WscFrame) -> bytes | None | bool:
        """Feed a received EAP-WSC frame through reassembly. Returns the message, None if a fragment was
        stored (the caller acknowledges it), or False if the frame was dropped."""
        try:
            return self.reassembler.add(frame)
        except ParseError as e:
            self._drop(f"EAP-WSC reassembly: {e}")
            return False


class EapPeer(_WscEndpoint):
    """The supplicant side of a WPS run. Feed it EAPOL PDUs; it answers and forwards WSC messages.

    Without a session the WSC method cannot start (`refusal` says why): a proposal of EAP-WSC gets an expanded
    Nak naming no other method, as wpa_supplicant's does when eap_wsc_init fails."""

    def __init__(
        self,
        session: RegistrationSession | None,
        identity: str | bytes,
        fragment_size: int = DEFAULT_FRAGMENT_SIZE,
        eapol_version: int = 1,
        max_message: int = MAX_MESSAGE,
        refusal: str = "",
    ) -> None:
        super().__init__(session, fragment_size, eapol_version, max_message)
        self.identity = identity.encode() if isinstance(identity, str) else identity
        self.refusal = refusal
        self.started = False
        self._last_request: tuple[int, bytes] | None = None
        self._last_response: bytes | None = None

    def start(self) -> None:
        """Queue EAPOL-Start (the authenticator answers with EAP-Request/Identity)."""
        self._frames.append(build_eapol(_Eapol.START, b"", self.eapol_version))

    def logoff(self) -> None:
        self._frames.append(build_eapol(_Eapol.LOGOFF, b"", self.eapol_version))

    def receive(self, pdu: bytes) -> None:
        try:
            eapol = parse_eapol(pdu)
            if eapol.type != _Eapol.EAP_PACKET:
                return  # EAPOL-Key and others belong to other layers
            packet = parse_eap(eapol.body)
        except ParseError as e:
            self._drop(f"bad EAPOL/EAP frame: {e}")
            return
        if packet.code == _Code.FAILURE:
            self.finished = True
            self._events.append(EapFailureReceived())
            return
        if packet.code == _Code.SUCCESS:
            self._events.append(EapSuccessReceived())
            return
        if packet.code != _Code.REQUEST:
            return
        if self._last_request == (packet.id, eapol.body) and self._last_response is not None:
            self._frames.append(self._last_response)  # a retransmitted request gets the same answer
            return
        if not self.started:
            self.started = True
            self._events.append(EapStarted())
        before = len(self._frames)
        self._on_request(packet)
        if len(self._frames) > before:
            self._last_request = (packet.id, eapol.body)
            self._last_response = self._frames[-1]

    def _on_request(self, packet: EapPacket) -> None:
        if packet.type == EAP_TYPE_IDENTITY:
            self._send_eap(_Code.RESPONSE, packet.id, EAP_TYPE_IDENTITY, self.identity)
            return
        if packet.type != EAP_TYPE_EXPANDED:
            self._send_eap(_Code.RESPONSE, packet.id, EAP_TYPE_NAK, bytes([EAP_TYPE_EXPANDED]))
            return
        if self.session is None:
            self._refuse(packet)
            return
        frame = self._read_wsc(packet)
        if frame is None:
            return
        if frame.op == _Op.FRAG_ACK:
            if self._pending:
                self._send_eap(_Code.RESPONSE, packet.id, EAP_TYPE_EXPANDED, self._pending.popleft())
            else:
                self._drop("FRAG_ACK with nothing pending")
            return
        if frame.op == _Op.START:
            if self.session.step is not _Step.START or not hasattr(self.session, "start"):  # only an Enrollee starts
                self._drop("WSC_Start in the middle of a run")
                return
            self._events.append(EapMethodProposed())
            self._queue(self.session.start())
        else:
            op = _OPCODES.get(frame.op)
            if op is None:
                self._drop(f"unknown EAP-WSC op-code {frame.op}")
                return
            message = self._take_wsc(frame)
            if message is False:
                return
            if message is None:
                self._send_eap(_Code.RESPONSE, packet.id, EAP_TYPE_EXPANDED, build_wsc(_Op.FRAG_ACK))
                return
            if self.session.step is _Step.START:
                self._events.append(EapMethodProposed())
            self._queue(self.session.receive(op, message))
        if self._pending:
            self._send_eap(_Code.RESPONSE, packet.id, EAP_TYPE_EXPANDED, self._pending.popleft())


    def _refuse(self, packet: EapPacket) -> None:
        """RFC 3748 5.3.2's expanded Nak: our only method is the one refused, so it lists none (vendor 0,
        type 0), as wpa_supplicant's eap_sm_build_expanded_nak does then."""
        self._events.append(EapMethodRefused(self.refusal))
        none = bytes((EAP_TYPE_EXPANDED,)) + EAP_VENDOR_IETF + struct.pack(">I", 0)
        self._send_eap(_Code.RESPONSE, packet.id, EAP_TYPE_EXPANDED, EXPANDED_NAK + none)


class EapAuthenticator(_WscEndpoint):
    """The authenticator side (hostapd's role): picks the WPS role from the peer's identity.

    `registrar_factory` serves `WFA-SimpleConfig-Enrollee-1-0` peers, `enrollee_factory` (an AP enrollee)
    serves `WFA-SimpleConfig-Registrar-1-0` peers.
    """

    def __init__(
        self,
        registrar_factory=None,
        enrollee_factory=None,
        fragment_size: int = DEFAULT_FRAGMENT_SIZE,
        eapol_version: int = 2,
        max_message: int = MAX_MESSAGE,
    ) -> None:
        super().__init__(None, fragment_size, eapol_version, max_message)
        self._registrar_factory = registrar_factory
        self._enrollee_factory = enrollee_factory
        self._id = 0

    def _next_id(self) -> int:
        self._id = (self._id + 1) & 0xFF
        return self._id

    def _request(self, payload: bytes) -> None:
        self._send_eap(_Code.REQUEST, self._next_id(), EAP_TYPE_EXPANDED, payload)

    def _finish(self) -> None:
        self._drain_session_events()
        self.finished = True
        self._send_eap(_Code.FAILURE, self._id)

    def receive(self, pdu: bytes) -> None:
        if self.finished:
            return
        try:
            eapol = parse_eapol(pdu)
            if eapol.type == _Eapol.START:
                self._send_eap(_Code.REQUEST, self._next_id(), EAP_TYPE_IDENTITY)
                return
            if eapol.type != _Eapol.EAP_PACKET:
                return
            packet = parse_eap(eapol.body)
        except ParseError as e:
            self._drop(f"bad EAPOL/EAP frame: {e}")
            return
        if packet.code != _Code.RESPONSE or packet.id != self._id:
            self._drop("unexpected EAP packet")
            return
        if packet.type == EAP_TYPE_IDENTITY:
            self._on_identity(packet.data.decode("utf-8", "replace"))
            return
        if packet.type != EAP_TYPE_EXPANDED or self.session is None or packet.data[:7] == EXPANDED_NAK:
            self._finish()  # a Nak (legacy or expanded): no other method to offer, as hostapd ends it
            return
        frame = self._read_wsc(packet)
        if frame is None:
            return
        if frame.op == _Op.FRAG_ACK:
            if self._pending:
                self._request(self._pending.popleft())
            return
        message = self._take_wsc(frame)
        if message is False:
            return
        if message is None:
            self._request(build_wsc(_Op.FRAG_ACK))
            return
        op = _OPCODES.get(frame.op)
        if op is None:
            self._drop(f"unknown EAP-WSC op-code {frame.op}")
            return
        out = self.session.receive(op, message)
        if out is None or op is _Op.NACK:
            # Nothing more to say, or the peer gave up: EAP-Failure ends every WPS run (as in hostapd).
            self._finish()
            return
        self._queue(out)
        self._request(self._pending.popleft())

    def _on_identity(self, identity: str) -> None:
        if identity == IDENTITY_ENROLLEE and self._registrar_factory is not None:
            self.session = self._registrar_factory()
            self._request(build_wsc(_Op.START))
        elif identity == IDENTITY_REGISTRAR and self._enrollee_factory is not None:
            self.session = self._enrollee_factory()
            self._queue(self.session.start())
            self._request(self._pending.popleft())
        else:
            self._events.append(Failure(MsgType.M1, 0, description=f"unknown EAP identity {identity!r}"))
            self._finish()
