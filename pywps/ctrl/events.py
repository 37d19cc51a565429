"""Typed events -> wpa_ctrl text: the one place where event texts are made, exactly as wpa_supplicant 2.10
prints them (src/common/wpa_ctrl.h and the places that emit them), and the one place that keeps keys out of
logs unless `-K` asks for them.

The trailing spaces are wpa_supplicant's: its event prefixes end in a space even with nothing after them.
Events go out at MSG_INFO (3 in wpa_supplicant 2.x's numbering), as wpa_msg(MSG_INFO) sends most of them;
event_level names the others.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..driver.base import LinkDisconnected, mac_str

LEVEL_DEBUG = 2  # MSG_DEBUG in wpa_supplicant 2.x (MSG_EXCESSIVE 0 ... MSG_ERROR 5)
LEVEL_INFO = 3  # MSG_INFO
LEVEL_WARNING = 4  # MSG_WARNING
LEVEL_ERROR = 5  # MSG_ERROR

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


# rsn_supp/wpa.c's words for a key it refuses (process_3_of_4, process_1_of_2_rsn, process_1_of_2_wpa and what
# they call), with whether it says them at MSG_WARNING (else MSG_INFO)
REFUSALS: dict[str, tuple[str, bool]] = {
    "PAIRWISE_KEY_LENGTH": ("WPA: Invalid {e.cipher} key length {e.value} (src={bssid})", True),
    "IGTK_KDE_LENGTH": ("WPA: Invalid IGTK KDE length {e.value}", True),
    "NO_GTK_KDE": ("RSN: No GTK KDE included in EAPOL-Key msg 3/4", False),
    "GTK_LENGTH": ("WPA: Unsupported {e.cipher} Group Cipher key length {e.value} ({e.room})", True),
    "IGTK_KEY_ID": ("WPA: Invalid IGTK KeyID {e.value}", True),
    "NO_GTK_IN_GROUP_MESSAGE": ("WPA: No GTK IE in Group Key msg 1/2", False),
    "GROUP_GTK_TOO_LONG": ("RSN: Too long GTK in GTK KDE (len={e.value})", False),
    "GTK_IN_CLEAR": ("WPA: GTK IE in unencrypted key data", True),
    "IGTK_IN_CLEAR": ("WPA: IGTK KDE in unencrypted key data", True),
    "WPA_KEY_DATA_SHORT": ("WPA: Too short maxkeylen ({e.value})", False),
    "WPA_RC4_KEY_DATA_LONG": ("WPA: RC4 key data too long ({e.value})", True),
    "WPA_AES_WRAP_LENGTH": ("WPA: Unsupported AES-WRAP len {e.value}", True),
    "WPA_AES_WRAP_LONG": ("WPA: AES-WRAP key data too long (keydatalen={e.value} maxkeylen={e.room})", True),
    "WPA_AES_UNWRAP": ("WPA: AES unwrap failed - could not decrypt GTK", True),
    "WPA_KEY_INFO_TYPE": ("WPA: Unsupported key_info type {e.value}", True),
    "AP_NOT_FOUND": ("WPA: Could not find AP from the scan results", True),
    "IE_MISMATCH_NO_IE": ("WPA: IE in 3/4 msg does not match with IE in Beacon/ProbeResp (no IE?) (src={bssid})", True),
    "IE_MISMATCH": ("WPA: IE in 3/4 msg does not match with IE in Beacon/ProbeResp (src={bssid})", True),
    "RSN_DOWNGRADE": ("WPA: Possible downgrade attack detected - RSN was enabled and RSN IE was in msg 3/4, but not in "
                      "Beacon/ProbeResp (src={bssid})", True),
    "NO_WPA_IE_IN_BEACON": ("WPA: No WPA IE in Beacon/ProbeResp", False),
    "NO_RSN_IE_IN_BEACON": ("WPA: No RSN IE in Beacon/ProbeResp", False),
}


# rsn_supp/wpa.c's words for an EAPOL-Key frame it drops (wpa_sm_rx_eapol, its MIC check and key data
# decryption) or takes with a tolerance (gtk_tx_bit_workaround too), with whether it says them at MSG_WARNING
# (else MSG_INFO)
NOTICES: dict[str, tuple[str, bool]] = {
    "KEY_DATA_OVERFLOW": ("WPA: Invalid EAPOL-Key frame - key_data overflow ({e.value} > {e.room})", False),
    "DESCRIPTOR_VERSION": ("WPA: Unsupported EAPOL-Key descriptor version {e.value}", False),
    "NOT_CMAC": ("WPA: AP did not use the negotiated AES-128-CMAC", False),
    "CCMP_VERSION": ("WPA: CCMP is used, but EAPOL-Key descriptor version ({e.value}) is not 2", False),
    "NON_CCMP_GROUP_TOLERATED": ("WPA: Backwards compatibility: allow invalid version for non-CCMP group keys", False),
    "CMAC_TOLERATED": ("WPA: Interoperability workaround: allow incorrect (should have been HMAC-SHA1), but stronger "
                       "(is AES-128-CMAC), descriptor version to be used", False),
    "GCMP_VERSION": ("WPA: GCMP is used, but EAPOL-Key descriptor version ({e.value}) is not 2", False),
    "REPLAY": ("WPA: EAPOL-Key Replay Counter did not increase - dropping packet", True),
    "SMK": ("WPA: Unsupported SMK bit in key_info", False),
    "NO_ACK": ("WPA: No Ack bit in key_info", False),
    "REQUEST": ("WPA: EAPOL-Key with Request bit - dropped", False),
    "MIC_TPTK": ("WPA: Invalid EAPOL-Key MIC when using TPTK - ignoring TPTK", True),
    "MIC_INVALID": ("WPA: Invalid EAPOL-Key MIC - dropping packet", True),
    "MIC_UNVERIFIED": ("WPA: Could not verify EAPOL-Key MIC - dropping packet", True),
    "UNAUTHENTICATED_DATA": ("WPA: Ignore EAPOL-Key with encrypted but unauthenticated data", True),
    "AES_WRAP_LENGTH": ("WPA: Unsupported AES-WRAP len {e.value}", True),
    "AES_UNWRAP": ("WPA: AES unwrap failed - could not decrypt EAPOL-Key key data", True),
    "PAIRWISE_KEY_INDEX": ("WPA: Ignored EAPOL-Key (Pairwise) with non-zero key index", True),
    "GROUP_WITHOUT_MIC": ("WPA: EAPOL-Key (Group) without Mic/Encr bit - dropped", True),
    "GTK_TX_BIT": ("WPA: Tx bit set for GTK, but pairwise keys are used - ignore Tx bit", False),
}


def _key_data_refusal(e: Any) -> str:
    return REFUSALS[e.refusal][0].format(e=e, bssid=mac_str(e.bssid))


def _roam_considered(e: Any) -> str:
    return (f"CTRL-EVENT-{'DO' if e.roam else 'SKIP'}-ROAM cur_bssid={mac_str(e.current)} cur_freq={e.current_freq} "
            f"cur_level={e.current_level} cur_est={e.current_est} sel_bssid={mac_str(e.selected)} "
            f"sel_freq={e.selected_freq} sel_level={e.selected_level} sel_est={e.selected_est}")


Formatter = Callable[[Any], str | list[str]]


@functools.cache
def text_table() -> dict[type, Formatter]:
    """Event class -> its texts. Made on the first event (or by the daemon's warm-up), not at import: the
    vocabularies it maps are some 50 dataclasses, and the daemon answers its first PING without any of them."""
    from .. import events as ev
    from .. import runevents as run
    from ..netevents import (
        CredAdded,
        CredModified,
        CredRemoved,
        NetworkAdded,
        NetworkRemoved,
    )
    from ..wps.events import (
        EapFailureReceived,
        EapMethodProposed,
        EapMethodRefused,
        EapStarted,
        Failure,
        M2DReceived,
    )

    return {
        # WPS runs
        run.PinActive: lambda e: "WPS-PIN-ACTIVE ",
        run.PbcActive: lambda e: "WPS-PBC-ACTIVE ",
        run.RunCancelled: lambda e: "WPS-CANCEL ",
        run.RunTimedOut: lambda e: "WPS-TIMEOUT ",
        run.PbcOverlapDetected: lambda e: "WPS-OVERLAP-DETECTED PBC session overlap",
        run.CredentialForClient: lambda e: f"WPS-CRED-RECEIVED {e.raw.hex()}",
        run.CredentialRefused: lambda e: wps_fail(e.msg, 0, e.reason),
        run.RunSucceeded: lambda e: "WPS-SUCCESS ",
        run.OpenNetworkDisabled: lambda e: (f"WPS-OPEN-NETWORK id={e.network_id} - Credentials for an open network "
                                            f"disabled by default - use 'select_network {e.network_id}' to enable"),
        run.RunFailed: lambda e: "WPS-FAIL ",
        # wpa_supplicant's EAP state machine says each step twice: its own event and a CTRL-EVENT-EAP-STATUS
        EapStarted: lambda e: ["CTRL-EVENT-EAP-STARTED EAP authentication started",
                               "CTRL-EVENT-EAP-STATUS status='started' parameter=''"],
        EapMethodProposed: lambda e: ["CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1",
                                      "CTRL-EVENT-EAP-STATUS status='accept proposed method' parameter='WSC'",
                                      "CTRL-EVENT-EAP-METHOD EAP vendor 14122 method 1 (WSC) selected"],
        # the WSC method could not start (eap_wsc_init failed): wpa_supplicant Naks; the AP's EAP-Failure follows
        EapMethodRefused: lambda e: ["CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1",
                                     "CTRL-EVENT-EAP-STATUS status='accept proposed method' parameter='WSC'",
                                     "EAP: Failed to initialize EAP method: vendor 14122 method 1 (WSC)"],
        EapFailureReceived: lambda e: ["CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
                                       "CTRL-EVENT-EAP-FAILURE EAP authentication failed"],
        M2DReceived: lambda e: f"WPS-M2D dev_password_id={int(e.dev_password_id)} config_error={int(e.config_error)}",
        Failure: lambda e: wps_fail(int(e.msg), int(e.config_error), int(e.reason)),
        # scans, association, the connector
        ev.ScanBegan: lambda e: "CTRL-EVENT-SCAN-STARTED " + scan_id_text(e.scan_id),
        ev.BssAdded: lambda e: f"CTRL-EVENT-BSS-ADDED {e.id} {mac_str(e.bssid)}",
        ev.BssRemoved: lambda e: f"CTRL-EVENT-BSS-REMOVED {e.id} {mac_str(e.bssid)}",
        ev.ScanResultsReady: lambda e: "CTRL-EVENT-SCAN-RESULTS " + scan_id_text(e.scan_id),
        ev.ScanFailed: lambda e: f"CTRL-EVENT-SCAN-FAILED ret={e.ret}" + (" retry=1" if e.retry else ""),
        ev.WpsApAvailable: lambda e: f"WPS-AP-AVAILABLE{e.seen.value} ",
        ev.NetworkNotFound: lambda e: "CTRL-EVENT-NETWORK-NOT-FOUND ",
        ev.Authenticating: lambda e: (f"SME: Trying to authenticate with {mac_str(e.bssid)} "
                                      f"(SSID='{ssid_text(e.ssid)}' freq={e.freq} MHz)"),
        ev.AuthRejected: lambda e: (f"CTRL-EVENT-AUTH-REJECT {mac_str(e.bssid)} auth_type={e.auth_type} "
                                    f"auth_transaction={e.transaction} status_code={e.status}"
                                    + (f" ie={e.ies.hex()}" if e.ies else "")),
        ev.AssocRejected: lambda e: f"CTRL-EVENT-ASSOC-REJECT bssid={mac_str(e.bssid)} status_code={e.status}",
        ev.RejectedAttemptNotLeft: lambda e: "SME: Deauth request to the driver failed",
        ev.Associating: lambda e: (f"Trying to associate with {mac_str(e.bssid)} "
                                   f"(SSID='{ssid_text(e.ssid)}' freq={e.freq} MHz)"),
        ev.Associated: lambda e: f"Associated with {mac_str(e.bssid)}",
        ev.SubnetStatusUpdate: lambda e: f"CTRL-EVENT-SUBNET-STATUS-UPDATE status={e.status}",
        ev.Connected: lambda e: (f"CTRL-EVENT-CONNECTED - Connection to {mac_str(e.bssid)} completed "
                                 f"[id={e.network_id} id_str={e.id_str}]"),
        ev.KeyNegotiated: lambda e: (f"WPA: Key negotiation completed with {mac_str(e.bssid)} "
                                     f"[PTK={e.pairwise} GTK={e.group}]"),
        ev.GroupRekeyCompleted: lambda e: f"WPA: Group rekeying completed with {mac_str(e.bssid)} [GTK={e.group}]",
        ev.RoamConsidered: _roam_considered,
        ev.SignalChange: lambda e: (f"CTRL-EVENT-SIGNAL-CHANGE above={int(e.above)} signal={e.signal} "
                                    f"noise={e.noise} txrate={e.txrate}"),
        LinkDisconnected: _disconnected,
        ev.AuthTimedOut: lambda e: f"Authentication with {mac_str(e.bssid)} timed out.",
        ev.WrongKey: lambda e: "WPA: 4-Way Handshake failed - pre-shared key may be incorrect",
        ev.IgtkKeyIdSwapped: lambda e: "WPA: Ignore IGTK configuration error due to invalid IGTK KeyID byte order",
        ev.BigtkKeyIdInvalid: lambda e: f"WPA: Invalid BIGTK KeyID {e.key_id}",
        ev.KeyDataRefusal: _key_data_refusal,
        ev.KeyFrameNotice: lambda e: NOTICES[e.notice][0].format(e=e),
        ev.GroupKeyRefused: lambda e: f"RSN: Failed to configure {e.key}",
        ev.SaQueryNotSent: lambda e: "SME: Failed to send SA Query Request",
        ev.UnprotectedBeaconDropped: lambda e: f"CTRL-EVENT-UNPROT-BEACON {mac_str(e.bssid)}",
        ev.SsidTempDisabled: lambda e: (f'CTRL-EVENT-SSID-TEMP-DISABLED id={e.network_id} ssid="{ssid_text(e.ssid)}" '
                                        f"auth_failures={e.auth_failures} duration={e.duration} reason={e.reason}"),
        ev.SsidReenabled: lambda e: f'CTRL-EVENT-SSID-REENABLED id={e.network_id} ssid="{ssid_text(e.ssid)}"',
        # the stored networks
        NetworkAdded: lambda e: f"CTRL-EVENT-NETWORK-ADDED {e.id}",
        NetworkRemoved: lambda e: f"CTRL-EVENT-NETWORK-REMOVED {e.id}",
        # the stored Interworking credentials
        CredAdded: lambda e: f"CRED-ADDED {e.id}",
        CredModified: lambda e: f"CRED-MODIFIED {e.id} {e.field}",
        CredRemoved: lambda e: f"CRED-REMOVED {e.id}",
        # the daemon
        ev.ConfigUnreadable: lambda e: f"Failed to parse the configuration file '{e.path}' - {e.then}",
        ev.Terminating: lambda e: "CTRL-EVENT-TERMINATING ",
    }


@functools.cache
def redacted_table() -> dict[type, Callable[[Any], str]]:
    """What a log line shows instead, unless -K: the event minus its secret part."""
    from ..runevents import CredentialForClient

    return {CredentialForClient: lambda e: "WPS-CRED-RECEIVED <credential hidden; -K shows it>"}


def event_texts(event: object) -> list[str]:
    """The monitor texts of an event, one datagram each, in order; none for events clients do not see
    (RunEnded, a core detail)."""
    fmt = text_table().get(type(event)) or ER_TEXT.get(type(event).__name__)
    if fmt is None:
        return []
    texts = fmt(event)
    return [texts] if isinstance(texts, str) else texts


def log_texts(event: object, log_keys: bool) -> list[str]:
    """The same texts for the log: secrets hidden unless `log_keys` (-K)."""
    redact = redacted_table().get(type(event)) or _ER_REDACTED.get(type(event).__name__)
    if not log_keys and redact is not None:
        return [redact(event)]
    return event_texts(event)


def scan_id_text(scan_id: int | None) -> str:
    return "" if scan_id is None else f"id={scan_id}"


def event_level(event: object) -> int:
    """MSG_INFO, but for what wpa_supplicant says at MSG_DEBUG (a default monitor never hears it): the ER's
    SET-SEL-REG START and DONE; at MSG_WARNING: a BIGTK's invalid KeyID, most keys it refuses (REFUSALS), most
    EAPOL-Key frames it drops (NOTICES); at MSG_ERROR: a configuration file a reload cannot read."""
    name = type(event).__name__
    if name == "ErSetSelectedRegistrar" and event.state.value != "FAILED":  # type: ignore[attr-defined]
        return LEVEL_DEBUG
    if name == "BigtkKeyIdInvalid":
        return LEVEL_WARNING
    if name == "ConfigUnreadable":
        return LEVEL_ERROR
    if name == "KeyDataRefusal" and REFUSALS[event.refusal][1]:  # type: ignore[attr-defined]
        return LEVEL_WARNING
    if name == "KeyFrameNotice" and NOTICES[event.notice][1]:  # type: ignore[attr-defined]
        return LEVEL_WARNING
    return LEVEL_INFO


# -- External Registrar (pywps.er.events), by class name: pywps.er stays off the start path until WPS_ER_START.
# wpa_supplicant's WPS-ER-* texts (wps_supplicant.c, wpa_supplicant_wps_event_er_*).


def uuid_text(uuid: bytes) -> str:
    h = uuid.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def dev_type_text(dev_type: bytes) -> str:
    """wps_dev_type_bin2str: category-OUI-subcategory."""
    if len(dev_type) != 8:
        return ""
    return f"{int.from_bytes(dev_type[:2], 'big')}-{dev_type[2:6].hex().upper()}-{int.from_bytes(dev_type[6:], 'big')}"


def _er_ap_settings(e: Any) -> str:
    cred = e.credential
    key = cred.network_key.decode("ascii", "replace") if cred.is_psk and 8 <= len(cred.network_key) <= 64 else ""
    return (f"WPS-ER-AP-SETTINGS uuid={uuid_text(e.uuid)} ssid={ssid_text(cred.ssid)} "
            f"auth_type=0x{int(cred.auth_type):04x} encr_type=0x{int(cred.encr_type):04x} key={key}")


def _er_set_sel_reg(e: Any) -> str:
    text = f"WPS-ER-AP-SET-SEL-REG uuid={uuid_text(e.uuid)} state={e.state.value}"
    if e.state.value == "START":
        text += (f" sel_reg={int(e.selected)} dev_passwd_id={e.dev_password_id}"
                 f" sel_reg_config_methods=0x{e.config_methods:x}")
    return text


ER_TEXT: dict[str, Callable[[Any], str]] = {
    "ErApAdded": lambda e: (f"WPS-ER-AP-ADD {uuid_text(e.uuid)} {mac_str(e.mac_address)} "
                            f"pri_dev_type={dev_type_text(e.primary_device_type)} wps_state={e.wps_state} "
                            f"|{e.friendly_name}|{e.manufacturer}|{e.model_description}|{e.model_name}|"
                            f"{e.manufacturer_url}|{e.model_url}|"),
    "ErApRemoved": lambda e: f"WPS-ER-AP-REMOVE {uuid_text(e.uuid)}",
    "ErEnrolleeAdded": lambda e: (f"WPS-ER-ENROLLEE-ADD {uuid_text(e.uuid)} {mac_str(e.mac_address)} "
                                  f"M1={int(e.m1_received)} config_methods=0x{e.config_methods:x} "
                                  f"dev_passwd_id={e.dev_password_id} pri_dev_type={dev_type_text(e.primary_device_type)} "
                                  f"|{e.device_name}|{e.manufacturer}|{e.model_name}|{e.model_number}|{e.serial_number}|"),
    "ErEnrolleeRemoved": lambda e: f"WPS-ER-ENROLLEE-REMOVE {uuid_text(e.uuid)} {mac_str(e.mac_address)}",
    "ErApSettings": _er_ap_settings,
    "ErSetSelectedRegistrar": _er_set_sel_reg,
    # WPS_ER_CONFIG passes no Credential attribute to wpa_supplicant's event: no hexdump
    "ErCredentialReceived": lambda e: "WPS-CRED-RECEIVED ",
    "ErSuccess": lambda e: "WPS-SUCCESS ",
    "ErFailure": lambda e: wps_fail(int(e.msg), int(e.config_error), int(e.reason)),
    "ErPbcActive": lambda e: "WPS-PBC-ACTIVE ",
    "ErPbcDisabled": lambda e: "WPS-PBC-DISABLE ",
}
_ER_REDACTED = {"ErApSettings": lambda e: f"WPS-ER-AP-SETTINGS uuid={uuid_text(e.uuid)} <settings hidden; -K shows them>"}
