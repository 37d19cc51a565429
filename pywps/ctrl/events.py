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


# -- External Registrar
# wpa_supplicant's WPS-ER-* texts (wps_supplicant.c, wpa_supplicant_wps_event_er_*) for pywps.er.events.
# UUIDs print as 8-4-4-4-12 lower-case hex, device types as "category-OUI-subcategory" (wps_dev_type_bin2str).


def _er_uuid(uuid: bytes) -> str:
    h = uuid.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _er_mac(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac)


def _er_dev_type(dev_type: bytes) -> str:
    if len(dev_type) != 8:
        return ""
    return f"{int.from_bytes(dev_type[:2], 'big')}-{dev_type[2:6].hex().upper()}-{int.from_bytes(dev_type[6:], 'big')}"


def _er_ssid(ssid: bytes) -> str:
    # wpa_ssid_txt(): printable ASCII as is, everything else (and backslash, quote) as \xNN-style escapes
    out = []
    for b in ssid:
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif 32 <= b < 127:
            out.append(chr(b))
        elif b == 0x1B:
            out.append("\\e")
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x0D:
            out.append("\\r")
        elif b == 0x09:
            out.append("\\t")
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def er_ap_add(ev) -> str:
    return (f"WPS-ER-AP-ADD {_er_uuid(ev.uuid)} {_er_mac(ev.mac_address)} "
            f"pri_dev_type={_er_dev_type(ev.primary_device_type)} wps_state={ev.wps_state} "
            f"|{ev.friendly_name}|{ev.manufacturer}|{ev.model_description}|{ev.model_name}|"
            f"{ev.manufacturer_url}|{ev.model_url}|")


def er_ap_remove(ev) -> str:
    return f"WPS-ER-AP-REMOVE {_er_uuid(ev.uuid)}"


def er_enrollee_add(ev) -> str:
    return (f"WPS-ER-ENROLLEE-ADD {_er_uuid(ev.uuid)} {_er_mac(ev.mac_address)} M1={int(ev.m1_received)} "
            f"config_methods=0x{ev.config_methods:x} dev_passwd_id={ev.dev_password_id} "
            f"pri_dev_type={_er_dev_type(ev.primary_device_type)} "
            f"|{ev.device_name}|{ev.manufacturer}|{ev.model_name}|{ev.model_number}|{ev.serial_number}|")


def er_enrollee_remove(ev) -> str:
    return f"WPS-ER-ENROLLEE-REMOVE {_er_uuid(ev.uuid)} {_er_mac(ev.mac_address)}"


def er_ap_settings(ev) -> str:
    # Carries the AP's key, like wpa_supplicant's (which sends it to monitors only, never to its debug log):
    # the caller must not log this text.
    cred = ev.credential
    key = ""
    if cred.is_psk and 8 <= len(cred.network_key) <= 64:
        key = cred.network_key.decode("ascii", "replace")
    return (f"WPS-ER-AP-SETTINGS uuid={_er_uuid(ev.uuid)} ssid={_er_ssid(cred.ssid)} "
            f"auth_type=0x{int(cred.auth_type):04x} encr_type=0x{int(cred.encr_type):04x} key={key}")


def er_set_sel_reg(ev) -> str:
    text = f"WPS-ER-AP-SET-SEL-REG uuid={_er_uuid(ev.uuid)} state={ev.state.value}"
    if ev.state.value == "START":
        text += (f" sel_reg={int(ev.selected)} dev_passwd_id={ev.dev_password_id}"
                 f" sel_reg_config_methods=0x{ev.config_methods:x}")
    return text


def er_event_is_debug(ev) -> bool:
    """wpa_supplicant sends SET-SEL-REG START and DONE at MSG_DEBUG (a default monitor never sees them)."""
    return type(ev).__name__ == "ErSetSelectedRegistrar" and ev.state.value != "FAILED"


def er_credential_received(ev) -> str:
    # wpa_supplicant's WPS_ER_CONFIG path passes no Credential attribute: the hexdump is empty.
    return "WPS-CRED-RECEIVED "


def er_pbc_active(ev) -> str:
    return WPS_PBC_ACTIVE


def er_pbc_disabled(ev) -> str:
    return "WPS-PBC-DISABLE "


def er_success(ev) -> str:
    return WPS_SUCCESS


def er_failure(ev) -> str:
    return wps_fail(int(ev.msg), int(ev.config_error), int(ev.reason))


# Event class name -> text, for the daemon's fan-out (names, so this module needs no import of pywps.er).
ER_EVENT_TEXT = {
    "ErApAdded": er_ap_add, "ErApRemoved": er_ap_remove, "ErEnrolleeAdded": er_enrollee_add,
    "ErEnrolleeRemoved": er_enrollee_remove, "ErApSettings": er_ap_settings, "ErSetSelectedRegistrar": er_set_sel_reg,
    "ErCredentialReceived": er_credential_received, "ErSuccess": er_success, "ErFailure": er_failure,
    "ErPbcActive": er_pbc_active, "ErPbcDisabled": er_pbc_disabled,
}
