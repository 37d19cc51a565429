"""Event texts, exactly as wpa_supplicant prints them (src/common/wpa_ctrl.h and the places that emit them).

The trailing spaces are wpa_supplicant's: its event prefixes end in a space even with nothing after them.
"""

from __future__ import annotations

WPS_PIN_ACTIVE = "WPS-PIN-ACTIVE "
WPS_PBC_ACTIVE = "WPS-PBC-ACTIVE "
WPS_SUCCESS = "WPS-SUCCESS "
WPS_TIMEOUT = "WPS-TIMEOUT "
WPS_CANCEL = "WPS-CANCEL "
WPS_OVERLAP_DETECTED = "WPS-OVERLAP-DETECTED "
WPS_AP_AVAILABLE = "WPS-AP-AVAILABLE "
WPS_AP_AVAILABLE_PBC = "WPS-AP-AVAILABLE-PBC "
WPS_AP_AVAILABLE_PIN = "WPS-AP-AVAILABLE-PIN "
WPS_AP_AVAILABLE_AUTH = "WPS-AP-AVAILABLE-AUTH "
EAP_STARTED = "CTRL-EVENT-EAP-STARTED EAP authentication started"
EAP_PROPOSED_WSC = "CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1"
EAP_FAILURE = "CTRL-EVENT-EAP-FAILURE EAP authentication failed"
SCAN_STARTED = "CTRL-EVENT-SCAN-STARTED "
SCAN_RESULTS = "CTRL-EVENT-SCAN-RESULTS "
TERMINATING = "CTRL-EVENT-TERMINATING"


def wps_cred_received(raw: bytes) -> str:
    return f"WPS-CRED-RECEIVED {raw.hex()}"


def wps_fail(msg: int, config_error: int, reason: int = 0) -> str:
    # wps_supplicant.c: "msg=%d config_error=%d", with " reason=%d (%s)" only for a non-zero indication
    text = f"WPS-FAIL msg={msg} config_error={config_error}"
    if reason:
        text += f" reason={reason} ({REASON_TEXT.get(reason, 'Unknown')})"
    return text


REASON_TEXT = {1: "TKIP Only Prohibited", 2: "WEP Prohibited", 3: "Authentication Failure"}


def wps_m2d(dev_password_id: int, config_error: int) -> str:
    return f"WPS-M2D dev_password_id={dev_password_id} config_error={config_error}"


def connected(bssid: str, network_id: int, id_str: str = "") -> str:
    return f"CTRL-EVENT-CONNECTED - Connection to {bssid} completed [id={network_id} id_str={id_str}]"


def disconnected(bssid: str, reason: int, locally_generated: bool = False) -> str:
    return f"CTRL-EVENT-DISCONNECTED bssid={bssid} reason={reason}" + (" locally_generated=1" if locally_generated else "")
