"""The Registrar: learns or reconfigures an AP with its PIN (external registrar, the `wps_reg` role), or
gives credentials to a station enrollee (what hostapd's internal registrar does; the tests use that side).

Sends M2 (or M2D), M4, M6, M8; checks M1, M3, M5, M7. E-Hash1 is checked at M5 before M6 reveals R-S2.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import ClassVar

from .attributes import build_attr
from .credential import Credential
from .crypto import derive_session_keys, psk_pair, secret_hash
from .defs import AttrType, ConfigError, DevicePasswordId, MsgType, members
from .device import DeviceInfo
from .errors import ProtocolError
from .events import CredentialReceived, Failure, PeerIdentified, Success
from .messages import Message, build_closing, build_encrypted_step, build_m2, build_m4, peer_device
from .protocol import Role, Step
from .session import Outgoing, RegistrationSession

A = members(AttrType)  # the members, without EnumType's slow attribute lookup
M = members(MsgType)
S = members(Step)


@dataclass(frozen=True)
class RegistrarConfig:
    device: DeviceInfo
    password: bytes | None = field(repr=False)  # the enrollee's PIN (the AP PIN for wps_reg); None: M2D
    password_id: DevicePasswordId = DevicePasswordId.DEFAULT
    enrollee_is_ap: bool = True
    # AP enrollee: the new settings for M8, or None to learn the current ones and stop (wpa_supplicant's way).
    new_ap_settings: Credential | None = None
    # Station enrollee: the credential(s) M8 delivers; their MAC Address is set to the enrollee's.
    credentials: tuple[Credential, ...] = field(default_factory=tuple)


class Registrar(RegistrationSession):
    role = Role.REGISTRAR
    peer_role = Role.ENROLLEE

    def __init__(self, config: RegistrarConfig, rng=None) -> None:
        super().__init__(rng)
        self.config = config
        self.enrollee_mac = b""
        self._e_hashes = (b"", b"")
        self._psks = (b"", b"")
        self._secret_nonces = (b"", b"")
        self.learned_settings: Credential | None = None
        self._configured: Credential | None = None  # the new AP settings sent in M8

    HANDLERS: ClassVar[dict[MsgType, str]] = {
        M.M1: "_on_m1", M.M3: "_on_m3", M.M5: "_on_m5", M.M7: "_on_m7", M.WSC_DONE: "_on_done", M.WSC_ACK: "_on_ack",
    }

    def _on_m1(self, msg: Message) -> Outgoing:
        attrs = msg.attrs
        self.enrollee_nonce = attrs.require(A.ENROLLEE_NONCE)
        self.enrollee_mac = attrs.require(A.MAC_ADDR)
        self.peer_public_key = attrs.require(A.PUBLIC_KEY)
        self.registrar_nonce = self.new_nonce()
        self.accept(msg)
        self.emit(PeerIdentified(peer_device(attrs, A.UUID_E), attrs.get_int(A.DEV_PASSWORD_ID)))
        device = self.config.device.as_sent()
        if self.config.password is None:
            return self.send(M.M2D, build_m2(device, self.enrollee_nonce, self.registrar_nonce, None,
                                              self.config.password_id))
        dh = self.new_dh()
        dhkey = dh.exchange(self.peer_public_key)
        self.keys = derive_session_keys(dhkey, self.enrollee_nonce, self.enrollee_mac, self.registrar_nonce)
        body = build_m2(device, self.enrollee_nonce, self.registrar_nonce, dh.public, self.config.password_id)
        return self.send(M.M2, body)

    def _checked(self, msg: Message) -> None:
        self.check_nonce(msg, A.REGISTRAR_NONCE, self.registrar_nonce)
        self.check_authenticator(msg)

    def _on_m3(self, msg: Message) -> Outgoing:
        self._checked(msg)
        self.accept(msg)
        assert self.keys is not None and self.dh is not None and self.config.password is not None
        self._e_hashes = (msg.attrs.require(A.E_HASH1), msg.attrs.require(A.E_HASH2))
        self._psks = psk_pair(self.keys.auth, self.config.password)
        self._secret_nonces = (self.random(16), self.random(16))
        pk_e, pk_r = self.peer_public_key, self.dh.public
        r_hash1 = secret_hash(self.keys.auth, self._secret_nonces[0], self._psks[0], pk_e, pk_r)
        r_hash2 = secret_hash(self.keys.auth, self._secret_nonces[1], self._psks[1], pk_e, pk_r)
        encrypted = self.encrypt(build_attr(A.R_SNONCE1, self._secret_nonces[0]))
        return self.send(M.M4, build_m4(self.enrollee_nonce, r_hash1, r_hash2, encrypted))

    def _verify_e_hash(self, msg: Message, half: int, snonce_attr: int):
        self._checked(msg)
        settings = self.decrypt_attrs(msg)
        e_s = settings.get(snonce_attr)
        if e_s is None:
            raise ProtocolError(f"{msg.type.name} encrypted settings lack {AttrType(snonce_attr).name}")
        assert self.keys is not None and self.dh is not None
        expected = secret_hash(self.keys.auth, e_s, self._psks[half], self.peer_public_key, self.dh.public)
        if not hmac.compare_digest(expected, self._e_hashes[half]):
            raise ProtocolError(f"E-Hash{half + 1} mismatch: the enrollee does not know the password",
                                ConfigError.DEV_PASSWORD_AUTH_FAILURE)
        self.accept(msg)
        return settings

    def _on_m5(self, msg: Message) -> Outgoing:
        self._verify_e_hash(msg, 0, A.E_SNONCE1)
        encrypted = self.encrypt(build_attr(A.R_SNONCE2, self._secret_nonces[1]))
        return self.send(M.M6, build_encrypted_step(M.M6, A.ENROLLEE_NONCE, self.enrollee_nonce, encrypted))

    def _on_m7(self, msg: Message) -> Outgoing | None:
        settings = self._verify_e_hash(msg, 1, A.E_SNONCE2)
        if not self.config.enrollee_is_ap:
            creds = [
                Credential(c.ssid, c.auth_type, c.encr_type, c.network_key, self.enrollee_mac, c.network_index, c.key_index)
                for c in self.config.credentials
            ]
            plain = b"".join(c.to_credential_attr() for c in creds)
            return self._send_m8(plain)
        current = Credential.from_attrs(settings)
        self.learned_settings = Credential(
            current.ssid, current.auth_type, current.encr_type, current.network_key, current.mac_address,
            current.network_index, current.key_index, raw=current.to_credential_attr(),
        )
        new = self.config.new_ap_settings
        if new is None:
            # Learn only: the station gets the AP's current settings as its credential, then ends the run
            # with WSC_NACK: wpa_supplicant reports WPS-FAIL msg=11 config_error=0 here.
            self.emit(CredentialReceived(self.learned_settings, from_ap_settings=True))
            self.emit(Failure(M.M7, ConfigError.NO_ERROR, description="AP settings learned; not reconfiguring"))
            return self.nack(ConfigError.NO_ERROR)
        mac = new.mac_address if new.mac_address != b"\xff" * 6 else self.enrollee_mac
        new = Credential(new.ssid, new.auth_type, new.encr_type, new.network_key, mac, new.network_index, new.key_index)
        self._configured = Credential(new.ssid, new.auth_type, new.encr_type, new.network_key, mac,
                                      new.network_index, new.key_index, raw=new.to_credential_attr())
        return self._send_m8(new.to_attrs())

    def _send_m8(self, plain: bytes) -> Outgoing:
        encrypted = self.encrypt(plain)
        return self.send(M.M8, build_encrypted_step(M.M8, A.ENROLLEE_NONCE, self.enrollee_nonce, encrypted))

    def _on_done(self, msg: Message) -> Outgoing | None:
        self.check_nonce(msg, A.ENROLLEE_NONCE, self.enrollee_nonce)
        self.check_nonce(msg, A.REGISTRAR_NONCE, self.registrar_nonce)
        if self._configured is not None:
            # As wpa_supplicant: once the AP confirmed, the station keeps the new settings as its credential.
            self.emit(CredentialReceived(self._configured, from_ap_settings=True))
        self.emit(Success(self.enrollee_mac))
        if self.config.enrollee_is_ap:
            # An AP enrollee waits for our ACK before it applies the new settings.
            return self.send(M.WSC_ACK, build_closing(M.WSC_ACK, self.enrollee_nonce, self.registrar_nonce))
        self.step = S.FINISHED  # a station enrollee's run ends with EAP-Failure from the authenticator
        return None

    def _on_ack(self, msg: Message) -> None:
        # Only the ACK of an M2D reaches here (the table allows no other): the enrollee has heard us.
        self.check_nonce(msg, A.REGISTRAR_NONCE, self.registrar_nonce)
        self.step = S.FINISHED
        return None
