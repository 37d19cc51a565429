"""A hostile authenticator/registrar on a wired link, built with scapy: `rogue.py IFACE CASE`.

It speaks just enough EAPOL/EAP-WSC to take an enrollee (pywps) to a chosen state, then misbehaves as CASE
says. Message-level cases reuse pywps's own Registrar for the cryptography and corrupt what it sends; frame-
level cases build their EAPOL/EAP frames with scapy layers. Runs inside the AP's network namespace; prints
one JSON line: the message types it received and what it did.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable

from scapy.all import EAP, EAPOL, Ether, Raw  # noqa: F401 - the layers are the point
from scapy.arch.linux import L2Socket

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

from pywps.wps import crypto  # noqa: E402
from pywps.wps.credential import Credential  # noqa: E402
from pywps.wps.defs import AuthType, EncrType, MsgType, WscOpCode  # noqa: E402
from pywps.wps.device import DeviceInfo  # noqa: E402
from pywps.wps.eap import EapAuthenticator, build_wsc, parse_eap, parse_eapol, parse_wsc  # noqa: E402
from pywps.wps.registrar import Registrar, RegistrarConfig  # noqa: E402
from pywps.wps.session import Outgoing  # noqa: E402

ETH_P_PAE = 0x888E
AP = DeviceInfo(uuid=bytes(range(1, 17)), mac_address=bytes.fromhex("020000000100"), device_name=b"rogue")
GOOD = Credential(b"rogue-net", AuthType.WPA2PSK, EncrType.AES, b"12345678")
received: list[str] = []


class Rogue(Registrar):
    """A registrar whose outgoing messages pass through `mutate` (after the Authenticator is appended)."""

    mutate: Callable[[Rogue, Outgoing], Outgoing] = staticmethod(lambda self, out: out)

    def send(self, msg_type: MsgType, body: bytes) -> Outgoing:
        return self.mutate(self, super().send(msg_type, body))

    def handle(self, msg):
        received.append(msg.type.name)
        return super().handle(msg)


def flip_last(target: MsgType):
    def mutate(self, out: Outgoing) -> Outgoing:
        if out.msg_type is target:
            return Outgoing(out.op, out.body[:-1] + bytes([out.body[-1] ^ 1]), out.msg_type)
        return out
    return mutate


def replace_public_key(y: int):
    def mutate(self, out: Outgoing) -> Outgoing:
        if out.msg_type is MsgType.M2:
            return Outgoing(out.op, out.body.replace(self.dh.public, y.to_bytes(192, "big")), out.msg_type)
        return out
    return mutate


def rewrite_m2(fn: Callable[[bytes], bytes]):
    def mutate(self, out: Outgoing) -> Outgoing:
        return Outgoing(out.op, fn(out.body), out.msg_type) if out.msg_type is MsgType.M2 else out
    return mutate


def m4_as_m6(self, out: Outgoing) -> Outgoing:
    if out.msg_type is MsgType.M4:  # M6's type on M4's body: an M6 where M4 is due
        return Outgoing(out.op, out.body.replace(b"\x10\x22\x00\x01\x08", b"\x10\x22\x00\x01\x0a"), out.msg_type)
    return out


def replay_m4(self, out: Outgoing) -> Outgoing:
    if out.msg_type is MsgType.M4:
        self.saved_m4 = out
    if out.msg_type is MsgType.M6:
        return self.saved_m4  # M4 again where M6 is due
    return out


class BadKwa(Rogue):
    def encrypt(self, settings: bytes) -> bytes:
        return crypto.encrypt_settings(crypto.SessionKeys(b"\x00" * 32, self.keys.key_wrap_key, self.keys.emsk), settings)


def tlv(t: int, v: bytes) -> bytes:
    return t.to_bytes(2, "big") + len(v).to_bytes(2, "big") + v


def duplicate_nonce(body: bytes) -> bytes:
    pos = body.find(b"\x10\x39\x00\x10")
    return body[: pos + 20] + body[pos : pos + 20] + body[pos + 20 :]


def drop_uuid_r(body: bytes) -> bytes:
    pos = body.find(b"\x10\x48\x00\x10")
    return body[:pos] + body[pos + 20 :]


def length_past_end(body: bytes) -> bytes:
    # The Authenticator TLV (last) claims 200 bytes: the message cannot be read.
    return body[:-10] + b"\x00\xc8" + body[-8:]


def credential_case(ssid: bytes, key: bytes):
    return {"credentials": (Credential(ssid, AuthType.WPA2PSK, EncrType.AES, key),)}


# name -> (registrar class, mutate, registrar password, config extras)
MESSAGE_CASES: dict[str, tuple] = {
    "wrong_auth_m2": (Rogue, flip_last(MsgType.M2), b"12345670", {}),
    "wrong_auth_m4": (Rogue, flip_last(MsgType.M4), b"12345670", {}),
    "wrong_auth_m6": (Rogue, flip_last(MsgType.M6), b"12345670", {}),
    "wrong_auth_m8": (Rogue, flip_last(MsgType.M8), b"12345670", {}),
    "wrong_kwa": (BadKwa, None, b"12345670", {}),
    "unknown_pin": (Rogue, None, b"99995670", {}),
    "pk_0": (Rogue, replace_public_key(0), b"12345670", {}),
    "pk_1": (Rogue, replace_public_key(1), b"12345670", {}),
    "pk_p_minus_1": (Rogue, replace_public_key(crypto.DH_P - 1), b"12345670", {}),
    "replay_m4": (Rogue, replay_m4, b"12345670", {}),
    "m6_before_m4": (Rogue, m4_as_m6, b"12345670", {}),
    "duplicate_attr": (Rogue, rewrite_m2(duplicate_nonce), b"12345670", {}),
    "missing_attr": (Rogue, rewrite_m2(drop_uuid_r), b"12345670", {}),
    "length_past_end": (Rogue, rewrite_m2(length_past_end), b"12345670", {}),
    "ssid_newline": (Rogue, None, b"12345670", credential_case(b'evil\nnetwork={\n\tssid="x"\n}', b"12345678")),
    "ssid_quote": (Rogue, None, b"12345670", credential_case(b'a"b', b"12345678")),
    "ssid_backslash": (Rogue, None, b"12345670", credential_case(b"a\\b", b"12345678")),
    "ssid_nul": (Rogue, None, b"12345670", credential_case(b"a\x00b", b"12345678")),
    "ssid_33": (Rogue, None, b"12345670", credential_case(b"s" * 33, b"12345678")),
    "key_7": (Rogue, None, b"12345670", credential_case(b"net", b"1234567")),
    "key_65": (Rogue, None, b"12345670", credential_case(b"net", b"k" * 65)),
    "good": (Rogue, None, b"12345670", {}),
}


class Link:
    def __init__(self, iface: str) -> None:
        self.sock = L2Socket(iface=iface, type=ETH_P_PAE)
        self.sock.ins.settimeout(0.2)
        self.own = bytes.fromhex(open(f"/sys/class/net/{iface}/address").read().strip().replace(":", ""))
        self.peer: bytes | None = None

    def recv(self) -> bytes | None:
        """The next EAPOL PDU from the station (None after a quiet 0.2 s)."""
        try:
            pkt = self.sock.recv()
        except (TimeoutError, OSError):
            return None
        if pkt is None or Ether not in pkt or pkt[Ether].type != ETH_P_PAE:
            return None
        src = bytes.fromhex(pkt[Ether].src.replace(":", ""))
        if src == self.own:
            return None
        self.peer = src
        return bytes(pkt[Ether].payload)

    def send(self, pdu) -> None:
        dst = ":".join(f"{b:02x}" for b in (self.peer or bytes.fromhex("0180c2000003")))
        src = ":".join(f"{b:02x}" for b in self.own)
        frame = Ether(dst=dst, src=src, type=ETH_P_PAE) / (pdu if not isinstance(pdu, bytes) else Raw(pdu))
        self.sock.send(frame)


def run_message_case(link: Link, name: str, seconds: float) -> dict:
    cls, mutate, password, extras = MESSAGE_CASES[name]
    config = RegistrarConfig(AP, password, enrollee_is_ap=False, credentials=extras.get("credentials", (GOOD,)))

    def factory() -> Registrar:
        registrar = cls(config)
        if mutate is not None:
            registrar.mutate = mutate
        return registrar

    auth = EapAuthenticator(registrar_factory=factory)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not auth.finished:
        pdu = link.recv()
        if pdu is not None:
            auth.receive(pdu)
            for out in auth.frames_to_send():
                link.send(out)
    while auth.next_event() is not None:
        pass
    return {"case": name, "received": received, "finished": auth.finished}


def wsc(op: int, flags: int, payload: bytes, ident: int, length: int | None = None):
    """An EAP-Request/WSC frame built with scapy's EAPOL and EAP layers."""
    return EAPOL(version=2, type=0) / EAP(code=1, id=ident & 0xFF, type=254) / Raw(build_wsc(op, flags, payload, length))


def handshake_to_m1(link: Link, seconds: float) -> bool:
    """EAPOL-Start -> Identity -> WSC_Start -> M1: the state where the frame-level cases misbehave."""
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline:
        pdu = link.recv()
        if pdu is None:
            continue
        eapol = parse_eapol(pdu)
        if eapol.type == 1:  # EAPOL-Start
            link.send(EAPOL(version=2, type=0) / EAP(code=1, id=1, type=1))
            step = 1
        elif step == 1 and eapol.type == 0 and parse_eap(eapol.body).type == 1:
            link.send(wsc(WscOpCode.START, 0, b"", 2))
            step = 2
        elif step == 2 and eapol.type == 0:
            frame = parse_wsc(parse_eap(eapol.body).data)
            if b"\x10\x22\x00\x01\x04" in frame.data:
                received.append("M1")
                return True
    return False


def run_frame_case(link: Link, name: str, seconds: float) -> dict:
    rng = random.Random(7)
    sent = 0
    if name == "noise":
        for size in (0, 1500, 1, 3, 4, 1500):
            link.send(Raw(rng.randbytes(size)) if size else Raw(b""))
            sent += 1
        link.send(EAPOL(version=2, type=0, len=5000) / Raw(rng.randbytes(1400)))  # length past the end
        link.send(EAPOL(version=2, type=0) / EAP(code=9, id=1) / Raw(rng.randbytes(100)))
        sent += 2
        return {"case": name, "sent": sent, "received": received}
    if name == "identity_loop":
        link.recv()  # the enrollee's EAPOL-Start: the run is on
        answers = 0
        for i in range(1000):
            link.send(EAPOL(version=2, type=0) / EAP(code=1, id=i & 0xFF, type=1))
            sent += 1
            answers += link.recv() is not None
        return {"case": name, "sent": sent, "answers": answers, "received": received}
    if not handshake_to_m1(link, seconds):
        return {"case": name, "error": "no M1", "received": received}
    ident = 3
    if name == "fragments_never_end":
        link.send(wsc(WscOpCode.MSG, 0x03, rng.randbytes(100), ident, 60000))
        for i in range(400):  # the peer acknowledges each fragment: keep going, never set the last one
            if link.recv() is None:
                break
            ident += 1
            link.send(wsc(WscOpCode.MSG, 0x01, rng.randbytes(100), ident))
            sent += 1
    elif name == "message_length_60k":
        total = 60 * 1024
        link.send(wsc(WscOpCode.MSG, 0x03, rng.randbytes(1000), ident, total))
        done = 1000
        while done < total and link.recv() is not None:
            ident += 1
            chunk = min(1000, total - done)
            done += chunk
            link.send(wsc(WscOpCode.MSG, 0x01 if done < total else 0, rng.randbytes(chunk), ident))
            sent += 1
    elif name == "fragment_flood":
        link.send(wsc(WscOpCode.MSG, 0x03, b"\x10", ident, 3001))
        for i in range(3000):  # without waiting for FRAG_ACKs
            link.send(wsc(WscOpCode.MSG, 0x01, b"\x22", ident + 1 + i))
            sent += 1
    time.sleep(0.5)
    return {"case": name, "sent": sent, "received": received}


def main() -> None:
    iface, name = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    link = Link(iface)
    print("ready", flush=True)
    if name in MESSAGE_CASES:
        result = run_message_case(link, name, seconds)
    else:
        result = run_frame_case(link, name, seconds)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
