"""The network-management and GET/SET control commands, answering as Debian wpa_supplicant 2.10 answers.

ADD_NETWORK, SET_NETWORK, GET_NETWORK, DUP_NETWORK, REMOVE_NETWORK, ENABLE_NETWORK, DISABLE_NETWORK,
SELECT_NETWORK, LIST_NETWORKS, GET, SET. Each handler is `handler(ctx, raw) -> str` (raw = the argument text after
the command name, stripped); a refusal raises CommandFailed (the client gets FAIL). `ctx.config` is the live
Config; after every change the handler calls `ctx.networks_changed(event)` with a pywps.netevents event, which
the shell turns into CTRL-EVENT-NETWORK-ADDED/REMOVED texts and connector actions.

Observed wpa_supplicant behaviour kept here (tests/test_diff_config.py runs both side by side):
- Ids are read with atoi(): `SET_NETWORK x ssid ...` addresses network 0, `REMOVE_NETWORK 1abc` network 1.
- The commands that take arguments are UNKNOWN COMMAND without their space (wpa_supplicant matches "NAME " with
  the space; ctrl/commands.py's match_of), and read an empty argument after it: `REMOVE_NETWORK ` is network 0.
  LIST_NETWORKS ignores what it does not understand.
- `SET_NETWORK <id> <field> NULL` unsets a string field (ssid, id_str) and answers OK for the EAP string fields
  pywps never stores (wpa_gui sends it for every empty one).
- LIST_NETWORKS LAST_ID=N lists the networks with an id above N, and a reply stops at whole lines before 4096
  bytes (wpa_supplicant's reply buffer): wpa_gui pages with LAST_ID until the reply holds no network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .. import netfields as nf
from ..cnumbers import c_atoi
from ..netevents import (
    NetworkAdded,
    NetworkChanged,
    NetworkDisabled,
    NetworkEnabled,
    NetworkEvent,
    NetworkRemoved,
    NetworkSelected,
)
from .commands import CommandFailed
from .fieldargs import block_by_id, c_string, field_args, set_field

if TYPE_CHECKING:
    from ..config import Config, Network

OK = "OK\n"
LIST_HEADER = "network id / ssid / bssid / flags\n"
REPLY_MAX = 4096  # wpa_supplicant's control reply buffer; LIST_NETWORKS stops before it overflows


class NetworkContext(Protocol):
    """What the handlers need from the shell."""

    config: Config

    def networks_changed(self, event: NetworkEvent) -> None: ...

    def global_changed(self, key: str) -> None:
        """A SET gave this global a new value (what it drives, such as `country`, follows)."""


def _current(ctx) -> int | None:
    """The id LIST_NETWORKS marks [CURRENT]: `ctx.current_network_id()` if the shell offers it."""
    fn = getattr(ctx, "current_network_id", None)
    return fn() if fn is not None else None


def _temp_disabled(ctx, network_id: int) -> bool:
    fn = getattr(ctx, "network_temp_disabled", None)
    return bool(fn(network_id)) if fn is not None else False


def _network(ctx: NetworkContext, text: str) -> Network:
    return block_by_id(ctx.config.network, text, "network")


def _targets(ctx: NetworkContext, text: str) -> list[Network]:
    if text == "all":
        return ctx.config.networks
    return [_network(ctx, text)]


# -- handlers ---------------------------------------------------------------------------------------------


def cmd_list_networks(ctx: NetworkContext, raw: str | None) -> str:
    raw = c_string(raw or "")  # bare or with arguments, alike
    last_id = None
    for word in raw.split():
        if word.startswith("LAST_ID="):
            last_id = c_atoi(word[8:])
    current = _current(ctx)
    out = LIST_HEADER
    for n in ctx.config.networks:
        if last_id is not None and n.id <= last_id:
            continue
        line = f"{n.id}\t{n.ssid_text()}\t{n.bssid_text()}\t{n.flags_text(n.id == current, _temp_disabled(ctx, n.id))}\n"
        if len(out.encode("utf-8", "surrogateescape")) + len(line.encode("utf-8", "surrogateescape")) >= REPLY_MAX:
            break
        out += line
    return out


def cmd_add_network(ctx: NetworkContext, raw: str) -> str:
    network = ctx.config.add_network()
    ctx.networks_changed(NetworkAdded(network.id))
    return f"{network.id}\n"


def cmd_set_network(ctx: NetworkContext, raw: str) -> str:
    id_text, name, value = field_args(raw, 3, "SET_NETWORK <id> <field> <value>")
    network = _network(ctx, id_text)
    if name in nf.UNSTORED_STRING_FIELDS and value == nf.NULL:
        return OK  # unsetting what pywps never stores (wpa_gui sends these for an empty EAP field)
    set_field(network, name, value, "network")
    ctx.networks_changed(NetworkChanged(network.id, name))
    return OK


def cmd_get_network(ctx: NetworkContext, raw: str) -> str:
    id_text, name = field_args(raw, 2, "GET_NETWORK <id> <field>")
    network = _network(ctx, id_text)
    try:
        return network.get(name)  # no newline, as wpa_supplicant answers
    except KeyError:
        raise CommandFailed(f"no value for {name[:30]!r}") from None


def cmd_dup_network(ctx: NetworkContext, raw: str) -> str:
    """DUP_NETWORK <from id> <to id> <field>: copy one field's value (keys too) to another network."""
    raw = c_string(raw)
    parts = raw.split(" ")
    if len(parts) < 3:
        raise CommandFailed("DUP_NETWORK <from id> <to id> <field>")
    source, target, name = _network(ctx, parts[0]), _network(ctx, parts[1]), nf.field_name(parts[2])
    if name not in nf.FIELDS:
        raise CommandFailed(f"unknown network field {name[:30]!r}")
    value = source.fields[name] if name in source.fields else source.value(name)
    if value is None:
        raise CommandFailed(f"network {source.id} has no {name}")
    try:
        target.set(name, value)
    except ValueError as e:
        raise CommandFailed(f"{name}: {e}") from None
    ctx.networks_changed(NetworkChanged(target.id, name))
    return OK


def cmd_remove_network(ctx: NetworkContext, raw: str) -> str:
    raw = c_string(raw)
    for network in _targets(ctx, raw):
        ctx.config.remove_network(network.id)
        ctx.networks_changed(NetworkRemoved(network.id))
    return OK


def cmd_enable_network(ctx: NetworkContext, raw: str) -> str:
    raw = c_string(raw)
    targets = _targets(ctx, raw)
    if raw != "all" and targets[0].disabled == 2:
        raise CommandFailed("ENABLE_NETWORK on a persistent P2P group")
    targets = [n for n in targets if n.disabled != 2]
    were_disabled = tuple(n.id for n in targets if n.disabled)
    for network in targets:
        if network.disabled:  # an untouched block keeps the user's text
            network.set("disabled", "0")
    # wpa_supplicant looks for " no-connect" anywhere after an id (not after "all"): enable, nothing more
    no_connect = raw != "all" and " no-connect" in raw
    ctx.networks_changed(NetworkEnabled(tuple(n.id for n in targets), connect=not no_connect,
                                        were_disabled=were_disabled))
    return OK


def cmd_disable_network(ctx: NetworkContext, raw: str) -> str:
    raw = c_string(raw)
    targets = _targets(ctx, raw)
    if raw != "all" and targets[0].disabled == 2:
        raise CommandFailed("DISABLE_NETWORK on a persistent P2P group")
    targets = [n for n in targets if n.disabled != 2]
    for network in targets:
        if network.disabled != 1:
            network.set("disabled", "1")
    ctx.networks_changed(NetworkDisabled(tuple(n.id for n in targets), every=raw == "all"))
    return OK


def cmd_select_network(ctx: NetworkContext, raw: str) -> str:
    raw = c_string(raw)
    target = raw.split()[0] if raw.split() else raw  # blanks alone: atoi("") is network 0
    chosen = None if target == "any" else _network(ctx, target)
    if chosen is not None and chosen.disabled == 2:
        raise CommandFailed("SELECT_NETWORK on a persistent P2P group")
    for network in ctx.config.networks:
        if network.disabled == 2:
            continue
        wanted = "1" if chosen is not None and network is not chosen else "0"
        if network.value("disabled") != wanted:
            network.set("disabled", wanted)
    at = raw.find(" freq=")
    ctx.networks_changed(NetworkSelected(chosen.id if chosen is not None else None,
                                         raw[at + len(" freq="):] if at >= 0 else None))
    return OK


def cmd_get(ctx: NetworkContext, raw: str) -> str:
    raw = c_string(raw)
    try:
        return ctx.config.get(raw)  # no newline, as wpa_supplicant answers
    except KeyError:
        raise CommandFailed(f"GET {raw[:30]!r}: no value") from None


def cmd_set(ctx: NetworkContext, raw: str) -> str:
    raw = c_string(raw)
    key, space, value = raw.partition(" ")
    if not space:
        raise CommandFailed("SET <key> <value>")
    old = ctx.config.values.get(key)
    try:
        ctx.config.set(key, value)
    except KeyError:
        raise CommandFailed(f"SET: unknown key {key[:30]!r}") from None
    except ValueError as e:
        raise CommandFailed(f"SET {key}: {e}") from None
    if ctx.config.values.get(key) != old:
        ctx.global_changed(key)
    return OK


COMMANDS = {
    "LIST_NETWORKS": cmd_list_networks,
    "ADD_NETWORK": cmd_add_network,
    "SET_NETWORK": cmd_set_network,
    "GET_NETWORK": cmd_get_network,
    "DUP_NETWORK": cmd_dup_network,
    "REMOVE_NETWORK": cmd_remove_network,
    "ENABLE_NETWORK": cmd_enable_network,
    "DISABLE_NETWORK": cmd_disable_network,
    "SELECT_NETWORK": cmd_select_network,
    "GET": cmd_get,
    "SET": cmd_set,
}
