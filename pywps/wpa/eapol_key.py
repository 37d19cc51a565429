"""EAPOL-Key frames (IEEE 802.11-2016 12.7.2) and the elements and KDEs of their Key Data field (12.7.2, 12.7.3).

Frames here are whole EAPOL PDUs (version, type 3, length, body) with a 16-byte Key MIC, the size of every AKM
pywps speaks. Parsing is strict: any length or field that does not add up raises KeyFrameError naming it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, replace
from enum import IntEnum, IntFlag

from .errors import KeyDataOverflow, KeyFrameError
from .rsn import EID_RSN, EID_VENDOR, IEEE_OUI, WPA_IE_TYPE, WPA_OUI

EAPOL_TYPE_KEY = 3
NONCE_LEN = 32
MIC_LEN = 16
# Offsets inside the PDU: EAPOL header (4), descriptor type (1), Key Information (2), Key Length (2),
# Replay Counter (8), Nonce (32), IV (16), RSC (8), reserved (8), MIC (16), Key Data Length (2).
MIC_OFFSET = 4 + 1 + 2 + 2 + 8 + 32 + 16 + 8 + 8
KEY_DATA_OFFSET = MIC_OFFSET + MIC_LEN + 2
BODY_MIN = KEY_DATA_OFFSET - 4  # 95


class DescriptorType(IntEnum):
    RSN = 2
    WPA = 254  # the pre-802.11i WPA descriptor


class KeyInfo(IntFlag):
    """The Key Information field (Figure 12-33). Bits 0-2 are the descriptor version, bits 4-5 the WPA key index."""

    VERSION_HMAC_MD5_RC4 = 0x0001  # descriptor version 1 (TKIP)
    VERSION_HMAC_SHA1_AES = 0x0002  # descriptor version 2 (CCMP)
    VERSION_MASK = 0x0007
    PAIRWISE = 0x0008  # the Key Type bit: 1 pairwise, 0 group
    KEY_INDEX_MASK = 0x0030  # WPA descriptor only; reserved in RSN
    INSTALL = 0x0040  # pairwise messages; the same bit is Tx/Rx in WPA group messages
    ACK = 0x0080
    MIC = 0x0100
    SECURE = 0x0200
    ERROR = 0x0400
    REQUEST = 0x0800
    ENCRYPTED_KEY_DATA = 0x1000  # RSN only
    SMK_MESSAGE = 0x2000


@dataclass(frozen=True)
class EapolKey:
    """One EAPOL-Key frame. `raw` keeps the received bytes, so a MIC is checked over what was sent."""

    descriptor_type: int
    key_info: KeyInfo
    key_length: int = 0
    replay_counter: int = 0
    nonce: bytes = bytes(NONCE_LEN)
    iv: bytes = bytes(16)
    rsc: bytes = bytes(8)
    reserved: bytes = bytes(8)
    mic: bytes = bytes(MIC_LEN)
    key_data: bytes = b""
    version: int = 1  # EAPOL protocol version of the header
    raw: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def descriptor_version(self) -> int:
        return int(self.key_info & KeyInfo.VERSION_MASK)

    @property
    def key_index(self) -> int:
        return int(self.key_info & KeyInfo.KEY_INDEX_MASK) >> 4

    def to_bytes(self) -> bytes:
        if (len(self.nonce), len(self.iv), len(self.rsc), len(self.reserved), len(self.mic)) != (32, 16, 8, 8, 16):
            raise ValueError("nonce 32, IV 16, RSC 8, reserved 8 and MIC 16 bytes")
        body = (
            struct.pack(">BHHQ", self.descriptor_type, self.key_info, self.key_length, self.replay_counter)
            + self.nonce + self.iv + self.rsc + self.reserved + self.mic
            + struct.pack(">H", len(self.key_data)) + self.key_data
        )
        return struct.pack(">BBH", self.version, EAPOL_TYPE_KEY, len(body)) + body

    def mic_input(self) -> bytes:
        """The PDU with its MIC field zeroed: what the Key MIC covers (the received bytes when parsed)."""
        pdu = self.raw if self.raw is not None else self.to_bytes()
        return pdu[:MIC_OFFSET] + bytes(MIC_LEN) + pdu[MIC_OFFSET + MIC_LEN :]

    def with_mic(self, mic: bytes) -> EapolKey:
        return replace(self, mic=mic, raw=None)


def parse_eapol_key(pdu: bytes) -> EapolKey:
    """Read an EAPOL-Key PDU. Bytes after the EAPOL length (Ethernet padding) are ignored, and so are bytes after
    the Key Data Length, as hostap ignores them (the MIC still covers them); anything else that does not add up
    raises KeyFrameError (KeyDataOverflow for a Key Data Length over what the frame holds)."""
    if len(pdu) < 4:
        raise KeyFrameError(f"EAPOL frame of {len(pdu)} bytes")
    version, ptype, length = struct.unpack_from(">BBH", pdu)
    if ptype != EAPOL_TYPE_KEY:
        raise KeyFrameError(f"EAPOL packet type {ptype} is not EAPOL-Key")
    if length > len(pdu) - 4:
        raise KeyFrameError(f"EAPOL length {length} exceeds the {len(pdu) - 4} bytes present")
    if length < BODY_MIN:
        raise KeyFrameError(f"EAPOL-Key body of {length} bytes, at least {BODY_MIN} expected")
    raw = pdu[: 4 + length]
    dtype, info, key_length, replay = struct.unpack_from(">BHHQ", raw, 4)
    if dtype not in (DescriptorType.RSN, DescriptorType.WPA):
        raise KeyFrameError(f"EAPOL-Key descriptor type {dtype}")
    (data_len,) = struct.unpack_from(">H", raw, KEY_DATA_OFFSET - 2)
    present = len(raw) - KEY_DATA_OFFSET
    if data_len > present:
        raise KeyDataOverflow(data_len, present)
    pos = 4 + 1 + 2 + 2 + 8
    fields = []
    for size in (32, 16, 8, 8, 16):
        fields.append(raw[pos : pos + size])
        pos += size
    nonce, iv, rsc, reserved, mic = fields
    return EapolKey(DescriptorType(dtype), KeyInfo(info), key_length, replay, nonce, iv, rsc, reserved, mic,
                    raw[KEY_DATA_OFFSET : KEY_DATA_OFFSET + data_len], version, raw)


# -- Key Data: elements and KDEs -------------------------------------------------------------------------------


class KdeType(IntEnum):
    """KDE data types under OUI 00-0F-AC (Table 12-6)."""

    GTK = 1
    MAC_ADDRESS = 3
    PMKID = 4
    IGTK = 9
    KEY_ID = 10
    OCI = 13
    BIGTK = 14


@dataclass(frozen=True)
class Kde:
    oui: bytes
    type: int
    data: bytes


@dataclass(frozen=True)
class GtkKde:
    key_id: int
    tx: bool
    gtk: bytes

    def __repr__(self) -> str:
        return f"GtkKde(key_id={self.key_id}, tx={self.tx}, <{len(self.gtk)}-byte GTK hidden>)"


@dataclass(frozen=True)
class IgtkKde:
    """The IGTK KDE (12.7.2, Figure 12-40): Key ID (2 octets, little-endian: 4 or 5), IPN (6 octets, the
    BIP replay counter to start from), IGTK."""

    key_id: int
    ipn: bytes
    igtk: bytes

    def __repr__(self) -> str:
        return f"IgtkKde(key_id={self.key_id}, <{len(self.igtk)}-byte IGTK hidden>)"


IGTK_KDE_PREFIX_LEN = 8  # Key ID and IPN


# The BIGTK KDE (12.7.2) has the IGTK KDE's layout: Key ID (6 or 7), BIPN (the beacons' replay counter), BIGTK
BIGTK_KDE_PREFIX_LEN = 8  # Key ID and BIPN


# hostap's wpa_parse_generic takes a KDE of these types only with at least this much data (it skips a shorter one)
_KDE_LEAST_DATA = {KdeType.GTK: 3, KdeType.MAC_ADDRESS: 3, KdeType.PMKID: 16, KdeType.IGTK: 3, KdeType.KEY_ID: 2,
                   KdeType.BIGTK: 3}


@dataclass(frozen=True)
class KeyData:
    """The Key Data field split into whole elements (id, length, body) and KDEs, padding removed. A lookup finds
    the last of its kind, as hostap's wpa_parse_kde_ies keeps the last."""

    elements: tuple[bytes, ...] = ()
    kdes: tuple[Kde, ...] = ()

    def element(self, eid: int) -> bytes | None:
        return next((e for e in reversed(self.elements) if e[0] == eid), None)

    @property
    def rsn_ie(self) -> bytes | None:
        return self.element(EID_RSN)

    @property
    def wpa_ie(self) -> bytes | None:
        # hostap's test: vendor element 00-50-F2 type 1 whose next two bytes are version 1
        return next((e for e in reversed(self.elements)
                     if e[0] == EID_VENDOR and e[2:6] == WPA_OUI + bytes([WPA_IE_TYPE]) and e[6:8] == b"\x01\x00"),
                    None)

    def kde(self, kde_type: KdeType) -> Kde | None:
        least = _KDE_LEAST_DATA.get(kde_type, 0)
        return next((k for k in reversed(self.kdes)
                     if k.oui == IEEE_OUI and k.type == kde_type and len(k.data) >= least), None)

    def gtk(self) -> GtkKde | None:
        kde = self.kde(KdeType.GTK)
        if kde is None:  # (kde() skips one of 2 data bytes or fewer, as hostap does)
            return None
        return GtkKde(kde.data[0] & 0x03, bool(kde.data[0] & 0x04), kde.data[2:])

    def igtk(self) -> IgtkKde | None:
        kde = self.kde(KdeType.IGTK)
        if kde is None:
            return None
        if len(kde.data) <= IGTK_KDE_PREFIX_LEN:
            raise KeyFrameError(f"IGTK KDE of {len(kde.data)} bytes")
        return IgtkKde(int.from_bytes(kde.data[:2], "little"), kde.data[2:8], kde.data[8:])


def parse_key_data(data: bytes) -> KeyData:
    """Split decrypted Key Data into elements and KDEs (vendor elements whose OUI+type name a KDE), as hostap's
    wpa_parse_kde_ies does: the padding (12.7.2 j) starts at 0xdd with a zero length, and what follows it is not
    read; a last byte alone is no element; an element that overruns the field raises KeyFrameError.
    """
    elements: list[bytes] = []
    kdes: list[Kde] = []
    pos = 0
    while len(data) - pos > 1:
        if data[pos] == EID_VENDOR and data[pos + 1] == 0:
            break
        end = pos + 2 + data[pos + 1]
        if end > len(data):
            raise KeyFrameError(f"element {data[pos]} at offset {pos} overruns the {len(data)}-byte Key Data")
        element = data[pos:end]
        if element[0] == EID_VENDOR and len(element) >= 6 and element[2:5] == IEEE_OUI:
            kdes.append(Kde(element[2:5], element[5], element[6:]))
        else:
            elements.append(element)
        pos = end
    return KeyData(tuple(elements), tuple(kdes))


def build_kde(kde_type: int, data: bytes, oui: bytes = IEEE_OUI) -> bytes:
    body = oui + bytes([kde_type]) + data
    if len(body) > 255:
        raise ValueError("KDE too long")
    return bytes([EID_VENDOR, len(body)]) + body


def build_gtk_kde(key_id: int, gtk: bytes, tx: bool = False) -> bytes:
    return build_kde(KdeType.GTK, bytes([(key_id & 0x03) | (0x04 if tx else 0), 0]) + gtk)


def pad_key_data(data: bytes) -> bytes:
    """Pad to a multiple of 8 octets, at least 16, with 0xdd 0x00... as AES key wrap needs (12.7.2 j)."""
    if len(data) >= 16 and len(data) % 8 == 0:
        return data
    target = max(16, (len(data) + 8) // 8 * 8)
    return data + b"\xdd" + bytes(target - len(data) - 1)
