"""Control commands about the daemon itself: PING, STATUS, GET/SET, SAVE_CONFIG, RECONFIGURE, TERMINATE."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..config import ConfigError
from ..driver.base import mac_str
from ..station.connection import LinkState
from ..station.types import RunKind
from ..wpa.rsn import cipher_name
from .commands import CommandFailed, Handler, Reply, ok
from .events import ssid_text

if TYPE_CHECKING:
    from ..services import Services

WPS_STATE = {RunKind.PIN: "PIN_ACTIVE", RunKind.PBC: "PBC_ACTIVE", RunKind.REG: "REG_ACTIVE"}


def uuid_text(uuid: bytes) -> str:
    h = uuid.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
    if connector is not None and connector.state is not LinkState.DISCONNECTED:
        state = connector.state.value
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
            info.update(mode="station", pairwise_cipher=cipher_name(security.pairwise),
                        group_cipher=cipher_name(security.group), key_mgmt=security.key_mgmt)
    elif station is not None and station.associated is not None:
        bss = station.associated
        state = "ASSOCIATED"
        info.update(bssid=mac_str(bss.bssid), freq=str(bss.entry.freq), ssid=ssid_text(bss.ssid))
    info.update(wpa_state=state, address=mac_str(ctx.driver.own_addr), uuid=uuid_text(ctx.uuid))
    if run is not None:
        info["wps_state"] = WPS_STATE[run.request.kind]
        info["wps_remaining"] = str(int(run.remaining(now)))
        if run.authenticator:
            info["bssid"] = mac_str(run.authenticator)
    else:
        info["wps_state"] = "IDLE"
    info["wps_last_result"] = wps.last_outcome
    return info


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


def cmd_reconfigure(ctx: Services, raw: str) -> Reply:
    try:
        ctx.reload()
    except ConfigError as e:
        raise CommandFailed(str(e)) from None
    return ok()


def cmd_terminate(ctx: Services, raw: str) -> Reply:
    ctx.terminate()
    return ok()


def cmd_empty(ctx: Services, raw: str) -> Reply:
    return ""  # LIST_CREDS / STA-FIRST: wpa_cli asks them for completion; nothing to list here


COMMANDS: dict[str, Handler] = {
    "PING": cmd_ping,
    "STATUS": cmd_status,
    "SAVE_CONFIG": cmd_save_config,
    "RECONFIGURE": cmd_reconfigure,
    "TERMINATE": cmd_terminate,
    "LIST_CREDS": cmd_empty,
    "STA-FIRST": cmd_empty,
}
