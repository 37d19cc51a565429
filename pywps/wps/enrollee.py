"""The Enrollee: a station enrolling by PIN or PBC, or an AP enrolling with an external Registrar.

Sends M1, M3, M5, M7 and WSC_Done; checks M2, M4, M6, M8. The PIN halves are proven in order: R-Hash1 is
checked at M4 before M5 reveals E-S1, so a registrar that does not know the PIN learns nothing from us.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import ClassVar

from .attributes import Attributes, build_attr, build_attrs, parse_attrs
from .credential import Credential
from .crypto import derive_session_keys, psk_pair, secret_hash
from .defs import (
    MULTI_AP_BACKHAUL_STA,
    PBC_PASSWORD,
    AttrType,
    ConfigError,
    DevicePasswordId,
    ErrorIndication,
    MsgType,
    WpsState,
    members,
)
from .device import DeviceInfo
from .errors import ParseError, ProtocolError
from .events import CredentialReceived, M2DReceived, PeerIdentified, Success
from .messages import Message, build_closing, build_encrypted_step, build_m1, build_m3, peer_device
from .protocol import Role, Step
from .session import Outgoing, RegistrationSession

A = members(AttrType)  # the members, without EnumType's slow attribute lookup
M = members(MsgType)
S = members(Step)


@dataclass(frozen=True)
class EnrolleeConfig:
    device: DeviceInfo
    password: bytes = field(repr=False)  # PIN digits as ASCII, or PBC_PASSWORD
    password_id: DevicePasswordId = DevicePasswordId.DEFAULT
    ap_settings: Credential | None = None  # set when we are an AP: reported in M7, replaced by M8
    multi_ap_backhaul_sta: bool = False  # M1 asks for a Multi-AP backhaul's credential (WPS_PBC multi_ap=1)

    @classmethod
    def pbc(cls, device: DeviceInfo, multi_ap_backhaul_sta: bool = False) -> EnrolleeConfig:
        return cls(device, PBC_PASSWORD, DevicePasswordId.PUSHBUTTON, multi_ap_backhaul_sta=multi_ap_backhaul_sta)

    @property
    def is_ap(self) -> bool:
        return self.ap_settings is not None


class Enrollee(RegistrationSession):
    role = Role.ENROLLEE
    peer_role = Role.REGISTRAR

    def __init__(self, config: EnrolleeConfig, rng=None) -> None:
        super().__init__(rng)
        self.config = config
        self._secret_nonces = (b"", b"")
        self._psks = (b"", b"")
        self._r_hashes = (b"", b"")
        self.registrar_mac: bytes | None = None

    def start(self) -> Outgoing:
        """M1: sent on WSC_Start (station) or as the first request (AP)."""
        self.enrollee_nonce = self.new_nonce()
        dh = self.new_dh()
        state = WpsState.CONFIGURED if self.config.is_ap else WpsState.NOT_CONFIGURED
        # No Request to Enroll: wpa_supplicant's M1 carries none (only its probe requests may).
        body = build_m1(self.config.device.as_sent(), self.enrollee_nonce, dh.public, self.config.password_id, state,
                        multi_ap=MULTI_AP_BACKHAUL_STA if self.config.multi_ap_backhaul_sta else 0)
        return self.send(M.M1, body)

    HANDLERS: ClassVar[dict[MsgType, str]] = {
        M.M2: "_on_m2", M.M2D: "_on_m2d", M.M4: "_on_m4", M.M6: "_on_m6", M.M8: "_on_m8", M.WSC_ACK: "_on_ack",
    }

    # -- M2 / M2D -------------------------------------------------------------------------------------

    def _on_m2d(self, msg: Message) -> Outgoing:
        self.check_nonce(msg, A.ENROLLEE_NONCE, self.enrollee_nonce)
        self.emit(M2DReceived(
            dev_password_id=msg.attrs.get_int(A.DEV_PASSWORD_ID),
            config_error=msg.attrs.get_int(A.CONFIG_ERROR),
            registrar=peer_device(msg.attrs, A.UUID_R),
        ))
        # The ACK names the M2D's registrar nonce; the run may still see an M2 from another registrar.
        return self.send(M.WSC_ACK, build_closing(M.WSC_ACK, self.enrollee_nonce, msg.attrs.require(A.REGISTRAR_NONCE)))

    def _on_m2(self, msg: Message) -> Outgoing:
        self.check_nonce(msg, A.ENROLLEE_NONCE, self.enrollee_nonce)
        assert self.dh is not None
        self.registrar_nonce = msg.attrs.require(A.REGISTRAR_NONCE)
        self.peer_public_key = msg.attrs.require(A.PUBLIC_KEY)
        dhkey = self.dh.exchange(self.peer_public_key)  # rejects 0, 1, p-1, >= p
        self.keys = derive_session_keys(dhkey, self.enrollee_nonce, self.config.device.mac_address, self.registrar_nonce)
        self.check_authenticator(msg)
        self.accept(msg)
        self.emit(PeerIdentified(peer_device(msg.attrs, A.UUID_R), msg.attrs.get_int(A.DEV_PASSWORD_ID)))
        self._psks = psk_pair(self.keys.auth, self.config.password)
        self._secret_nonces = (self.random(16), self.random(16))
        pk_e, pk_r = self.dh.public, self.peer_public_key
        e_hash1 = secret_hash(self.keys.auth, self._secret_nonces[0], self._psks[0], pk_e, pk_r)
        e_hash2 = secret_hash(self.keys.auth, self._secret_nonces[1], self._psks[1], pk_e, pk_r)
        return self.send(M.M3, build_m3(self.registrar_nonce, e_hash1, e_hash2))

    # -- M4 / M6: the registrar proves each PIN half -----------------------------------------------

    def _verify_r_hash(self, msg: Message, half: int, snonce_attr: int) -> None:
        self.check_nonce(msg, A.ENROLLEE_NONCE, self.enrollee_nonce)
        self.check_authenticator(msg)
        settings = self.decrypt_attrs(msg)
        r_s = settings.get(snonce_attr)
        if r_s is None:
            raise ProtocolError(f"{msg.type.name} encrypted settings lack {AttrType(snonce_attr).name}")
        assert self.keys is not None and self.dh is not None
        expected = secret_hash(self.keys.auth, r_s, self._psks[half], self.dh.public, self.peer_public_key)
        if not hmac.compare_digest(expected, self._r_hashes[half]):
            raise ProtocolError(f"R-Hash{half + 1} mismatch: the registrar does not know the password",
                                ConfigError.DEV_PASSWORD_AUTH_FAILURE)
        self.accept(msg)

    def _on_m4(self, msg: Message) -> Outgoing:
        self._r_hashes = (msg.attrs.require(A.R_HASH1), msg.attrs.require(A.R_HASH2))
        self._verify_r_hash(msg, 0, A.R_SNONCE1)
        encrypted = self.encrypt(build_attr(A.E_SNONCE1, self._secret_nonces[0]))
        return self.send(M.M5, build_encrypted_step(M.M5, A.REGISTRAR_NONCE, self.registrar_nonce, encrypted))

    def _on_m6(self, msg: Message) -> Outgoing:
        self._verify_r_hash(msg, 1, A.R_SNONCE2)
        settings = build_attr(A.E_SNONCE2, self._secret_nonces[1])
        if self.config.ap_settings is not None:
            settings += self.config.ap_settings.to_attrs()
        encrypted = self.encrypt(settings)
        return self.send(M.M7, build_encrypted_step(M.M7, A.REGISTRAR_NONCE, self.registrar_nonce, encrypted))

    # -- M8: the credential --------------------------------------------------------------------------

    def _on_m8(self, msg: Message) -> Outgoing:
        self.check_nonce(msg, A.ENROLLEE_NONCE, self.enrollee_nonce)
        self.check_authenticator(msg)
        settings = self.decrypt_attrs(msg)
        if self.config.is_ap:
            # An external registrar sends the new AP settings bare, not wrapped in a Credential.
            creds = [Credential.from_attrs(settings, raw=build_attrs((a.type, a.value) for a in settings))]
        else:
            creds = [cred.as_processed() for cred in self._credentials(settings)]
            if any(cred.is_wep for cred in creds):
                # WSC 2.0 forbids WEP: refused here, as wpa_supplicant's enrollee does, so the registrar hears
                # a NACK instead of WSC_Done and records the failure
                return self.fail(M.M8, ConfigError.NO_ERROR, "WEP credential (WSC 2.0 prohibits WEP)",
                                 ErrorIndication.SECURITY_WEP_PROHIBITED)
        for cred in creds:
            cred.validate()
        self.accept(msg)
        for cred in creds:
            self.emit(CredentialReceived(cred))
        done = self.send(M.WSC_DONE, build_closing(M.WSC_DONE, self.enrollee_nonce, self.registrar_nonce))
        if not self.config.is_ap:
            self.emit(Success(self.registrar_mac))  # as wpa_supplicant: success once WSC_Done is sent
        return done

    @staticmethod
    def _credentials(settings: Attributes) -> list[Credential]:
        creds = []
        for value in settings.get_all(A.CREDENTIAL):
            raw = build_attr(A.CREDENTIAL, value)
            creds.append(Credential.from_attrs(parse_attrs(value, nested_in=A.CREDENTIAL), raw=raw))
        if not creds:
            raise ParseError("M8 carries no Credential", A.CREDENTIAL)
        return creds

    def _on_ack(self, msg: Message) -> None:
        if self.step is not S.FINISHED:  # only an AP enrollee's WSC_Done is acknowledged
            raise ProtocolError(f"unexpected WSC_ACK after {self.step.value}")
        self.check_nonce(msg, A.ENROLLEE_NONCE, self.enrollee_nonce)
        self.check_nonce(msg, A.REGISTRAR_NONCE, self.registrar_nonce)
        self.emit(Success(self.registrar_mac))
        return None
