"""Control commands about the daemon itself: PING, STATUS and its variants, interface names, logging (LOG_LEVEL,
RELOG, NOTE), SAVE_CONFIG, RECONFIGURE, TERMINATE, MIB, and the empty lists of features pywps has not (STA-*,
PMKSA). LIST_CREDS is in cred_commands.py."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..cnumbers import c_atoi
from ..config import ConfigFileError
from ..driver.base import PAE_GROUP_ADDR, mac_str
from ..logs import LEVELS
from ..station.types import RunKind
from .commands import CommandFailed, Handler, Reply, ok
from .events import ssid_text, uuid_text

if TYPE_CHECKING:
    from ..services import Services

log = logging.getLogger("pywps.ctrl")

WPS_STATE = {RunKind.PIN: "PIN_ACTIVE", RunKind.PBC: "PBC_ACTIVE", RunKind.REG: "REG_ACTIVE"}


def status_fields(ctx: Services) -> dict[str, str]:
    """STATUS's key=value lines, in wpa_supplicant's order, plus pywps's wps_* lines."""
    wps = ctx.wps
    run = wps.run
    now = asyncio.get_running_loop().time()
    state = "SCANNING" if run is not None else "DISCONNECTED"
    if run is not None and run.eap_active:
        state = "ASSOCIATED"  # the port is up and EAP is running
    info: dict[str, str] = {}
    connector, station = ctx.connector, ctx.station
    joined = connector.joined if connector is not None else None
    if connector is not None and connector.state.value != "DISCONNECTED":
        state = connector.wpa_state
        if joined is not None:
            network_id, bss, security = joined
            info.update(bssid=mac_str(bss.bssid), freq=str(bss.entry.freq), ssid=ssid_text(bss.ssid),
                        id=str(network_id))
            try:
                id_str = ctx.config.network(network_id).value("id_str")
            except KeyError:
                id_str = None
            if id_str:
                info["id_str"] = id_str.strip('"')
            from ..wpa.rsn import cipher_name  # a radio's: loaded with the connector

            ciphers = ("NONE", "NONE") if security.is_open else (cipher_name(security.pairwise),
                                                                  cipher_name(security.group))
            info.update(mode="station", pairwise_cipher=ciphers[0], group_cipher=ciphers[1],
                        key_mgmt=security.key_mgmt)
            if security.mgmt_group is not None:  # wpa_sm_get_status: as the AP's element says (MFPR: 2)
                info.update(pmf="2" if security.ap_mfpr else "1", mgmt_group_cipher=cipher_name(security.mgmt_group))
    elif station is not None and station.associated is not None:
        bss = station.associated
        state = "ASSOCIATED"
        info.update(bssid=mac_str(bss.bssid), freq=str(bss.entry.freq), ssid=ssid_text(bss.ssid))
        if run is not None and wps.network_id is not None:
            # associated for WPS: the run's own network, as wpa_supplicant shows its temporary one (id,
            # key_mgmt=WPS, no ciphers); the SSID stays the AP's
            fields = wired_fields(ctx, wps.network_id)
            info.update((k, v) for k, v in fields.items() if k not in ("bssid", "freq", "ssid"))
    elif ctx.wired_port is not None and ctx.wired_port.network_id is not None:
        state = "COMPLETED" if ctx.wired_port.connected else "ASSOCIATED"
        info.update(wired_fields(ctx, ctx.wired_port.network_id))
    elif ctx.wired_port is not None and ctx.wired_port.inactive:
        state = "INACTIVE"
    if state == "DISCONNECTED" and station is not None:
        state = idle_radio_state(ctx)
    if station is not None and not station.enabled:
        state = "INTERFACE_DISABLED"  # and no link to show: it went down with the interface
        info.clear()
    info.update(wpa_state=state, address=mac_str(ctx.driver.own_addr), uuid=uuid_text(ctx.uuid))
    if run is not None:
        info["wps_state"] = WPS_STATE[run.request.kind]
        info["wps_remaining"] = str(int(run.remaining(now)))
    else:
        info["wps_state"] = "IDLE"
    info["wps_last_result"] = wps.last_outcome
    return info


def idle_radio_state(ctx: Services) -> str:
    """An idle radio's state as wpa_supplicant tells it: SCANNING while a scan runs (SCAN's too), INACTIVE once
    a scan found nothing to do for want of an enabled network, DISCONNECTED before any scan and after DISCONNECT."""
    assert ctx.station is not None
    if ctx.station.scanning:
        return "SCANNING"
    user_off = ctx.connector is not None and ctx.connector.policy.user_off
    enabled = any(not net.disabled for net in ctx.config.networks)
    if ctx.station.scans_done and not user_off and not enabled:
        return "INACTIVE"
    return "DISCONNECTED"


# STATUS mode= for a network's mode (wpa_supplicant_ctrl_iface_status)
STATUS_MODES = {"0": "station", "1": "IBSS", "2": "AP", "3": "P2P GO", "4": "P2P GO - group formation", "5": "mesh"}


def wired_fields(ctx: Services, network_id: int) -> dict[str, str]:
    """STATUS of a wired port "associated" with a network, as wpa_supplicant -Dwired shows it: the PAE group
    address, no frequency, and what the network's settings would negotiate (WPS for a WPS run's network)."""
    try:
        network = ctx.config.network(network_id)
    except KeyError:
        return {}
    key_mgmt = (network.value("key_mgmt") or "").split()
    if key_mgmt == ["WPS"]:
        pairwise = group = "NONE"
        mgmt = "WPS"
    elif key_mgmt == ["IEEE8021X"]:  # an eap=WSC network's: 802.1X without WPA (wpa_key_mgmt_txt's name)
        pairwise = group = "NONE"
        mgmt = "IEEE 802.1X (no WPA)"
    else:
        protos = (network.value("proto") or "").split()
        pairwise = _first_cipher(network.value("pairwise"))
        group = _first_cipher(network.value("group"))
        psk = "WPA-PSK" in key_mgmt
        mgmt = ("WPA2-PSK" if "RSN" in protos else "WPA-PSK") if psk else "NONE"
        if mgmt == "NONE":  # an open network: no cipher at all
            pairwise = group = "NONE"
    fields = {"bssid": mac_str(PAE_GROUP_ADDR), "freq": "0", "ssid": ssid_text(network.ssid), "id": str(network_id)}
    id_str = network.value("id_str")
    if id_str:
        fields["id_str"] = id_str.strip('"')
    # a wire joins a network of any mode (wpa_supplicant's wired driver too), and STATUS names it; no line for a
    # mode out of wpa_supplicant's list (mode=-1)
    if (mode := STATUS_MODES.get(network.value("mode") or "")) is not None:
        fields["mode"] = mode
    fields.update(pairwise_cipher=pairwise, group_cipher=group, key_mgmt=mgmt)
    return fields


def _first_cipher(value: str | None) -> str:
    names = (value or "").split()
    return next((c for c in ("CCMP", "TKIP") if c in names), "NONE")


def cmd_ping(ctx: Services, raw: str) -> Reply:
    return "PONG\n"


def cmd_status(ctx: Services, raw: str) -> Reply:
    return "".join(f"{k}={v}\n" for k, v in status_fields(ctx).items())


async def _save(ctx: Services) -> str:
    if not ctx.config.update_config:
        raise CommandFailed("update_config=0: not writing the configuration")
    try:
        await ctx.save_config()
    except OSError as e:
        raise CommandFailed(str(e)) from None
    return ok()


def cmd_save_config(ctx: Services, raw: str) -> Reply:
    return _save(ctx)


async def _reconfigure(ctx: Services) -> str:
    try:
        await ctx.reload()
    except ConfigFileError as e:
        raise CommandFailed(str(e)) from None
    return ok()


def cmd_reconfigure(ctx: Services, raw: str) -> Reply:
    return _reconfigure(ctx)


def cmd_terminate(ctx: Services, raw: str) -> Reply:
    ctx.terminate()
    return ok()


def cmd_fail(ctx: Services, raw: str) -> Reply:
    """What wpa_supplicant answers where pywps has nothing to offer: STATUS-DRIVER on a wired link, STA-* (no
    AP mode)."""
    raise CommandFailed("not available")


def cmd_ifname(ctx: Services, raw: str) -> Reply:
    return ctx.options.ifname


def cmd_interfaces(ctx: Services, raw: str) -> Reply:
    return ctx.options.ifname + "\n"  # one daemon per interface


def cmd_interface_list(ctx: Services, raw: str) -> Reply:
    return ""  # the driver's other interfaces: wpa_supplicant lists none for wired either


def cmd_pmksa(ctx: Services, raw: str) -> Reply:
    return "Index / AA / PMKID / expiration (in seconds) / opportunistic\n"  # PSK only: no PMKSA cache


def cmd_ok(ctx: Services, raw: str) -> Reply:
    """Accepted with nothing to do in pywps: PMKSA_FLUSH (no cache), SUSPEND/RESUME, and the 802.1X port
    commands (LOGON, LOGOFF, REAUTHENTICATE) which wpa_supplicant accepts on any link; pywps runs no 802.1X."""
    return ok()


def cmd_note(ctx: Services, raw: str) -> Reply:
    log.info("NOTE: %s", raw)
    return ok()


def cmd_relog(ctx: Services, raw: str) -> Reply:
    """Re-open the log file (after logrotate moved it): a closed FileHandler opens its path again on use."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.close()
    return ok()


def cmd_log_level(ctx: Services, raw: str) -> Reply:
    if not raw:
        return f"Current level: {ctx.log_level}\nTimestamp: {int(ctx.log_timestamps)}\n"
    # wpa_supplicant: "LEVEL [TIMESTAMP]", either may be blank (blanks alone answer OK and change nothing)
    words = raw.split()
    level = words[0].upper() if words else ctx.log_level
    if level not in LEVELS:
        raise CommandFailed(f"unknown log level {words[0][:20]!r}")
    ctx.set_log_level(level, LEVELS[level], bool(c_atoi(words[1])) if len(words) > 1 else ctx.log_timestamps)
    return ok()


def cmd_mib(ctx: Services, raw: str) -> Reply:
    return "".join(f"{k}={v}\n" for k, v in mib_fields(ctx).items())


def mib_fields(ctx: Services) -> dict[str, str]:
    """The RSNA and 802.1X supplicant MIB, as wpa_supplicant prints it, with what pywps knows."""
    # wpa_supplicant's RSN state machine keeps the last association's suites after the link is gone
    last = ctx.connector.policy.target if ctx.connector is not None else None
    completed = ctx.connector is not None and ctx.connector.state.value == "COMPLETED"
    akm = pairwise = group = "00-00-00-0"
    group_bits = 0
    if last is not None and last.security.pairwise is not None and last.security.group is not None:
        from ..wpa.rsn import KEY_LEN  # loaded with the network's handshake

        security = last.security
        oui = "00-0f-ac" if security.wpa2 else "00-50-f2"
        akm, pairwise, group = (f"{oui}-{security.akm.value}", suite_text(security.pairwise.suite),
                                suite_text(security.group.suite))
        group_bits = KEY_LEN[security.group] * 8  # wpa_sm_get_mib: TKIP, GCMP-256 and CCMP-256 are 256
    elif last is not None:  # an open network: no AKM, WPA's "no cipher" suites (wpa_cipher_to_suite, proto 0)
        pairwise = group = "00-50-f2-0"
    counters = ctx.eapol_counters
    return {
        "dot11RSNAOptionImplemented": "TRUE",
        "dot11RSNAPreauthenticationImplemented": "FALSE",  # pywps does not pre-authenticate
        "dot11RSNAEnabled": "TRUE" if last is not None and last.security.wpa2 else "FALSE",
        "dot11RSNAPreauthenticationEnabled": "FALSE",
        "dot11RSNAConfigVersion": "1",
        "dot11RSNAConfigPairwiseKeysSupported": "5",
        "dot11RSNAConfigGroupCipherSize": str(group_bits),
        "dot11RSNAConfigPMKLifetime": "43200",
        "dot11RSNAConfigPMKReauthThreshold": "70",
        "dot11RSNAConfigNumberOfPTKSAReplayCounters": "1",
        "dot11RSNAConfigSATimeout": "60",
        "dot11RSNAAuthenticationSuiteSelected": akm,
        "dot11RSNAPairwiseCipherSelected": pairwise,
        "dot11RSNAGroupCipherSelected": group,
        "dot11RSNAPMKIDUsed": "",
        "dot11RSNAAuthenticationSuiteRequested": akm,
        "dot11RSNAPairwiseCipherRequested": pairwise,
        "dot11RSNAGroupCipherRequested": group,
        "dot11RSNAConfigNumberOfGTKSAReplayCounters": "0",
        "dot11RSNA4WayHandshakeFailures": "0",
        # AUTHENTICATED (5) with the backend IDLE (2) once the PSK opened the port, FORCE_AUTH (9) on an open
        # network's (its port is forced open); DISCONNECTED and INITIALIZE (1, 1) otherwise (the EAP states of a
        # WPS run are not modelled)
        "dot1xSuppPaeState": ("9" if last is not None and last.security.is_open else "5") if completed else "1",
        "dot1xSuppHeldPeriod": "60",
        "dot1xSuppAuthPeriod": "30",
        "dot1xSuppStartPeriod": "30",
        "dot1xSuppMaxStart": "3",
        "dot1xSuppSuppControlledPortStatus": "Authorized" if completed else "Unauthorized",
        "dot1xSuppBackendPaeState": "2" if completed else "1",
        **counters.mib(),
    }


def suite_text(suite: int) -> str:
    """A suite selector as the MIB prints it: 00-0f-ac-4."""
    oui = suite >> 8
    return f"{oui >> 16:02x}-{(oui >> 8) & 0xFF:02x}-{oui & 0xFF:02x}-{suite & 0xFF}"


COMMANDS: dict[str, Handler] = {
    "PING": cmd_ping,
    "STATUS": cmd_status,
    "STATUS-VERBOSE": cmd_status,  # pywps has no more to say than STATUS
    "STATUS-WPS": cmd_status,
    "STATUS-NO_EVENTS": cmd_status,
    "STATUS-DRIVER": cmd_fail,
    "IFNAME": cmd_ifname,
    "INTERFACES": cmd_interfaces,
    "INTERFACE_LIST": cmd_interface_list,
    "MIB": cmd_mib,
    "LOG_LEVEL": cmd_log_level,
    "RELOG": cmd_relog,
    "NOTE": cmd_note,
    "SAVE_CONFIG": cmd_save_config,
    "RECONFIGURE": cmd_reconfigure,
    "TERMINATE": cmd_terminate,
    "STA-FIRST": cmd_fail,
    "STA-NEXT": cmd_fail,
    "STA": cmd_fail,
    "PMKSA": cmd_pmksa,
    "PMKSA_FLUSH": cmd_ok,
    "SUSPEND": cmd_ok,
    "RESUME": cmd_ok,
    "LOGON": cmd_ok,
    "LOGOFF": cmd_ok,
    "REAUTHENTICATE": cmd_ok,
}
