"""RSN and WPA (vendor) elements: suite numbers, parsing, building, and wpa_supplicant's names for them.

IEEE 802.11-2016 9.4.2.25 (RSNE), Table 9-131 (cipher suites), Table 9-133 (AKM suites). The WPA element is the
pre-802.11i vendor element 00-50-F2 type 1 with the same layout minus the PMKID and group management fields.
`scan_flags()` reproduces wpa_supplicant's ctrl_iface.c wpa_supplicant_ie_txt() byte for byte.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from .errors import KeyFrameError

IEEE_OUI = b"\x00\x0f\xac"
WPA_OUI = b"\x00\x50\xf2"
WFA_OUI = b"\x50\x6f\x9a"
EID_RSN = 48
EID_VENDOR = 221
WPA_IE_TYPE = 1
RSN_VERSION = 1
CAP_PREAUTH = 0x0001
CAP_MFPR = 0x0040  # management frame protection required
CAP_MFPC = 0x0080  # management frame protection capable


class Cipher(IntEnum):
    """Cipher suite types of OUI 00-0F-AC (the WPA element uses the same numbers under 00-50-F2)."""

    USE_GROUP = 0  # "NONE" in wpa_supplicant: no pairwise keys
    WEP40 = 1
    TKIP = 2
    CCMP = 4
    WEP104 = 5
    BIP_CMAC_128 = 6
    GROUP_NOT_ALLOWED = 7  # "no group addressed traffic" (GTK_NOT_USED)
    GCMP = 8
    GCMP_256 = 9
    CCMP_256 = 10
    BIP_GMAC_128 = 11
    BIP_GMAC_256 = 12
    BIP_CMAC_256 = 13

    @property
    def suite(self) -> int:
        """The 32-bit selector nl80211 takes (NL80211_ATTR_CIPHER_SUITE_*, NL80211_KEY_CIPHER): 0x000FAC04."""
        return 0x000FAC00 | self.value


class Akm(IntEnum):
    """AKM suite types of OUI 00-0F-AC; WPA_NONE is the WPA element's 00-50-F2:0."""

    WPA_NONE = 0
    IEEE8021X = 1
    PSK = 2
    FT_IEEE8021X = 3
    FT_PSK = 4
    IEEE8021X_SHA256 = 5
    PSK_SHA256 = 6
    TDLS = 7
    SAE = 8
    FT_SAE = 9
    AP_PEERKEY = 10
    IEEE8021X_SUITE_B = 11
    IEEE8021X_SUITE_B_192 = 12
    FT_IEEE8021X_SHA384 = 13
    FILS_SHA256 = 14
    FILS_SHA384 = 15
    FT_FILS_SHA256 = 16
    FT_FILS_SHA384 = 17
    OWE = 18
    FT_PSK_SHA384 = 19
    PSK_SHA384 = 20
    PASN = 21
    IEEE8021X_SHA384 = 23
    SAE_EXT_KEY = 24
    FT_SAE_EXT_KEY = 25

    @property
    def suite(self) -> int:
        """The 32-bit selector of NL80211_ATTR_AKM_SUITES (0x000FAC02 for PSK)."""
        return 0x000FAC00 | self.value


# Suites outside 00-0F-AC that wpa_supplicant still names (Wi-Fi Alliance OUI 50-6F-9A).
AKM_OSEN = 0x506F9A01
AKM_DPP = 0x506F9A02

KEY_LEN = {Cipher.CCMP: 16, Cipher.GCMP: 16, Cipher.TKIP: 32, Cipher.CCMP_256: 32, Cipher.GCMP_256: 32,
           Cipher.WEP40: 5, Cipher.WEP104: 13, Cipher.BIP_CMAC_128: 16, Cipher.BIP_GMAC_128: 16,
           Cipher.BIP_GMAC_256: 32, Cipher.BIP_CMAC_256: 32}
RSC_LEN = {Cipher.CCMP: 6, Cipher.GCMP: 6, Cipher.TKIP: 6, Cipher.CCMP_256: 6, Cipher.GCMP_256: 6}

# wpa_supplicant's wpa_cipher_txt() (STATUS pairwise_cipher= / group_cipher=).
_CIPHER_TXT = {Cipher.USE_GROUP: "NONE", Cipher.WEP40: "WEP-40", Cipher.WEP104: "WEP-104", Cipher.TKIP: "TKIP",
               Cipher.CCMP: "CCMP", Cipher.GCMP: "GCMP", Cipher.GCMP_256: "GCMP-256", Cipher.CCMP_256: "CCMP-256",
               Cipher.BIP_CMAC_128: "BIP", Cipher.BIP_GMAC_128: "BIP-GMAC-128", Cipher.BIP_GMAC_256: "BIP-GMAC-256",
               Cipher.BIP_CMAC_256: "BIP-CMAC-256", Cipher.GROUP_NOT_ALLOWED: "GTK_NOT_USED"}

Suite = Cipher | Akm | int  # a known suite, or the raw 32-bit selector of one we do not know


def cipher_name(cipher: Suite) -> str:
    """The name wpa_supplicant's STATUS prints for a cipher ("CCMP", "TKIP", ...; "UNKNOWN" otherwise)."""
    return _CIPHER_TXT.get(cipher, "UNKNOWN") if isinstance(cipher, Cipher) else "UNKNOWN"


def key_mgmt_name(akm: Suite, rsn: bool) -> str:
    """STATUS key_mgmt= for the AKMs pywps negotiates ("WPA2-PSK", "WPA-PSK"; wpa_key_mgmt_txt())."""
    names = {Akm.PSK: ("WPA2-PSK", "WPA-PSK"), Akm.IEEE8021X: ("WPA2/IEEE 802.1X/EAP", "WPA/IEEE 802.1X/EAP"),
             Akm.PSK_SHA256: ("WPA2-PSK-SHA256",) * 2, Akm.SAE: ("SAE",) * 2}
    pair = names.get(akm) if isinstance(akm, Akm) else None
    return "UNKNOWN" if pair is None else pair[0 if rsn else 1]


@dataclass(frozen=True)
class RsnInfo:
    """What an RSN or WPA element says. Absent trailing fields take the defaults of 9.4.2.25 (RSN: CCMP/CCMP/
    802.1X; WPA: TKIP/TKIP/802.1X), as hostap does; unknown suites stay as raw 32-bit selectors."""

    wpa: bool  # True for the WPA vendor element, False for the RSN element
    group: Suite
    pairwise: tuple[Suite, ...]
    akms: tuple[Suite, ...]
    capabilities: int = 0
    pmkids: tuple[bytes, ...] = ()
    group_mgmt: Suite | None = None  # the Group Management Cipher Suite when present (RSN only)


# The suite types each OUI defines: a selector outside these stays a raw int (00-0F-AC:0 is no AKM, and the
# WPA element knows only AKMs 0-2).
_KNOWN = {
    (IEEE_OUI, Cipher): set(Cipher),
    (IEEE_OUI, Akm): set(Akm) - {Akm.WPA_NONE},
    (WPA_OUI, Cipher): {Cipher.USE_GROUP, Cipher.WEP40, Cipher.TKIP, Cipher.CCMP, Cipher.WEP104},
    (WPA_OUI, Akm): {Akm.WPA_NONE, Akm.IEEE8021X, Akm.PSK},
}


def _suite(raw: bytes, oui: bytes, enum: type[Cipher | Akm]) -> Suite:
    if raw[:3] == oui and raw[3] in _KNOWN[oui, enum]:
        return enum(raw[3])
    return int.from_bytes(raw, "big")


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    @property
    def left(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int, field_name: str) -> bytes:
        if self.left < n:
            raise KeyFrameError(f"{self.what}: {field_name} needs {n} bytes, {self.left} left")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def suites(self, oui: bytes, enum: type[Cipher | Akm], field_name: str) -> tuple[Suite, ...]:
        (count,) = struct.unpack("<H", self.take(2, f"{field_name} count"))
        if count == 0:
            raise KeyFrameError(f"{self.what}: {field_name} count is 0")
        if count * 4 > self.left:
            raise KeyFrameError(f"{self.what}: {count} {field_name} suites do not fit in {self.left} bytes")
        return tuple(_suite(self.take(4, field_name), oui, enum) for _ in range(count))


def _parse_common(r: _Reader, oui: bytes, wpa: bool) -> dict:
    default = Cipher.TKIP if wpa else Cipher.CCMP
    out: dict = {"wpa": wpa, "group": default, "pairwise": (default,), "akms": (Akm.IEEE8021X,)}
    # Each field may be missing at the end, but a partial field is malformed (9.4.2.25.1).
    if r.left:
        out["group"] = _suite(r.take(4, "group cipher"), oui, Cipher)
    if r.left:
        out["pairwise"] = r.suites(oui, Cipher, "pairwise cipher")
    if r.left:
        out["akms"] = r.suites(oui, Akm, "AKM")
    if r.left >= 2:
        out["capabilities"] = struct.unpack("<H", r.take(2, "capabilities"))[0]
    return out


def parse_rsn_ie(body: bytes) -> RsnInfo:
    """Parse an RSN element body (after id 48 and the length). Raises KeyFrameError on a malformed body."""
    r = _Reader(body, "RSN element")
    (version,) = struct.unpack("<H", r.take(2, "version"))
    if version != RSN_VERSION:
        raise KeyFrameError(f"RSN element version {version}")
    fields = _parse_common(r, IEEE_OUI, wpa=False)
    if r.left >= 2:
        (count,) = struct.unpack("<H", r.take(2, "PMKID count"))
        if count * 16 > r.left:
            raise KeyFrameError(f"RSN element: {count} PMKIDs do not fit in {r.left} bytes")
        fields["pmkids"] = tuple(r.take(16, "PMKID") for _ in range(count))
    if r.left >= 4:
        fields["group_mgmt"] = _suite(r.take(4, "group management cipher"), IEEE_OUI, Cipher)
    return RsnInfo(**fields)  # trailing bytes are extensions we do not know: ignored, as 9.4.2.25.1 asks


def parse_wpa_ie(body: bytes) -> RsnInfo:
    """Parse a WPA vendor element body: 00-50-F2, type 1, version 1, then the RSN-like fields."""
    r = _Reader(body, "WPA element")
    if r.take(4, "OUI and type") != WPA_OUI + bytes([WPA_IE_TYPE]):
        raise KeyFrameError("not a WPA element (00-50-F2 type 1)")
    (version,) = struct.unpack("<H", r.take(2, "version"))
    if version != 1:
        raise KeyFrameError(f"WPA element version {version}")
    return RsnInfo(**_parse_common(r, WPA_OUI, wpa=True))


def _selector(oui: bytes, suite: Cipher | Akm) -> bytes:
    return oui + bytes([suite.value])


def build_rsn_ie(group: Cipher, pairwise: Cipher, akm: Akm, capabilities: int = 0,
                 group_mgmt: Cipher | None = None) -> bytes:
    """The whole RSN element (id 48, length, body) for an association request: one pairwise suite, one AKM, and
    with management frame protection the group management suite after an empty PMKID list (wpa_supplicant
    names it even when it is the default BIP-CMAC-128)."""
    body = (struct.pack("<H", RSN_VERSION) + _selector(IEEE_OUI, group) + struct.pack("<H", 1)
            + _selector(IEEE_OUI, pairwise) + struct.pack("<H", 1) + _selector(IEEE_OUI, akm)
            + struct.pack("<H", capabilities))
    if group_mgmt is not None:
        body += struct.pack("<H", 0) + _selector(IEEE_OUI, group_mgmt)
    return bytes([EID_RSN, len(body)]) + body


def build_wpa_ie(group: Cipher, pairwise: Cipher, akm: Akm) -> bytes:
    """The whole WPA vendor element, as wpa_supplicant writes it (no capabilities field)."""
    body = (WPA_OUI + bytes([WPA_IE_TYPE]) + struct.pack("<H", 1) + _selector(WPA_OUI, group)
            + struct.pack("<H", 1) + _selector(WPA_OUI, pairwise) + struct.pack("<H", 1)
            + _selector(WPA_OUI, akm))
    return bytes([EID_VENDOR, len(body)]) + body


# -- wpa_supplicant's flag text ------------------------------------------------------------------------------

# The order wpa_supplicant prints AKMs and ciphers in (its bitfield order, not the element's).
_AKM_TXT: list[tuple[Suite, str]] = [
    (Akm.IEEE8021X, "EAP"), (Akm.PSK, "PSK"), (Akm.WPA_NONE, "None"), (Akm.SAE, "SAE"),
    (Akm.SAE_EXT_KEY, "SAE-EXT-KEY"), (Akm.FT_IEEE8021X, "FT/EAP"), (Akm.FT_PSK, "FT/PSK"),
    (Akm.FT_SAE, "FT/SAE"), (Akm.FT_SAE_EXT_KEY, "FT/SAE-EXT-KEY"), (Akm.IEEE8021X_SHA256, "EAP-SHA256"),
    (Akm.PSK_SHA256, "PSK-SHA256"), (Akm.IEEE8021X_SUITE_B, "EAP-SUITE-B"),
    (Akm.IEEE8021X_SUITE_B_192, "EAP-SUITE-B-192"), (Akm.FILS_SHA256, "FILS-SHA256"),
    (Akm.FILS_SHA384, "FILS-SHA384"), (Akm.FT_FILS_SHA256, "FT-FILS-SHA256"),
    (Akm.FT_FILS_SHA384, "FT-FILS-SHA384"), (Akm.OWE, "OWE"), (AKM_DPP, "DPP"), (AKM_OSEN, "OSEN"),
    (Akm.IEEE8021X_SHA384, "EAP-SHA384"),
]
# wpa_supplicant's cipher names, in its order (wpa_write_ciphers: saved networks, the scan flags)
CIPHER_ORDER = [(Cipher.CCMP_256, "CCMP-256"), (Cipher.GCMP_256, "GCMP-256"), (Cipher.CCMP, "CCMP"),
                (Cipher.GCMP, "GCMP"), (Cipher.TKIP, "TKIP"), (Cipher.BIP_CMAC_128, "AES-128-CMAC"),
                (Cipher.BIP_GMAC_128, "BIP-GMAC-128"), (Cipher.BIP_GMAC_256, "BIP-GMAC-256"),
                (Cipher.BIP_CMAC_256, "BIP-CMAC-256"), (Cipher.USE_GROUP, "NONE")]
# The ciphers of data frames and of group addressed management frames (BIP) an RSN element may name (hostap's
# wpa_cipher_valid_pairwise, wpa_cipher_valid_mgmt_group less GTK_NOT_USED): the ones pywps keys.
PAIRWISE_CIPHERS = frozenset({Cipher.CCMP_256, Cipher.GCMP_256, Cipher.CCMP, Cipher.GCMP, Cipher.TKIP})
MGMT_GROUP_CIPHERS = frozenset({Cipher.BIP_CMAC_128, Cipher.BIP_GMAC_128, Cipher.BIP_GMAC_256, Cipher.BIP_CMAC_256})
_GROUP_MGMT_OK = MGMT_GROUP_CIPHERS | {Cipher.GROUP_NOT_ALLOWED}
# The WPA element's ciphers hostap maps (wpa_selector_to_bitfield()); WEP there counts as nothing.
_WPA_CIPHERS = {Cipher.USE_GROUP, Cipher.TKIP, Cipher.CCMP}


def _acceptable(info: RsnInfo) -> bool:
    """The extra checks hostap's wpa_parse_wpa_ie_rsn() makes; failing one prints "?" in the flags."""
    if info.wpa:
        return True
    if info.group not in PAIRWISE_CIPHERS and info.group != Cipher.GROUP_NOT_ALLOWED:
        return False
    if Cipher.BIP_CMAC_128 in info.pairwise:
        return False
    return info.group_mgmt is None or info.group_mgmt in _GROUP_MGMT_OK


def ie_flags(proto: str, info: RsnInfo | None) -> str:
    """One "[proto-AKMs-ciphers(-preauth)]" group; `info` None means the element did not parse: "[proto-?]"."""
    if info is None or not _acceptable(info):
        return f"[{proto}-?]"
    akms = set(info.akms)
    ciphers = set(info.pairwise) & _WPA_CIPHERS if info.wpa else set(info.pairwise)
    text = f"[{proto}-" + "+".join(name for suite, name in _AKM_TXT if suite in akms)
    text += "-" + "+".join(name for suite, name in CIPHER_ORDER if suite in ciphers)
    if info.capabilities & CAP_PREAUTH:
        text += "-preauth"
    return text + "]"


def scan_flags(rsn_body: bytes | None, wpa_body: bytes | None) -> str:
    """The WPA part of a SCAN_RESULTS flags column: "[WPA-PSK-CCMP+TKIP][WPA2-PSK-CCMP+TKIP]" (WPA first).

    Bodies are the elements without id and length; the WPA body starts with 00-50-F2 01."""
    out = ""
    for proto, body, parse in (("WPA", wpa_body, parse_wpa_ie), ("WPA2", rsn_body, parse_rsn_ie)):
        if body is None:
            continue
        try:
            info: RsnInfo | None = parse(body)
        except KeyFrameError:
            info = None
        out += ie_flags(proto, info)
    return out
