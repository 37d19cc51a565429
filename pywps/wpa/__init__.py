"""Sans-IO WPA2-PSK (and WPA) supplicant: PMK, PTK, EAPOL-Key MICs, the 4-way and group key handshakes.

The driver only sends what `SendEapol` says and installs the keys the other events name; see supplicant.py.

The names below load with their module on first use (PEP 562): `import pywps.wpa.rsn` for one function must not
pay for the handshake, the key derivation and their dataclasses on a daemon's start path.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "KeyFrameUnsupported": "errors", "KeyFrameError": "errors", "WpaError": "errors",
    "BigtkNotInstalled": "events", "FrameDropped": "events", "FrameNotice": "events", "GroupRekeyed": "events",
    "HandshakeCompleted": "events", "HandshakeFailed": "events",
    "IgtkNotInstalled": "events", "InstallGroupKey": "events", "InstallPairwiseKey": "events", "SendEapol": "events",
    "GroupKeyNotConfigured": "events", "KeyDataRefused": "events", "Notice": "events", "Refusal": "events",
    "WpaEvent": "events",
    "pmk_from_passphrase": "keys", "pmk_from_psk": "keys",
    "Akm": "rsn", "Cipher": "rsn", "build_rsn_ie": "rsn", "build_wpa_ie": "rsn", "scan_flags": "rsn",
    "State": "supplicant", "WpaSupplicantHandshake": "supplicant",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from .errors import KeyFrameUnsupported, KeyFrameError, WpaError
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
    from .keys import pmk_from_passphrase, pmk_from_psk
    from .rsn import Akm, Cipher, build_rsn_ie, build_wpa_ie, scan_flags
    from .supplicant import State, WpaSupplicantHandshake
