"""Drive in-process WPS runs over the EAP layer, as bytes, with an optional man in the middle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, DevicePasswordId, EncrType
from pywps.wps.device import DeviceInfo
from pywps.wps.eap import (
    EAP_TYPE_EXPANDED,
    IDENTITY_ENROLLEE,
    IDENTITY_REGISTRAR,
    EapAuthenticator,
    EapPeer,
    parse_eap,
    parse_eapol,
    parse_wsc,
)
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.registrar import Registrar, RegistrarConfig

STA = DeviceInfo(uuid=bytes(range(16)), mac_address=bytes.fromhex("020000000200"), device_name=b"sta")
AP = DeviceInfo(uuid=bytes(range(1, 17)), mac_address=bytes.fromhex("020000000100"), device_name=b"ap")
CRED = Credential(b"jkm-wps-test", AuthType.WPA2PSK, EncrType.AES, b"12345678")

Tap = Callable[[str, bytes], bytes | None]  # (direction 'up'/'down', EAPOL PDU) -> PDU to deliver, or None


@dataclass
class Result:
    peer_events: list = field(default_factory=list)
    auth_events: list = field(default_factory=list)
    up: list[bytes] = field(default_factory=list)  # frames peer -> authenticator
    down: list[bytes] = field(default_factory=list)

    def of(self, side: str, kind: type) -> list:
        return [e for e in (self.peer_events if side == "peer" else self.auth_events) if isinstance(e, kind)]


def shuttle(peer: EapPeer, auth: EapAuthenticator, tap: Tap | None = None, rounds: int = 200) -> Result:
    result = Result()
    peer.start()
    for _ in range(rounds):
        up = peer.frames_to_send()
        for frame in up:
            result.up.append(frame)
            frame = tap("up", frame) if tap else frame
            if frame is not None:
                auth.receive(frame)
        down = auth.frames_to_send()
        for frame in down:
            result.down.append(frame)
            frame = tap("down", frame) if tap else frame
            if frame is not None:
                peer.receive(frame)
        if not up and not down:
            break
    for endpoint, events in ((peer, result.peer_events), (auth, result.auth_events)):
        while (event := endpoint.next_event()) is not None:
            events.append(event)
    return result


def enrollee_run(enrollee_pin: bytes = b"12345670", registrar_pin: bytes | None = b"12345670", *,
                 pbc: bool = False, fragment_size: int = 1398, credentials=(CRED,), tap: Tap | None = None,
                 registrar_cls=Registrar, rng=None) -> Result:
    """pywps's wps_pin/wps_pbc: a station Enrollee against a registrar on the authenticator side."""
    config = EnrolleeConfig.pbc(STA) if pbc else EnrolleeConfig(STA, enrollee_pin)
    peer = EapPeer(Enrollee(config, rng), IDENTITY_ENROLLEE, fragment_size=fragment_size)
    reg_config = RegistrarConfig(
        AP, b"00000000" if pbc else registrar_pin,
        DevicePasswordId.PUSHBUTTON if pbc else DevicePasswordId.DEFAULT,
        enrollee_is_ap=False, credentials=tuple(credentials),
    )
    auth = EapAuthenticator(registrar_factory=lambda: registrar_cls(reg_config, rng), fragment_size=fragment_size)
    return shuttle(peer, auth, tap)


def registrar_run(ap_pin: bytes = b"12345670", registrar_pin: bytes = b"12345670", new_settings=None, *,
                  fragment_size: int = 1398, tap: Tap | None = None) -> Result:
    """pywps's wps_reg: an external Registrar against an AP Enrollee on the authenticator side."""
    reg = Registrar(RegistrarConfig(STA, registrar_pin, enrollee_is_ap=True, new_ap_settings=new_settings))
    peer = EapPeer(reg, IDENTITY_REGISTRAR, fragment_size=fragment_size)
    auth = EapAuthenticator(enrollee_factory=lambda: Enrollee(EnrolleeConfig(AP, ap_pin, ap_settings=CRED)),
                            fragment_size=fragment_size)
    return shuttle(peer, auth, tap)


def wsc_message_type(pdu: bytes) -> int | None:
    """The WSC Message Type inside an unfragmented EAPOL/EAP-WSC frame (None for anything else)."""
    try:
        packet = parse_eap(parse_eapol(pdu).body)
        if packet.type != EAP_TYPE_EXPANDED:
            return None
        data = parse_wsc(packet.data).data
    except Exception:
        return None
    pos = data.find(b"\x10\x22\x00\x01")
    return data[pos + 4] if pos >= 0 else None
