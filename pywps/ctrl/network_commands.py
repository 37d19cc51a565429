"""Control commands on the stored networks: LIST_NETWORKS, SELECT/ENABLE/DISABLE/REMOVE_NETWORK."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Network
from .commands import CommandFailed, Handler, Reply, ok
from .events import ssid_text

if TYPE_CHECKING:
    from ..services import Services


def _networks(ctx: Services, arg: str) -> list[Network]:
    """The networks an argument names: an id, or `all`."""
    if arg == "all":
        return list(ctx.config.networks)
    try:
        return [ctx.config.network(int(arg))]
    except (ValueError, KeyError):
        raise CommandFailed(f"no network {arg!r}") from None


def cmd_list_networks(ctx: Services, raw: str) -> Reply:
    rows = ["network id / ssid / bssid / flags\n"]
    for n in ctx.config.networks:
        flags = "[DISABLED]" if n.fields.get("disabled") == "1" else ""
        rows.append(f"{n.id}\t{ssid_text(n.ssid)}\t{n.fields.get('bssid', 'any')}\t{flags}\n")
    return "".join(rows)


def _connector(ctx: Services):
    if ctx.connector is None:
        raise CommandFailed(f"the {ctx.driver.name} driver does not connect to networks")
    return ctx.connector


def cmd_select_network(ctx: Services, raw: str) -> Reply:
    connector = _connector(ctx)
    if raw == "any":
        connector.select(None)
        return ok()
    (network,) = _networks(ctx, raw) if raw != "all" else (None,)
    if network is None:
        raise CommandFailed("SELECT_NETWORK takes an id or any")
    network.set_field("disabled", None)
    connector.select(network.id)
    return ok()


def cmd_enable_network(ctx: Services, raw: str) -> Reply:
    for network in _networks(ctx, raw):
        network.set_field("disabled", None)
    if ctx.connector is not None:
        ctx.connector.kick()
    return ok()


def cmd_disable_network(ctx: Services, raw: str) -> Reply:
    networks = _networks(ctx, raw)
    for network in networks:
        network.set_field("disabled", "1")
    connector = ctx.connector
    if connector is not None and connector.joined is not None and connector.joined[0] in {n.id for n in networks}:
        connector.restart()
    return ok()


def cmd_remove_network(ctx: Services, raw: str) -> Reply:
    networks = _networks(ctx, raw)
    connector = ctx.connector
    current = connector.joined[0] if connector is not None and connector.joined is not None else None
    for network in networks:
        ctx.config.remove_network(network.id)
    if connector is not None and current in {n.id for n in networks}:
        connector.restart()
    return ok()


COMMANDS: dict[str, Handler] = {
    "LIST_NETWORKS": cmd_list_networks,
    "SELECT_NETWORK": cmd_select_network,
    "ENABLE_NETWORK": cmd_enable_network,
    "DISABLE_NETWORK": cmd_disable_network,
    "REMOVE_NETWORK": cmd_remove_network,
}
