"""The registrations the External Registrar runs, through the core's Registrar: with an AP as enrollee
(WPS_ER_LEARN/CONFIG: its M1 from GetDeviceInfo, then one PutMessage exchange per message) and with stations
behind an AP (WPS_ER_PIN/PBC: their messages arrive as WLANEvents and leave as PutWLANResponse)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ..wps.attributes import parse_attrs
from ..wps.credential import Credential
from ..wps.defs import PBC_PASSWORD, AttrType, DevicePasswordId, MsgType, WscOpCode
from ..wps.device import DeviceInfo
from ..wps.errors import ParseError
from ..wps.events import CredentialReceived, Failure, MessageDropped, PeerIdentified, Success
from ..wps.protocol import Step
from ..wps.registrar import Registrar, RegistrarConfig
from ..wps.session import opcode_for
from . import limits
from .events import ErApSettings, ErCredentialReceived, ErEvent, ErFailure, ErPbcDisabled, ErSuccess
from .model import ErAp, ErEnrollee, WlanEventError, WlanEventType, parse_wlan_event
from .policy import ErPolicy

log = logging.getLogger("pywps.er")
A = AttrType
M = MsgType


def _opcode_of(message: bytes) -> WscOpCode:
    """UPnP carries no EAP-WSC op-code: take it from the Message Type, as hostap does."""
    try:
        raw = parse_attrs(message).get(A.MSG_TYPE)
        return opcode_for(MsgType(raw[0])) if raw else WscOpCode.MSG
    except (ParseError, ValueError):
        return WscOpCode.MSG  # the session drops what it cannot read


class Runs:
    def __init__(
        self,
        device_info: Callable[[], DeviceInfo],
        publish: Callable[[ErEvent], None],
        policy: ErPolicy,
        settings_cache: dict[bytes, Credential],
        spawn: Callable,
        now: Callable[[], float],
        selection_changed: Callable[[], None],
        is_current: Callable[[ErAp], bool],
    ) -> None:
        self.device_info = device_info
        self.publish = publish
        self.policy = policy
        self.settings_cache = settings_cache  # AP UUID -> settings learned (the ER keeps them over byebye)
        self.spawn = spawn
        self.now = now
        self.selection_changed = selection_changed  # a PIN was spent or PBC ended: tell the APs
        self.is_current = is_current

    # -- runs with an AP (learn, config) -------------------------------------------------------------------

    async def with_ap(self, ap: ErAp, config: RegistrarConfig, learning: bool) -> None:
        from .upnp import UpnpFailure

        ap.busy = True
        try:
            async with asyncio.timeout(limits.RUN_TIMEOUT):
                session = Registrar(config)
                op, message = WscOpCode.MSG, await ap.link.get_device_info()
                for _ in range(12):  # M1..Done is 8 messages; a peer cannot keep us in the loop
                    out = session.receive(op, message)
                    self.drain(session, ap, None, learning)
                    if out is None:
                        if not session.finished:
                            log.info("ER: run with AP %s ended: its message was not usable", ap.source)
                        return
                    if out.msg_type is M.WSC_ACK or op is WscOpCode.NACK:
                        return  # after WSC_Done (or the AP's NACK) wpa_supplicant sends nothing more
                    if out.msg_type is M.WSC_NACK:
                        # The run is over (learn-only ends here): the AP may serve the next command while
                        # it gets our NACK, which it answers with an HTTP error, as it does wpa_supplicant's.
                        ap.busy = False
                        self.spawn(self._send_nack(ap, out.body), f"WSC_NACK to {ap.source}")
                        return
                    reply = await ap.link.put_message(out.body)
                    if reply is None:
                        log.info("ER: AP %s answered %s with no message; run ended", ap.source, out.msg_type.name)
                        return
                    op, message = _opcode_of(reply), reply
                log.info("ER: run with AP %s ended: too many messages", ap.source)
        except UpnpFailure as e:
            log.info("ER: run with AP %s ended: %s", ap.source, e)
        except TimeoutError:
            log.info("ER: run with AP %s timed out", ap.source)
        finally:
            ap.busy = False

    async def _send_nack(self, ap: ErAp, message: bytes) -> None:
        from .upnp import UpnpFailure

        try:
            await ap.link.put_message(message)
        except UpnpFailure as e:
            log.debug("ER: the AP's answer to our WSC_NACK: %s", e)

    def drain(self, session: Registrar, ap: ErAp, sta: ErEnrollee | None, learning: bool = False) -> None:
        while (event := session.next_event()) is not None:
            if isinstance(event, CredentialReceived) and sta is None:
                if learning:
                    ap.ap_settings = event.credential
                    self.settings_cache[ap.uuid] = event.credential
                    self.publish(ErApSettings(ap.uuid, event.credential))
                else:
                    self.publish(ErCredentialReceived(ap.uuid, event.credential))
            elif isinstance(event, Success):
                self.publish(ErSuccess(event.peer_mac or (sta.mac if sta else ap.mac)))
            elif isinstance(event, Failure):
                log.info("ER: %s: %s", ap.source, event.description or "failure")
                self.publish(ErFailure(event.msg, event.config_error, event.reason))
            elif isinstance(event, MessageDropped):
                log.info("ER: message from %s dropped: %s", ap.source, event.reason)
            elif isinstance(event, PeerIdentified):
                log.debug("ER: peer %s", event.device.uuid.hex())

    # -- enrollees behind an AP (WLANEvents) -----------------------------------------------------------------

    def on_wlan_event(self, ap: ErAp, data: bytes) -> None:
        if not self.is_current(ap):
            return
        try:
            event = parse_wlan_event(data)
            if len(event.body) > limits.MAX_MESSAGE:
                raise WlanEventError(f"{len(event.body)}-byte message")
            attrs = parse_attrs(event.body)
        except (WlanEventError, ParseError) as e:
            log.info("ER: WLANEvent from AP %s dropped: %s", ap.source, e)
            return
        now = self.now()
        if event.kind is WlanEventType.PROBE_REQUEST:
            sta = self._enrollee(ap, event.mac, attrs, probe=True, m1=False)
            if sta is not None and sta.dev_password_id == DevicePasswordId.PUSHBUTTON:
                self.policy.saw_pbc_enrollee(sta.mac, sta.uuid, now)
            return
        m1 = attrs.get(A.MSG_TYPE) == bytes([M.M1])
        sta = self._enrollee(ap, event.mac, attrs, probe=False, m1=m1)
        if sta is None:
            return
        if m1:
            self._start_enrollee(ap, sta, event.body, now)
        elif sta.session is not None:
            self._step_enrollee(ap, sta, _opcode_of(event.body), event.body)

    def _enrollee(self, ap: ErAp, mac: bytes, attrs, probe: bool, m1: bool) -> ErEnrollee | None:
        sta, new = ap.enrollees.get(mac), False
        if sta is None:
            if not probe and not m1:
                return None  # as wpa_supplicant: only a probe request or an M1 makes an entry
            if len(ap.enrollees) >= limits.MAX_ENROLLEES_PER_AP:
                log.info("ER: AP %s already has %d enrollees; %s ignored", ap.source, len(ap.enrollees), mac.hex(":"))
                return None
            sta, new = ErEnrollee(mac), True
            ap.enrollees[mac] = sta
        if m1:
            sta.m1_received = True
        sta.update(attrs, probe)
        self._arm_enrollee_expiry(ap, sta, limits.ENROLLEE_LIFETIME)
        if m1 or new:
            self.publish(sta.added_event())
        return sta

    def _arm_enrollee_expiry(self, ap: ErAp, sta: ErEnrollee, delay: float) -> None:
        if sta.expiry is not None:
            sta.expiry.cancel()
        sta.expiry = asyncio.get_running_loop().call_later(delay, self.drop_enrollee, ap, sta)

    def drop_enrollee(self, ap: ErAp, sta: ErEnrollee) -> None:
        if ap.enrollees.get(sta.mac) is not sta:
            return
        del ap.enrollees[sta.mac]
        if sta.expiry is not None:
            sta.expiry.cancel()
        self.publish(sta.removed_event())

    def _start_enrollee(self, ap: ErAp, sta: ErEnrollee, m1: bytes, now: float) -> None:
        password, password_id = self.policy.password_for(sta.uuid, sta.mac, sta.dev_password_id, ap.uuid, now)
        settings = ap.ap_settings
        if settings is None and password is not None:
            log.info("ER: AP %s settings unknown (WPS_ER_LEARN or WPS_ER_SET_CONFIG first): answering M2D", ap.source)
            password = None
        creds = ()
        if settings is not None:
            creds = (Credential(settings.ssid, settings.auth_type, settings.encr_type, settings.network_key, sta.mac),)
        sta.session = Registrar(RegistrarConfig(self.device_info(), password, password_id, enrollee_is_ap=False,
                                                credentials=creds))
        sta.password = password
        self._step_enrollee(ap, sta, WscOpCode.MSG, m1)

    def _step_enrollee(self, ap: ErAp, sta: ErEnrollee, op: WscOpCode, message: bytes) -> None:
        session = sta.session
        assert session is not None
        out = session.receive(op, message)
        self.drain(session, ap, sta)
        if out is not None and op is not WscOpCode.NACK:
            self.spawn(self._send_to_enrollee(ap, sta.mac, out.body), f"PutWLANResponse via {ap.source}")
        if not session.finished:
            return
        sta.session = None
        if session.step is Step.FINISHED and sta.password is not None:
            self.policy.completed(sta.password, sta.uuid)
            if sta.password == PBC_PASSWORD:
                self.publish(ErPbcDisabled())
            self.selection_changed()
            self._arm_enrollee_expiry(ap, sta, limits.ENROLLEE_DONE_LIFETIME)

    async def _send_to_enrollee(self, ap: ErAp, mac: bytes, message: bytes) -> None:
        from .upnp import UpnpFailure

        try:
            await ap.link.put_wlan_response(mac, message)
        except UpnpFailure as e:
            log.info("ER: PutWLANResponse via %s failed: %s", ap.source, e)
