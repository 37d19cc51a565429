"""Typed events -> wpa_ctrl text: the one place where event texts are made, exactly as wpa_supplicant 2.10
prints them (src/common/wpa_ctrl.h and the places that emit them), and the one place that keeps keys out of
logs unless `-K` asks for them.

The trailing spaces are wpa_supplicant's: its event prefixes end in a space even with nothing after them.
Every event here goes out at MSG_INFO (3 in wpa_supplicant 2.x's numbering), as wpa_msg(MSG_INFO) sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import events as ev
from ..driver.base import LinkDisconnected, ScanStarted, mac_str
from ..netevents import NetworkAdded, NetworkRemoved
from ..wps.eap import EapFailureReceived, EapMethodProposed, EapStarted
from ..wps.events import Failure, M2DReceived

LEVEL_INFO = 3  # MSG_INFO in wpa_supplicant 2.x (MSG_EXCESSIVE 0 ... MSG_ERROR 5)

REASON_TEXT = {1: "TKIP Only Prohibited", 2: "WEP Prohibited", 3: "Authentication Failure"}


def ssid_text(ssid: bytes) -> str:
    """wpa_supplicant's wpa_ssid_txt (printf_encode): printable ASCII as is, the rest escaped."""
    escapes = {0x22: '\\"', 0x5C: "\\\\", 0x1B: "\\e", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
    return "".join(escapes.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in ssid)


def wps_fail(msg: int, config_error: int, reason: int = 0) -> str:
    # wps_supplicant.c: "msg=%d config_error=%d", with " reason=%d (%s)" only for a non-zero indication
    text = f"WPS-FAIL msg={msg} config_error={config_error}"
    if reason:
        text += f" reason={reason} ({REASON_TEXT.get(reason, 'Unknown')})"
    return text


def _disconnected(e: LinkDisconnected) -> str:
    text = f"CTRL-EVENT-DISCONNECTED bssid={mac_str(e.bssid or bytes(6))} reason={e.reason}"
    return text + (" locally_generated=1" if e.locally_generated else "")


_TEXT: dict[type, Callable[[Any], str | list[str]]] = {
    # WPS runs
    ev.PinActive: lambda e: "WPS-PIN-ACTIVE ",
    ev.PbcActive: lambda e: "WPS-PBC-ACTIVE ",
    ev.RunCancelled: lambda e: "WPS-CANCEL ",
    ev.RunTimedOut: lambda e: "WPS-TIMEOUT ",
    ev.PbcOverlapDetected: lambda e: "WPS-OVERLAP-DETECTED PBC session overlap",
    ev.CredentialForClient: lambda e: f"WPS-CRED-RECEIVED {e.raw.hex()}",
    ev.CredentialRefused: lambda e: wps_fail(e.msg, 0),
    ev.RunSucceeded: lambda e: "WPS-SUCCESS ",
    ev.RegistrarRunFailed: lambda e: "WPS-FAIL ",
    ev.WscMethodRefused: lambda e: ["CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1",
                                    "CTRL-EVENT-EAP-STATUS status='accept proposed method' parameter='WSC'",
                                    "EAP: Failed to initialize EAP method: vendor 14122 method 1 (WSC)",
                                    "CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
                                    "CTRL-EVENT-EAP-FAILURE EAP authentication failed"],
    # wpa_supplicant's EAP state machine says each step twice: its own event and a CTRL-EVENT-EAP-STATUS
    EapStarted: lambda e: ["CTRL-EVENT-EAP-STARTED EAP authentication started",
                           "CTRL-EVENT-EAP-STATUS status='started' parameter=''"],
    EapMethodProposed: lambda e: ["CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1",
                                  "CTRL-EVENT-EAP-STATUS status='accept proposed method' parameter='WSC'",
                                  "CTRL-EVENT-EAP-METHOD EAP vendor 14122 method 1 (WSC) selected"],
    EapFailureReceived: lambda e: ["CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
                                   "CTRL-EVENT-EAP-FAILURE EAP authentication failed"],
    M2DReceived: lambda e: f"WPS-M2D dev_password_id={int(e.dev_password_id)} config_error={int(e.config_error)}",
    Failure: lambda e: wps_fail(int(e.msg), int(e.config_error), int(e.reason)),
    # scans, association, the connector
    ScanStarted: lambda e: "CTRL-EVENT-SCAN-STARTED ",
    ev.ScanResultsReady: lambda e: "CTRL-EVENT-SCAN-RESULTS ",
    ev.ScanFailed: lambda e: f"CTRL-EVENT-SCAN-FAILED ret=-1 ({e.error})",
    ev.WpsApAvailable: lambda e: f"WPS-AP-AVAILABLE{e.seen.value} ",
    ev.Associating: lambda e: f"Trying to associate with {mac_str(e.bssid)} (SSID='{ssid_text(e.ssid)}' freq={e.freq} MHz)",
    ev.Associated: lambda e: f"Associated with {mac_str(e.bssid)}",
    ev.SubnetStatusUpdate: lambda e: f"CTRL-EVENT-SUBNET-STATUS-UPDATE status={e.status}",
    ev.Connected: lambda e: (f"CTRL-EVENT-CONNECTED - Connection to {mac_str(e.bssid)} completed "
                             f"[id={e.network_id} id_str={e.id_str}]"),
    LinkDisconnected: _disconnected,
    ev.WrongKey: lambda e: "WPA: 4-Way Handshake failed - pre-shared key may be incorrect",
    ev.SsidTempDisabled: lambda e: (f'CTRL-EVENT-SSID-TEMP-DISABLED id={e.network_id} ssid="{ssid_text(e.ssid)}" '
                                    f"auth_failures={e.auth_failures} duration={e.duration} reason=WRONG_KEY"),
    ev.SsidReenabled: lambda e: f'CTRL-EVENT-SSID-REENABLED id={e.network_id} ssid="{ssid_text(e.ssid)}"',
    # the stored networks
    NetworkAdded: lambda e: f"CTRL-EVENT-NETWORK-ADDED {e.id}",
    NetworkRemoved: lambda e: f"CTRL-EVENT-NETWORK-REMOVED {e.id}",
    # the daemon
    ev.Terminating: lambda e: "CTRL-EVENT-TERMINATING ",
}

# What a log line shows instead, unless -K: the event minus its secret part.
_REDACTED: dict[type, Callable[[Any], str]] = {
    ev.CredentialForClient: lambda e: "WPS-CRED-RECEIVED <credential hidden; -K shows it>",
}


def event_texts(event: object) -> list[str]:
    """The monitor texts of an event, one datagram each, in order; none for events clients do not see
    (RunEnded, a core detail)."""
    fmt = _TEXT.get(type(event))
    if fmt is None:
        return []
    texts = fmt(event)
    return [texts] if isinstance(texts, str) else texts


def log_texts(event: object, log_keys: bool) -> list[str]:
    """The same texts for the log: secrets hidden unless `log_keys` (-K)."""
    if not log_keys and (redact := _REDACTED.get(type(event))) is not None:
        return [redact(event)]
    return event_texts(event)

