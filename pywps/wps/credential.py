"""Credential and AP settings: the model of what M8 delivers (and an AP enrollee reports in M7)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .attributes import Attributes, build_attrs, parse_attrs
from .defs import AttrType, AuthType, EncrType, members
from .errors import ParseError

MAC_ANY = b"\xff" * 6
A = members(AttrType)  # the members, without EnumType's slow attribute lookup
# The flag tests below use plain ints: IntFlag's & and | are Python-level calls (~1.5 us each on CPython 3.11).
_PSK_BITS = int(AuthType.WPAPSK | AuthType.WPA2PSK)
_WEP_BIT = int(EncrType.WEP)


@dataclass(frozen=True)
class Credential:
    """One Credential attribute (or the AP settings of M7, which carry the same fields unwrapped)."""

    ssid: bytes
    auth_type: AuthType
    encr_type: EncrType
    network_key: bytes = field(default=b"", repr=False)  # never in a log line or a traceback
    mac_address: bytes = MAC_ANY
    network_index: int = 1
    key_index: int | None = None
    raw: bytes = field(default=b"", repr=False)  # the attribute(s) as received, for WPS-CRED-RECEIVED

    @property
    def is_psk(self) -> bool:
        return bool(int(self.auth_type) & _PSK_BITS)

    @property
    def is_wep(self) -> bool:
        return bool(int(self.encr_type) & _WEP_BIT)

    def validate(self) -> None:
        """Raise ParseError unless the fields describe a network a station can use.

        Mirrors what a careful wpa_supplicant accepts: SSID 1..32 bytes, a WPA passphrase of 8..63 printable
        characters or a 64-hex PSK, a WEP key of 5/13 bytes (or 10/26 hex digits).
        """
        if not 1 <= len(self.ssid) <= 32:
            raise ParseError(f"credential SSID length {len(self.ssid)} is not 1..32", AttrType.SSID)
        key = self.network_key
        if self.is_psk:
            if len(key) == 64:
                # Not bytes.fromhex(): it skips whitespace, so a newline would pass into the config file.
                if not all(c in b"0123456789abcdefABCDEF" for c in key):
                    raise ParseError("64-character network key is not hex", AttrType.NETWORK_KEY)
            elif 8 <= len(key) <= 63:
                if any(b < 0x20 or b > 0x7E for b in key):
                    raise ParseError("passphrase has non-printable characters", AttrType.NETWORK_KEY)
            else:
                raise ParseError(f"WPA key length {len(key)} is not 8..63 or 64", AttrType.NETWORK_KEY)
        elif self.is_wep:
            if len(key) not in (5, 13, 10, 26):
                raise ParseError(f"WEP key length {len(key)} is not 5, 13, 10 or 26", AttrType.NETWORK_KEY)

    # -- codec -------------------------------------------------------------------------------------------

    @classmethod
    def from_attrs(cls, attrs: Attributes, raw: bytes = b"") -> Credential:
        """Build from the attributes inside a Credential (or M7's encrypted settings)."""
        key_index = attrs.get_int(A.NETWORK_KEY_INDEX) if A.NETWORK_KEY_INDEX in attrs else None
        return cls(
            ssid=attrs.require(A.SSID),
            auth_type=AuthType(attrs.require_int(A.AUTH_TYPE)),
            encr_type=EncrType(attrs.require_int(A.ENCR_TYPE)),
            network_key=attrs.get(A.NETWORK_KEY, b""),
            mac_address=attrs.get(A.MAC_ADDR, MAC_ANY),
            network_index=attrs.get_int(A.NETWORK_INDEX, 1),
            key_index=key_index,
            raw=raw,
        )

    def as_processed(self) -> Credential:
        """The credential as hostap's processing reads it (wps_attr_process.c), for registrars that pad or
        NUL-terminate: the SSID without its zero padding (some send a fixed 32 octets), and a WPA passphrase of
        9..63 octets without one terminating NUL (wps_workaround_cred_key). `raw` keeps the bytes received."""
        ssid, key = self.ssid.rstrip(b"\0"), self.network_key
        if self.is_psk and 8 < len(key) < 64 and key.endswith(b"\0"):
            key = key[:-1]
        if len(ssid) == len(self.ssid) and len(key) == len(self.network_key):
            return self  # the usual case, nothing stripped: no copy (dataclasses.replace() costs ~8 us)
        return replace(self, ssid=ssid, network_key=key)

    def to_attrs(self) -> bytes:
        """The inner TLVs of a Credential attribute, in the order hostapd writes them."""
        items: list[tuple[int, bytes]] = [
            (AttrType.NETWORK_INDEX, bytes([self.network_index])),
            (AttrType.SSID, self.ssid),
            (AttrType.AUTH_TYPE, int(self.auth_type).to_bytes(2, "big")),
            (AttrType.ENCR_TYPE, int(self.encr_type).to_bytes(2, "big")),
        ]
        if self.key_index is not None:
            items.append((AttrType.NETWORK_KEY_INDEX, bytes([self.key_index])))
        items += [(AttrType.NETWORK_KEY, self.network_key), (AttrType.MAC_ADDR, self.mac_address)]
        return build_attrs(items)

    def to_credential_attr(self) -> bytes:
        return build_attrs([(AttrType.CREDENTIAL, self.to_attrs())])


def parse_credentials(data: bytes) -> list[Credential]:
    """Every Credential attribute in `data` (an M8 settings body, or a WPS-CRED-RECEIVED hexdump)."""
    attrs = parse_attrs(data)
    creds = []
    for value in attrs.get_all(AttrType.CREDENTIAL):
        raw = build_attrs([(AttrType.CREDENTIAL, value)])
        creds.append(Credential.from_attrs(parse_attrs(value, nested_in=AttrType.CREDENTIAL), raw=raw))
    if not creds:
        raise ParseError("no Credential attribute", AttrType.CREDENTIAL)
    return creds
