"""The supplicant side of the 4-way and group key handshakes (IEEE 802.11-2016 12.7.6, 12.7.7), sans-IO.

`WpaSupplicantHandshake.receive(pdu)` takes one EAPOL PDU from the AP and returns events (events.py) for the
driver to act on in order. It owns no socket and no clock: retransmission timeouts and the disconnect after
`HandshakeFailed` belong to the daemon. Nothing here raises on what the AP (or anyone on the air) sends.

Rules that are easy to get wrong, and where they live:
- the legal message order is the table `TRANSITIONS` (RSN and WPA differ: WPA delivers the GTK afterwards);
- a frame whose Key MIC verifies moves the replay counter, as in hostap; only one accepted whole moves the state;
- a key is never installed twice (KRACK, CVE-2017-13077/13080): a retransmitted message 3 is answered with
  message 4 but the PTK, GTK, IGTK and BIGTK it repeats are not handed to the driver again;
- the SNonce is renewed only after a message 3's MIC verified, so every message 1 of one handshake is answered
  with the same SNonce and message 3 may name any ANonce we answered (a forged message 1 cannot derail it).
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable
from enum import Enum

from .eapol_key import (
    BIGTK_KDE_PREFIX_LEN,
    IGTK_KDE_PREFIX_LEN,
    DescriptorType,
    EapolKey,
    IgtkKde,
    KdeType,
    KeyData,
    KeyInfo,
    parse_eapol_key,
    parse_key_data,
)
from .errors import KeyDataOverflow, KeyFrameUnsupported, KeyFrameError, WpaError
from .events import (
    BigtkNotInstalled,
    FrameDropped,
    FrameNotice,
    GroupKeyNotConfigured,
    GroupRekeyed,
    HandshakeCompleted,
    HandshakeFailed,
    IgtkNotInstalled,
    InstallGroupKey,
    InstallPairwiseKey,
    KeyDataRefused,
    Notice,
    Refusal,
    SendEapol,
    WpaEvent,
)
from .keys import (VERSION_AES_128_CMAC, VERSION_HMAC_MD5_RC4, VERSION_HMAC_SHA1_AES, NONCE_LEN, Ptk, derive_ptk,
                   eapol_key_mic, unwrap_key_data)
from .rsn import (EID_RSN, KEY_LEN, MGMT_GROUP_CIPHERS, PAIRWISE_CIPHERS, RSC_LEN, Akm, Cipher, cipher_name,
                  parse_rsn_ie, parse_wpa_ie)

REASON_UNSPECIFIED = 1
REASON_IE_IN_4WAY_DIFFERS = 17
MAX_ANSWERED = 4  # ANonces of one handshake whose message 1 we answered
IGTK_KEY_IDS = (4, 5)  # the only indexes an IGTK takes (the kernel refuses others)
# 4 and 5 with their two bytes swapped: hostap joins such APs ("a number of deployed APs") without their IGTK
SWAPPED_IGTK_KEY_IDS = (0x0400, 0x0500)
BIGTK_KEY_IDS = (6, 7)


def _left_to_the_kernel(igtk: IgtkKde) -> bool:
    """An IGTK KeyID hostap hands to the driver for it to refuse (below 4096 but 4, 5 and their swapped forms)."""
    return igtk.key_id <= 4095 and igtk.key_id not in IGTK_KEY_IDS + SWAPPED_IGTK_KEY_IDS


class State(Enum):
    INIT = "INIT"  # associated, no message 1 yet
    PTK_START = "PTK_START"  # message 2 sent, waiting for message 3
    GROUP_HANDSHAKE = "GROUP_HANDSHAKE"  # WPA only: PTK installed, waiting for the GTK
    COMPLETED = "COMPLETED"
    REKEYING = "REKEYING"  # a new 4-way handshake while the old keys stay in use
    FAILED = "FAILED"  # HandshakeFailed was returned: everything is dropped until the disconnect


class Msg(Enum):
    PAIRWISE_1 = "4-way message 1"
    PAIRWISE_3 = "4-way message 3"
    GROUP_1 = "group message 1"


# Every legal move: state -> message -> state once the message is accepted. A message missing here is dropped.
TRANSITIONS: dict[bool, dict[State, dict[Msg, State]]] = {
    False: {  # RSN: message 3 carries the GTK
        State.INIT: {Msg.PAIRWISE_1: State.PTK_START},
        State.PTK_START: {Msg.PAIRWISE_1: State.PTK_START, Msg.PAIRWISE_3: State.COMPLETED},
        State.COMPLETED: {Msg.PAIRWISE_1: State.REKEYING, Msg.PAIRWISE_3: State.COMPLETED,
                          Msg.GROUP_1: State.COMPLETED},
        State.REKEYING: {Msg.PAIRWISE_1: State.REKEYING, Msg.PAIRWISE_3: State.COMPLETED,
                         Msg.GROUP_1: State.REKEYING},
    },
    True: {  # WPA: the GTK comes in a group key handshake right after the 4-way handshake
        State.INIT: {Msg.PAIRWISE_1: State.PTK_START},
        State.PTK_START: {Msg.PAIRWISE_1: State.PTK_START, Msg.PAIRWISE_3: State.GROUP_HANDSHAKE},
        State.GROUP_HANDSHAKE: {Msg.PAIRWISE_1: State.PTK_START, Msg.PAIRWISE_3: State.GROUP_HANDSHAKE,
                                Msg.GROUP_1: State.COMPLETED},
        State.COMPLETED: {Msg.PAIRWISE_1: State.REKEYING, Msg.PAIRWISE_3: State.COMPLETED,
                          Msg.GROUP_1: State.COMPLETED},
        State.REKEYING: {Msg.PAIRWISE_1: State.REKEYING, Msg.PAIRWISE_3: State.COMPLETED,
                         Msg.GROUP_1: State.REKEYING},
    },
}


class _Drop(Exception):
    """Internal: ignore this frame (becomes FrameDropped, after the notices in `said`: what hostap says of it)."""

    def __init__(self, reason: str, *said: FrameNotice) -> None:
        super().__init__(reason)
        self.said = said


class _Fail(Exception):
    """Internal: end the association (becomes HandshakeFailed, after the events in `said`: what hostap says of it).
    `after_message_4`: in a group handshake (message 4 sent, or a group message)."""

    def __init__(self, reason: str, *said: WpaEvent, code: int = REASON_UNSPECIFIED,
                 after_message_4: bool = False) -> None:
        super().__init__(reason)
        self.said = said
        self.code = code
        self.after_message_4 = after_message_4


def _parse(pdu: bytes) -> EapolKey:
    try:
        return parse_eapol_key(pdu)
    except KeyDataOverflow as e:  # the one malformation hostap says to monitors (the rest at debug level)
        raise _Drop(str(e), FrameNotice(Notice.KEY_DATA_OVERFLOW, e.length, e.room)) from None


def _check_bits(info: KeyInfo) -> None:
    if info & KeyInfo.SMK_MESSAGE:
        raise _Drop("SMK message bit set", FrameNotice(Notice.SMK))
    if not info & KeyInfo.ACK:
        raise _Drop("no Key Ack bit: not a message from an authenticator", FrameNotice(Notice.NO_ACK))
    if info & KeyInfo.REQUEST:
        raise _Drop("Request bit set", FrameNotice(Notice.REQUEST))


def _classify(info: KeyInfo) -> Msg:
    """Which message a frame from the AP is, by its Key Information (as hostap's wpa_sm_rx_eapol decides)."""
    if info & KeyInfo.PAIRWISE:
        return Msg.PAIRWISE_3 if info & (KeyInfo.MIC | KeyInfo.ENCRYPTED_KEY_DATA) else Msg.PAIRWISE_1
    return Msg.GROUP_1


def _driver_layout(key: bytes, cipher: Cipher) -> bytes:
    # A station receives with the authenticator's Tx Michael key: swap the two halves, as wpa_supplicant does
    # before handing TKIP keys to nl80211.
    return key[:16] + key[24:32] + key[16:24] if cipher == Cipher.TKIP else key


class WpaSupplicantHandshake:
    """One association's key handshakes. `own_rsn_ie` is the element of our association request (an RSN
    element, or the WPA vendor element for WPA); `ap_rsn_ie`/`ap_wpa_ie` are the AP's elements from its
    Beacon/Probe Response (None when it advertised none), compared with message 3 as 12.7.6.4 requires.
    `akm` is PSK or PSK-SHA256 (SHA-256 key derivation, AES-128-CMAC MICs); `mgmt_group` is the BIP cipher when
    management frames are protected (the IGTKs of messages 3 and group messages are installed), else None;
    `beacon_protection` (the network's beacon_prot on a radio that can check beacons) installs their BIGTKs too
    when management frames are protected."""

    def __init__(
        self,
        pmk: bytes,
        own_addr: bytes,
        ap_addr: bytes,
        own_rsn_ie: bytes,
        ap_rsn_ie: bytes | None,
        pairwise: Cipher = Cipher.CCMP,
        group: Cipher = Cipher.CCMP,
        random: Callable[[int], bytes] = secrets.token_bytes,
        ap_wpa_ie: bytes | None = None,
        eapol_version: int = 1,
        akm: Akm = Akm.PSK,
        mgmt_group: Cipher | None = None,
        beacon_protection: bool = False,
    ) -> None:
        if len(pmk) != 32 or len(own_addr) != 6 or len(ap_addr) != 6:
            raise ValueError("PMK is 32 bytes, addresses 6")
        if pairwise not in PAIRWISE_CIPHERS or group not in PAIRWISE_CIPHERS:
            raise ValueError(f"unsupported ciphers {pairwise!r}/{group!r}: CCMP(-256), GCMP(-256) or TKIP")
        if akm not in (Akm.PSK, Akm.PSK_SHA256) or (mgmt_group is not None and mgmt_group not in MGMT_GROUP_CIPHERS):
            raise ValueError(f"unsupported AKM {akm!r} or management group cipher {mgmt_group!r}")
        try:
            if own_rsn_ie[:1] == bytes([EID_RSN]):
                own = parse_rsn_ie(own_rsn_ie[2:])
            else:
                own = parse_wpa_ie(own_rsn_ie[2:])
        except KeyFrameError as e:
            raise ValueError(f"own element: {e}") from None
        if len(own_rsn_ie) != 2 + own_rsn_ie[1] or own.pairwise != (pairwise,) or own.group != group:
            raise ValueError("own element does not name exactly the given pairwise and group ciphers")
        if own.akms != (akm,) or (own.wpa and (akm != Akm.PSK or mgmt_group is not None)):
            raise ValueError("own element does not name the given AKM, or WPA with SHA-256 or BIP")
        self.wpa = own.wpa
        self.akm, self.mgmt_group = akm, mgmt_group
        self.beacon_protection = beacon_protection and mgmt_group is not None
        self.pmk, self.own_addr, self.ap_addr = pmk, own_addr, ap_addr
        self.own_ie, self.ap_rsn_ie, self.ap_wpa_ie = own_rsn_ie, ap_rsn_ie, ap_wpa_ie
        self.pairwise, self.group = pairwise, group
        self.eapol_version = eapol_version
        self._random = random
        self._descriptor = DescriptorType.WPA if self.wpa else DescriptorType.RSN
        self.state = State.INIT
        self._replay: int | None = None  # last replay counter of a MIC-verified frame
        self._snonce = b""
        self._renew_snonce = True
        self._answered: deque[bytes] = deque(maxlen=MAX_ANSWERED)
        self._ptk: Ptk | None = None  # the PTK in use: the last message 3's whose MIC verified
        self._installed_tk: bytes | None = None
        self._installed_gtk: bytes | None = None
        self._installed_igtk: bytes | None = None
        self._installed_bigtk: bytes | None = None

    # -- entry point -------------------------------------------------------------------------------------------

    def receive(self, pdu: bytes) -> list[WpaEvent]:
        """Process one EAPOL PDU from the AP; never raises on its content. The checks every frame goes through
        come in hostap's order (wpa_sm_rx_eapol), so that a frame it drops is dropped with its words."""
        if self.state is State.FAILED:
            return [FrameDropped("handshake already failed; waiting for the disconnect")]
        notes: list[WpaEvent] = []  # hostap's words on a frame it takes all the same
        try:
            frame = _parse(pdu)
            if frame.descriptor_type != self._descriptor:  # hostap takes either type: no words of its own
                raise _Drop(f"descriptor type {frame.descriptor_type} on a {self._descriptor.name} association")
            info = frame.key_info
            msg = _classify(info)
            self._check_version(frame, msg, notes)
            if self._replay is not None and frame.replay_counter <= self._replay:
                raise _Drop(f"replay counter {frame.replay_counter} not above {self._replay}",
                            FrameNotice(Notice.REPLAY))
            _check_bits(info)
            ptk = self._authenticate(frame, msg, notes) if info & KeyInfo.MIC else None
            plain = self._plain_key_data(frame, ptk)
            if info & KeyInfo.PAIRWISE and info & KeyInfo.KEY_INDEX_MASK:
                raise _Drop("pairwise frame with a non-zero key index", FrameNotice(Notice.PAIRWISE_KEY_INDEX))
            if ptk is None and msg is not Msg.PAIRWISE_1:
                if msg is Msg.GROUP_1:
                    raise _Drop("group frame without the Key MIC bit", FrameNotice(Notice.GROUP_WITHOUT_MIC))
                raise _Drop("message 3 without the Key MIC bit")  # WPA: hostap would go on without one
            target = TRANSITIONS[self.wpa][self.state][msg]  # _authenticate has checked the others
            if ptk is None:
                return [*notes, *self._message_1(frame, target)]
            handler = self._message_3 if msg is Msg.PAIRWISE_3 else self._group_message_1
            return [*notes, *handler(frame, target, ptk, plain)]
        except _Drop as e:
            return [*notes, *e.said, FrameDropped(str(e))]
        except WpaError as e:  # KeyFrameError/KeyFrameUnsupported from parsing the frame
            return [*notes, FrameDropped(str(e))]
        except _Fail as e:
            self.state = State.FAILED
            return [*notes, *e.said, HandshakeFailed(str(e), e.code, e.after_message_4)]

    # -- checks shared by every message ------------------------------------------------------------------------

    def _check_version(self, frame: EapolKey, msg: Msg, notes: list[WpaEvent]) -> None:
        """wpa_sm_rx_eapol's rules: PSK-SHA256 needs version 3, CCMP and GCMP need 2, except that with CCMP
        hostap takes group messages of a non-CCMP group cipher in any version and version 3 anywhere (stronger,
        it says), in words added to `notes`; TKIP and the 256-bit ciphers take any of 1-3, as there."""
        version = frame.descriptor_version
        if version not in (VERSION_HMAC_MD5_RC4, VERSION_HMAC_SHA1_AES, VERSION_AES_128_CMAC):
            raise _Drop(f"unsupported descriptor version {version}", FrameNotice(Notice.DESCRIPTOR_VERSION, version))
        if self.akm == Akm.PSK_SHA256:
            if version != VERSION_AES_128_CMAC:
                raise _Drop(f"descriptor version {version} with PSK-SHA256 (AES-128-CMAC is 3)",
                            FrameNotice(Notice.NOT_CMAC))
        elif self.pairwise == Cipher.CCMP and version != VERSION_HMAC_SHA1_AES:
            said = FrameNotice(Notice.CCMP_VERSION, version)
            if msg is Msg.GROUP_1 and self.group != Cipher.CCMP:
                notes += [said, FrameNotice(Notice.NON_CCMP_GROUP_TOLERATED)]
            elif version == VERSION_AES_128_CMAC:
                notes += [said, FrameNotice(Notice.CMAC_TOLERATED)]
            else:
                raise _Drop(f"descriptor version {version} with a CCMP pairwise cipher (2)", said)
        elif self.pairwise == Cipher.GCMP and version != VERSION_HMAC_SHA1_AES:
            raise _Drop(f"descriptor version {version} with a GCMP pairwise cipher (2)",
                        FrameNotice(Notice.GCMP_VERSION, version))

    @property
    def _tptk_pending(self) -> bool:
        """A message 1 was answered since a message 3's MIC last verified: hostap holds that handshake's PTK (its
        TPTK) apart, and tries every MIC with it first."""
        return not self._renew_snonce

    def _unverified(self, reason: str) -> _Drop:
        """A drop for a MIC that no key of ours verifies, in the words hostap says for one that verifies neither
        under the TPTK (where there is one) nor under the PTK in use (where there is one)."""
        said = [FrameNotice(Notice.MIC_TPTK)] if self._tptk_pending else []
        said.append(FrameNotice(Notice.MIC_INVALID if self._ptk is not None else Notice.MIC_UNVERIFIED))
        return _Drop(reason, *said)

    def _authenticate(self, frame: EapolKey, msg: Msg, notes: list[WpaEvent]) -> Ptk:
        """The PTK a frame with the Key MIC bit verifies under: a message 3's from an ANonce we answered (any of
        them, beyond hostap, which keeps the last), a group message's the PTK in use. A message the state does
        not expect has no key that fits: hostap, which has no such table, says it of the MIC.

        As in hostap's verify_eapol_key_mic, a MIC that verifies moves the replay counter, and one of message 3
        makes its PTK the one in use (the next message 1 gets a new SNonce), even if the frame is dropped later:
        the AP signed it, and what hostap says of the frames after it depends on both."""
        if TRANSITIONS[self.wpa][self.state].get(msg) is None:
            raise self._unverified(f"{msg.value} not expected in state {self.state.value}")
        if msg is Msg.PAIRWISE_3:
            if frame.nonce not in self._answered:
                raise self._unverified("message 3 ANonce matches no message 1 we answered")
            ptk = self._derive(frame.nonce)
            if not self._mic_verifies(frame, ptk):
                raise self._unverified("Key MIC mismatch")
            self._ptk, self._renew_snonce = ptk, True
        else:
            ptk = self._ptk
            assert ptk is not None  # the table takes group messages only after a message 3
            if self._tptk_pending:  # a PTK rekey under way: hostap tries its key first, and says so
                notes.append(FrameNotice(Notice.MIC_TPTK))
            if not self._mic_verifies(frame, ptk):
                raise _Drop("Key MIC mismatch", FrameNotice(Notice.MIC_INVALID))
        self._replay = frame.replay_counter
        return ptk

    def _mic_verifies(self, frame: EapolKey, ptk: Ptk) -> bool:
        try:
            mic = eapol_key_mic(ptk.kck, frame.mic_input(), frame.descriptor_version)
        except KeyFrameUnsupported as e:
            raise _Drop(str(e)) from None
        return secrets.compare_digest(mic, frame.mic)

    def _plain_key_data(self, frame: EapolKey, ptk: Ptk | None) -> bytes:
        """The Key Data decrypted, where an RSN frame's bit says it is encrypted (hostap decrypts WPA key data in
        process_1_of_2_wpa, as the GTK alone); an authentic frame's only."""
        if self.wpa or not frame.key_info & KeyInfo.ENCRYPTED_KEY_DATA:
            return frame.key_data
        if ptk is None:
            raise _Drop("encrypted key data without the Key MIC bit", FrameNotice(Notice.UNAUTHENTICATED_DATA))
        data, version = frame.key_data, frame.descriptor_version
        if version != VERSION_HMAC_MD5_RC4 and (len(data) < 8 or len(data) % 8):
            raise _Drop(f"AES-wrapped key data of {len(data)} bytes", FrameNotice(Notice.AES_WRAP_LENGTH, len(data)))
        try:
            return unwrap_key_data(ptk.kek, data, version, frame.iv)
        except KeyFrameError:
            raise _Drop("key data does not unwrap with the KEK", FrameNotice(Notice.AES_UNWRAP)) from None

    def _key_data(self, plain: bytes, after_message_4: bool) -> KeyData:
        """The key data of an authentic message 3 or RSN group message, read: what does not parse ends the
        association, without a word of its own, as hostap's process_3_of_4 and process_1_of_2_rsn end it."""
        try:
            return parse_key_data(plain)
        except KeyFrameError as e:
            raise _Fail(f"key data: {e}", after_message_4=after_message_4) from None

    def _eapol(self, info: KeyInfo, request: EapolKey, key_data: bytes, ptk: Ptk, nonce: bytes = bytes(32)) -> bytes:
        """A reply with the request's replay counter, signed with the KCK of `ptk`."""
        reply = EapolKey(
            descriptor_type=self._descriptor,
            key_info=info | KeyInfo(request.descriptor_version) | KeyInfo.MIC,
            key_length=request.key_length if self.wpa else 0,  # RSN replies carry 0 (12.7.6.3)
            replay_counter=request.replay_counter,
            nonce=nonce,
            key_data=key_data,
            version=self.eapol_version,
        )
        return reply.with_mic(eapol_key_mic(ptk.kck, reply.mic_input(), request.descriptor_version)).to_bytes()

    # -- message 1 of 4 ----------------------------------------------------------------------------------------

    def _message_1(self, frame: EapolKey, target: State) -> list[WpaEvent]:
        parse_key_data(frame.key_data)  # a PMKID KDE may be there; we only require it to be well-formed
        if self._renew_snonce:
            self._snonce = self._random(NONCE_LEN)
            if len(self._snonce) != NONCE_LEN:
                raise ValueError("the random source returned a short nonce")
            self._renew_snonce = False
            self._answered.clear()
        if frame.nonce not in self._answered:
            self._answered.append(frame.nonce)
        ptk = self._derive(frame.nonce)
        secure = KeyInfo.SECURE if self._ptk is not None and not self.wpa else KeyInfo(0)  # PTK rekey (12.7.6.3)
        pdu = self._eapol(KeyInfo.PAIRWISE | secure, frame, self.own_ie, ptk, nonce=self._snonce)
        self.state = target  # message 1 is not authenticated: it moves the state but never the replay counter
        return [SendEapol(pdu)]

    def _derive(self, anonce: bytes) -> Ptk:
        return derive_ptk(self.pmk, self.ap_addr, self.own_addr, anonce, self._snonce, KEY_LEN[self.pairwise],
                          sha256=self.akm == Akm.PSK_SHA256)

    # -- message 3 of 4 ----------------------------------------------------------------------------------------

    def _message_3(self, frame: EapolKey, target: State, ptk: Ptk, plain: bytes) -> list[WpaEvent]:
        """hostap's process_3_of_4, for an authentic message 3 (`ptk` its key, `plain` its key data decrypted): what
        it refuses ends the association, before message 4 (key data that does not parse, a GTK or IGTK in key data
        not encrypted, the IGTK KDE's length, an RSN element that differs, the pairwise Key Length) or after message
        4 and the keys it could install (no GTK, a GTK of the wrong length, an IGTK KeyID over 4095, a BIGTK it
        cannot install). Dropped instead: no Install bit, an IGTK KeyID below 4096 other than 4 and 5 (hostap
        hands that to the driver, whose refusal ends the association)."""
        # Nothing changes until the whole frame is accepted.
        if not frame.key_info & KeyInfo.INSTALL:
            raise _Drop("message 3 without the Install bit")
        key_data = self._key_data(plain, after_message_4=False)
        if not frame.key_info & KeyInfo.ENCRYPTED_KEY_DATA:
            for kde_type, refusal in ((KdeType.GTK, Refusal.GTK_IN_CLEAR), (KdeType.IGTK, Refusal.IGTK_IN_CLEAR)):
                if key_data.kde(kde_type) is not None:
                    raise _Fail(f"{kde_type.name} KDE in unencrypted key data", KeyDataRefused(refusal))
        igtk_kde = key_data.kde(KdeType.IGTK) if self.mgmt_group is not None else None
        if igtk_kde is not None and len(igtk_kde.data) != IGTK_KDE_PREFIX_LEN + KEY_LEN[self.mgmt_group]:
            raise _Fail(f"IGTK KDE of {len(igtk_kde.data)} bytes for {cipher_name(self.mgmt_group)}",
                        KeyDataRefused(Refusal.IGTK_KDE_LENGTH, len(igtk_kde.data)))
        self._check_ies(key_data)
        if frame.key_length != KEY_LEN[self.pairwise]:
            raise _Fail(f"message 3 key length {frame.key_length} for {cipher_name(self.pairwise)}",
                        KeyDataRefused(Refusal.PAIRWISE_KEY_LENGTH, frame.key_length, self.pairwise))
        igtk = key_data.igtk() if igtk_kde is not None else None
        if igtk is not None and _left_to_the_kernel(igtk):
            raise _Drop(f"IGTK KeyID {igtk.key_id} (4 or 5)")

        out: list[WpaEvent] = [SendEapol(self._eapol(KeyInfo.PAIRWISE | (frame.key_info & KeyInfo.SECURE),
                                                     frame, b"", ptk))]
        if ptk.tk != self._installed_tk:
            rsc = frame.rsc[:RSC_LEN[self.pairwise]] if self.wpa else bytes(RSC_LEN[self.pairwise])
            out.append(InstallPairwiseKey(_driver_layout(ptk.tk, self.pairwise), self.pairwise, rsc))
            self._installed_tk = ptk.tk
        previous, self.state = self.state, target
        try:
            self._message_3_group_keys(key_data, igtk, frame.rsc, out)
        except _Fail as e:  # message 4 is out and the PTK in: hostap's group handshake state
            self.state = State.FAILED
            return [*out, *e.said, HandshakeFailed(str(e), e.code, after_message_4=True)]
        if target is State.COMPLETED and previous is not State.COMPLETED:
            out.append(HandshakeCompleted(rekey=previous is State.REKEYING))
        return out

    def _message_3_group_keys(self, key_data: KeyData, igtk: IgtkKde | None, rsc: bytes, out: list[WpaEvent]) -> None:
        """The GTK, IGTK and BIGTK of message 3 installed into `out`, in hostap's order; _Fail at the first it
        refuses, with the keys before it installed, as hostap leaves them."""
        if not self.wpa:
            kde = key_data.gtk()
            if kde is None:
                raise _Fail("no GTK KDE in message 3", KeyDataRefused(Refusal.NO_GTK_KDE))
            gtk = kde.gtk
            if len(gtk) <= 32 and kde.tx:  # a group-key-only AP's bit: hostap ignores it, and says so
                out.append(FrameNotice(Notice.GTK_TX_BIT))
            if len(gtk) != KEY_LEN[self.group]:
                # hostap checks the length against the cipher's only for a GTK of up to 32 bytes
                said = [KeyDataRefused(Refusal.GTK_LENGTH, len(gtk), self.group, len(gtk))] if len(gtk) <= 32 else []
                raise _Fail(f"GTK of {len(gtk)} bytes for {cipher_name(self.group)}", *said,
                            GroupKeyNotConfigured("GTK"))
            out += self._install_gtk(gtk, kde.key_id, rsc)
        mgmt_keys, refused = self._mgmt_group_keys(key_data, igtk)
        out += mgmt_keys
        if refused:
            raise _Fail("a BIP key of message 3 could not be installed")

    def _mgmt_group_keys(self, key_data: KeyData, igtk: IgtkKde | None) -> tuple[list[WpaEvent], bool]:
        """hostap's ieee80211w_set_keys: the IGTK, then the BIGTK (with beacon protection), installed; at the first
        it refuses, what it says of it, and True (the rest is not tried)."""
        if igtk is not None:
            if igtk.key_id > 4095:
                return [KeyDataRefused(Refusal.IGTK_KEY_ID, igtk.key_id), GroupKeyNotConfigured("IGTK")], True
            out = self._install_igtk(igtk)
        else:
            out = []
        beacon_key = self._install_bigtk(key_data)
        if any(isinstance(event, BigtkNotInstalled) for event in beacon_key):
            return [*out, *beacon_key, GroupKeyNotConfigured("IGTK")], True
        return out + beacon_key, False

    def _check_ies(self, key_data: KeyData) -> None:
        """12.7.6.4: message 3 repeats the AP's Beacon/Probe Response element; a difference is a downgrade
        attempt and ends the association (reason 17), in the words of hostap's wpa_supplicant_validate_ie and
        wpa_report_ie_mismatch. (hostap looks for an AP whose elements it does not know in its scan results, and
        leaves with reason 1 when it finds none; pywps knows them from the BSS it joined.)"""
        rsn, wpa = key_data.rsn_ie, key_data.wpa_ie
        if self.ap_rsn_ie is None and self.ap_wpa_ie is None:
            raise _Fail("no RSN/WPA element known for the AP to compare message 3 with",
                        KeyDataRefused(Refusal.AP_NOT_FOUND))
        if rsn is None and wpa is None:
            refusal = Refusal.IE_MISMATCH_NO_IE
        elif (wpa is not None and self.ap_wpa_ie is not None and wpa != self.ap_wpa_ie) or (
                rsn is not None and self.ap_rsn_ie is not None and rsn != self.ap_rsn_ie):
            refusal = Refusal.IE_MISMATCH
        elif self.wpa and rsn is not None and self.ap_rsn_ie is None:
            refusal = Refusal.RSN_DOWNGRADE
        else:
            return
        said = [KeyDataRefused(refusal)]
        if wpa is not None and self.ap_wpa_ie is None:
            said.append(KeyDataRefused(Refusal.NO_WPA_IE_IN_BEACON))
        if rsn is not None and self.ap_rsn_ie is None:
            said.append(KeyDataRefused(Refusal.NO_RSN_IE_IN_BEACON))
        raise _Fail(f"message 3's RSN/WPA element and the Beacon/Probe Response's: {refusal.name}", *said,
                    code=REASON_IE_IN_4WAY_DIFFERS)

    # -- group key message 1 of 2 ------------------------------------------------------------------------------

    def _group_message_1(self, frame: EapolKey, target: State, ptk: Ptk, plain: bytes) -> list[WpaEvent]:
        mgmt_keys: list[WpaEvent] = []  # an IGTK or BIGTK refused is said, and the group message still answered
        if self.wpa:
            gtk, key_id = self._wpa_group_message_gtk(frame, ptk), frame.key_index
            tx = bool(frame.key_info & KeyInfo.INSTALL)  # a group message's Tx/Rx bit
        else:
            key_data = self._key_data(plain, after_message_4=True)
            if not frame.key_info & KeyInfo.ENCRYPTED_KEY_DATA and key_data.kde(KdeType.GTK) is not None:
                raise _Fail("GTK KDE in unencrypted key data", KeyDataRefused(Refusal.GTK_IN_CLEAR),
                            after_message_4=True)
            gtk, key_id, tx = self._group_message_gtk(key_data)
            mgmt_keys = self._group_message_mgmt_keys(key_data)

        out: list[WpaEvent] = [FrameNotice(Notice.GTK_TX_BIT)] if tx else []
        # hostap installs the GTK before it answers, so no group frame is lost in between.
        out += self._install_gtk(gtk, key_id, frame.rsc)
        out += mgmt_keys
        info = KeyInfo.SECURE | (frame.key_info & KeyInfo.KEY_INDEX_MASK)
        out.append(SendEapol(self._eapol(info, frame, b"", ptk)))
        previous, self.state = self.state, target
        if previous is State.GROUP_HANDSHAKE:
            out.append(HandshakeCompleted())
        else:
            out.append(GroupRekeyed(key_id))
        return out

    def _wpa_group_message_gtk(self, frame: EapolKey, ptk: Ptk) -> bytes:
        """A WPA group message's GTK, as hostap's process_1_of_2_wpa takes it: Key Length long, first in the Key
        Data, which is RC4-encrypted or AES-wrapped whole; what it refuses ends the association."""
        def refuse(reason: str, *said: WpaEvent) -> _Fail:
            return _Fail(reason, *said, after_message_4=True)

        gtk_len, room, version = frame.key_length, len(frame.key_data), frame.descriptor_version
        if version == VERSION_HMAC_SHA1_AES:
            if room < 8:
                raise refuse(f"key data of {room} bytes", KeyDataRefused(Refusal.WPA_KEY_DATA_SHORT, room))
            room -= 8  # the key wrap's integrity block
        if gtk_len > room:  # hostap gives no word of its own
            raise refuse(f"Key Length {gtk_len} over the {room} bytes the key data holds")
        if gtk_len != KEY_LEN[self.group]:  # (hostap also checks the room, which holds it by now)
            raise refuse(f"GTK of {gtk_len} bytes for {cipher_name(self.group)}",
                         KeyDataRefused(Refusal.GTK_LENGTH, gtk_len, self.group, room))
        if version == VERSION_HMAC_MD5_RC4:
            if room > 32:
                raise refuse(f"RC4 key data of {room} bytes", KeyDataRefused(Refusal.WPA_RC4_KEY_DATA_LONG, room))
        elif version == VERSION_HMAC_SHA1_AES:
            if room % 8:
                raise refuse(f"AES-wrapped key data of {room + 8} bytes",
                             KeyDataRefused(Refusal.WPA_AES_WRAP_LENGTH, room))
            if room > 32:
                raise refuse(f"AES-wrapped key data of {room + 8} bytes",
                             KeyDataRefused(Refusal.WPA_AES_WRAP_LONG, room + 8, room=room))
        else:
            raise refuse(f"descriptor version {version} on a WPA group message",
                         KeyDataRefused(Refusal.WPA_KEY_INFO_TYPE, version))
        try:
            return unwrap_key_data(ptk.kek, frame.key_data, version, frame.iv)[:gtk_len]
        except KeyFrameError:  # the AES key wrap's integrity check failed
            raise refuse("key data does not unwrap with the KEK", KeyDataRefused(Refusal.WPA_AES_UNWRAP)) from None

    def _group_message_gtk(self, key_data: KeyData) -> tuple[bytes, int, bool]:
        """The GTK, its KeyID and Tx bit, as hostap's process_1_of_2_rsn takes them; what it refuses ends the
        association."""
        kde = key_data.gtk()  # one of 2 bytes or fewer is none to hostap either
        if kde is None:
            raise _Fail("no GTK KDE in group message 1", KeyDataRefused(Refusal.NO_GTK_IN_GROUP_MESSAGE),
                        after_message_4=True)
        gtk = kde.gtk
        if len(gtk) > 32:
            raise _Fail(f"GTK of {len(gtk)} bytes", KeyDataRefused(Refusal.GROUP_GTK_TOO_LONG, len(gtk)),
                        after_message_4=True)
        if len(gtk) != KEY_LEN[self.group]:
            raise _Fail(f"GTK of {len(gtk)} bytes for {cipher_name(self.group)}",
                        KeyDataRefused(Refusal.GTK_LENGTH, len(gtk), self.group, len(gtk)), after_message_4=True)
        return gtk, kde.key_id, kde.tx

    def _group_message_mgmt_keys(self, key_data: KeyData) -> list[WpaEvent]:
        """A group message's IGTK and BIGTK (hostap's ieee80211w_set_keys, whose failure is only said: the group
        message is answered all the same)."""
        kde = key_data.kde(KdeType.IGTK) if self.mgmt_group is not None else None
        if kde is not None and len(kde.data) != IGTK_KDE_PREFIX_LEN + KEY_LEN[self.mgmt_group]:
            return [GroupKeyNotConfigured("IGTK")]  # refused with no word of its own; the BIGTK is not tried
        igtk = key_data.igtk() if kde is not None else None
        if igtk is not None and _left_to_the_kernel(igtk):
            igtk = None  # left out here
        return self._mgmt_group_keys(key_data, igtk)[0]

    # -- shared ------------------------------------------------------------------------------------------------

    def _install_igtk(self, kde: IgtkKde) -> list[WpaEvent]:
        if kde.igtk == self._installed_igtk:  # KRACK: a repeated IGTK would reset its replay counter (IPN)
            return []
        if kde.key_id in SWAPPED_IGTK_KEY_IDS:  # such an AP cannot be trusted with BIP (hostap): the link stays
            return [IgtkNotInstalled(kde.key_id)]
        assert self.mgmt_group is not None
        self._installed_igtk = kde.igtk
        return [InstallGroupKey(kde.igtk, kde.key_id, kde.ipn, self.mgmt_group)]

    def _install_bigtk(self, key_data: KeyData) -> list[WpaEvent]:
        """The key data's BIGTK installed, as hostap's ieee80211w_set_keys does with beacon protection on: nothing
        without one (an AP may leave it out) or when it is the one installed; BigtkNotInstalled for a KDE of the
        wrong length or a KeyID other than 6 or 7."""
        kde = key_data.kde(KdeType.BIGTK) if self.beacon_protection else None
        if kde is None:
            return []
        assert self.mgmt_group is not None
        if len(kde.data) != BIGTK_KDE_PREFIX_LEN + KEY_LEN[self.mgmt_group]:
            return [BigtkNotInstalled(None, f"BIGTK KDE of {len(kde.data)} bytes for {cipher_name(self.mgmt_group)}")]
        key_id, bipn, bigtk = int.from_bytes(kde.data[:2], "little"), kde.data[2:8], kde.data[8:]
        if bigtk == self._installed_bigtk:  # KRACK: a repeated BIGTK would reset its replay counter (BIPN)
            return []
        if key_id not in BIGTK_KEY_IDS:
            return [BigtkNotInstalled(key_id, f"BIGTK KeyID {key_id} (6 or 7)")]
        self._installed_bigtk = bigtk
        return [InstallGroupKey(bigtk, key_id, bipn, self.mgmt_group)]

    def _install_gtk(self, gtk: bytes, key_id: int, rsc: bytes) -> list[WpaEvent]:
        if gtk == self._installed_gtk:  # a repeated GTK (retransmission, PTK rekey): reinstalling resets its RSC
            return []
        self._installed_gtk = gtk
        return [InstallGroupKey(_driver_layout(gtk, self.group), key_id, rsc[: RSC_LEN[self.group]], self.group)]
