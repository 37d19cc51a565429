"""Sans-IO WPA2-PSK (and WPA) supplicant: PMK, PTK, EAPOL-Key MICs, the 4-way and group key handshakes.

The driver only sends what `SendEapol` says and installs the keys the other events name; see supplicant.py.
"""

from __future__ import annotations

from .errors import NotSupported, ParseError, WpaError
from .events import (
    FrameDropped,
    GroupRekeyed,
    HandshakeCompleted,
    HandshakeFailed,
    InstallGroupKey,
    InstallPairwiseKey,
    SendEapol,
    WpaEvent,
)
from .keys import pmk_from_passphrase, pmk_from_psk
from .rsn import Akm, Cipher, build_rsn_ie, build_wpa_ie, scan_flags
from .supplicant import State, WpaSupplicantHandshake

__all__ = [
    "Akm", "Cipher", "FrameDropped", "GroupRekeyed", "HandshakeCompleted", "HandshakeFailed", "InstallGroupKey",
    "InstallPairwiseKey", "NotSupported", "ParseError", "SendEapol", "State", "WpaError", "WpaEvent",
    "WpaSupplicantHandshake", "build_rsn_ie", "build_wpa_ie", "pmk_from_passphrase", "pmk_from_psk", "scan_flags",
]
