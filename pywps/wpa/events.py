"""What the handshake hands its user, in the order the driver must act on them (aioquic's events.py style)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from .rsn import Cipher


class WpaEvent:
    """Base class of every event."""


@dataclass
class SendEapol(WpaEvent):
    """Send this EAPOL PDU (version, type, length, body) to the AP."""

    pdu: bytes


@dataclass(repr=False)
class InstallPairwiseKey(WpaEvent):
    """Install the TK for the AP (key index 0). `tk` is in the layout nl80211 takes: for TKIP the two Michael
    keys are swapped as wpa_supplicant does for a station. `cipher.suite` is the nl80211 selector."""

    tk: bytes
    cipher: Cipher
    rsc: bytes = bytes(6)

    def __repr__(self) -> str:
        return f"InstallPairwiseKey(<{len(self.tk)}-byte key hidden>, {self.cipher.name})"


@dataclass(repr=False)
class InstallGroupKey(WpaEvent):
    """Install a GTK for receiving at `key_index` (1-3), starting from `rsc` (the 6-byte little-endian PN/TSC);
    or an IGTK (BIP, index 4 or 5) or BIGTK (BIP for beacons, 6 or 7), starting from its IPN or BIPN, as
    wpa_supplicant installs them (receive only)."""

    gtk: bytes
    key_index: int
    rsc: bytes
    cipher: Cipher

    def __repr__(self) -> str:
        return f"InstallGroupKey(<{len(self.gtk)}-byte key hidden>, index={self.key_index}, {self.cipher.name})"


@dataclass
class HandshakeCompleted(WpaEvent):
    """Keys are in place: open the controlled port (CTRL-EVENT-CONNECTED). `rekey` for a PTK rekey."""

    rekey: bool = False


@dataclass
class GroupRekeyed(WpaEvent):
    """A group key handshake finished (the GTK may have been the one already installed)."""

    key_index: int


@dataclass
class IgtkNotInstalled(WpaEvent):
    """The AP sent its IGTK under KeyID 0x0400 or 0x0500 (4 or 5 with the bytes swapped): as hostap does for
    such APs, the IGTK is left out and the link goes on; the kernel drops their protected group addressed
    management frames."""

    key_id: int


@dataclass
class BigtkNotInstalled(WpaEvent):
    """The AP's BIGTK could not be installed: its KDE has the wrong length (`key_id` None) or a KeyID other
    than 6 or 7. A GroupKeyNotConfigured follows."""

    key_id: int | None
    reason: str


@dataclass
class FrameDropped(WpaEvent):
    """A frame was ignored and nothing changed: malformed, unauthenticated, replayed or out of place. What hostap
    says of it, where it says something, comes first (FrameNotice)."""

    reason: str


class Notice(Enum):
    """What hostap's wpa_sm_rx_eapol (and the MIC check and key data decryption it calls) says of an EAPOL-Key
    frame before it drops it, each in words of its own; its tolerances say theirs and the frame goes on."""

    KEY_DATA_OVERFLOW = auto()  # Key Data Length (value) over the bytes the frame holds (room)
    DESCRIPTOR_VERSION = auto()  # a descriptor version other than 1-3 (value)
    NOT_CMAC = auto()  # PSK-SHA256 without version 3 (AES-128-CMAC)
    CCMP_VERSION = auto()  # CCMP pairwise, a version other than 2 (value): dropped unless a tolerance follows
    NON_CCMP_GROUP_TOLERATED = auto()  # ... in a group message of a non-CCMP group cipher
    CMAC_TOLERATED = auto()  # ... as version 3
    GCMP_VERSION = auto()  # GCMP pairwise, a version other than 2 (value)
    REPLAY = auto()  # the replay counter is not above the last authentic frame's
    SMK = auto()
    NO_ACK = auto()
    REQUEST = auto()
    MIC_TPTK = auto()  # the MIC does not verify under the PTK of the handshake under way (said, then the PTK tried)
    MIC_INVALID = auto()  # ... nor under the PTK in use
    MIC_UNVERIFIED = auto()  # ... and there is no PTK in use
    UNAUTHENTICATED_DATA = auto()  # encrypted key data without a MIC (RSN)
    AES_WRAP_LENGTH = auto()  # wrapped key data under 8 bytes or not a multiple of 8 (value)
    AES_UNWRAP = auto()  # wrapped key data that fails the key wrap's integrity check
    PAIRWISE_KEY_INDEX = auto()  # a pairwise frame with a key index
    GROUP_WITHOUT_MIC = auto()  # a group frame with neither the MIC nor the Encrypted Key Data bit
    GTK_TX_BIT = auto()  # a GTK with its Tx bit set (a group-key-only AP's): ignored, the frame goes on


@dataclass
class FrameNotice(WpaEvent):
    """hostap's words on a frame it drops (a FrameDropped follows) or takes with a tolerance of its own (a
    descriptor version, a GTK's Tx bit)."""

    notice: Notice
    value: int = 0
    room: int = 0


class Refusal(Enum):
    """What of an authentic message 3 or group message hostap refuses, ending the association, each said in words
    of its own (process_3_of_4, process_1_of_2_rsn and what they call)."""

    PAIRWISE_KEY_LENGTH = auto()  # message 3's Key Length, for the pairwise cipher (before message 4)
    IGTK_KDE_LENGTH = auto()  # message 3's IGTK KDE length, for the management group cipher (before message 4)
    NO_GTK_KDE = auto()  # an RSN message 3 without a GTK (after message 4 and the PTK)
    GTK_LENGTH = auto()  # a GTK's length, for the group cipher
    IGTK_KEY_ID = auto()  # an IGTK KeyID over 4095 (message 3: after message 4, the PTK and the GTK; a group
    # message goes on without the IGTK)
    NO_GTK_IN_GROUP_MESSAGE = auto()
    GROUP_GTK_TOO_LONG = auto()  # a group message's GTK over 32 bytes
    GTK_IN_CLEAR = auto()  # a GTK KDE in key data that is not encrypted (message 3 or an RSN group message)
    IGTK_IN_CLEAR = auto()  # an IGTK KDE in message 3's key data that is not encrypted
    # a WPA (not RSN) group message, whose Key Data is the GTK alone (process_1_of_2_wpa); GTK_LENGTH too
    WPA_KEY_DATA_SHORT = auto()  # AES-wrapped key data under 8 bytes
    WPA_RC4_KEY_DATA_LONG = auto()  # RC4-encrypted key data over 32 bytes
    WPA_AES_WRAP_LENGTH = auto()  # AES-wrapped key data not a multiple of 8 bytes
    WPA_AES_WRAP_LONG = auto()  # AES-wrapped key data over 40 bytes
    WPA_AES_UNWRAP = auto()  # key data that fails the key wrap's integrity check
    WPA_KEY_INFO_TYPE = auto()  # descriptor version 3 (AES-128-CMAC) on a WPA group message
    # message 3's RSN or WPA element and the AP's Beacon/Probe Response (reason 17, but for AP_NOT_FOUND)
    AP_NOT_FOUND = auto()  # no element of the AP's known to compare with
    IE_MISMATCH_NO_IE = auto()  # message 3 holds neither element
    IE_MISMATCH = auto()  # an element differs from the AP's
    RSN_DOWNGRADE = auto()  # WPA: message 3 holds an RSN element the AP did not advertise
    NO_WPA_IE_IN_BEACON = auto()  # said after one of the three above: message 3 has an element the AP had not
    NO_RSN_IE_IN_BEACON = auto()


@dataclass
class KeyDataRefused(WpaEvent):
    """An authentic message holds what hostap refuses (`value`: the length, KeyID or version it had; `cipher`: the
    one it was checked for). A HandshakeFailed follows, but for an IGTK KeyID in a group message."""

    refusal: Refusal
    value: int = 0
    cipher: Cipher | None = None
    room: int = 0  # the bytes of key the Key Data held, where hostap says it (its maxkeylen)


@dataclass
class GroupKeyNotConfigured(WpaEvent):
    """hostap's "RSN: Failed to configure GTK" (`key` "GTK") or "... IGTK" (an IGTK or BIGTK: hostap says IGTK
    for every BIP key): after message 3 a HandshakeFailed follows; a group message is still answered."""

    key: str


@dataclass
class HandshakeFailed(WpaEvent):
    """The AP proved it knows the PMK but broke the protocol in a way 802.11 says ends the association:
    disconnect with `reason_code` (17 = IE in 4-way handshake differs from (Re)Association/Beacon).
    `after_message_4`: message 4 went out and the PTK is in (hostap's group handshake state), so a wrong
    passphrase is out of the question."""

    reason: str
    reason_code: int = 1
    after_message_4: bool = False
