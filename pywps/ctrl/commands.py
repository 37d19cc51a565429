"""The control command table: command name -> handler, gathered from the backend modules, and the dispatcher.

Each backend module (status, capabilities, station, networks, WPS) holds plain handlers `handler(ctx, raw)`:
`ctx` is the daemon's services (`pywps.services.Services`), `raw` the argument text after the command name. A handler
returns the reply text, or an awaitable of it for the few commands that wait. Reply formats are
wpa_supplicant's (wpa_supplicant/ctrl_iface.c): `OK\\n`, `FAIL\\n`, `UNKNOWN COMMAND\\n`, key=value lines...

Which requests reach a handler is decided as wpa_supplicant_ctrl_iface_process decides it (`match_of`): a command
compared whole takes nothing after its name, not even a space; one compared with its space ("NAME ") needs the
space and reads what follows, even nothing, as its argument (`REMOVE_NETWORK ` is network atoi("") = 0); a few
take both forms (their handler gets None for the bare form: `WPS_PBC` is any AP, `WPS_PBC ` an empty BSSID);
a few are compared by their name's letters alone and take whatever follows as sent, its space too.

A handler raises `CommandFailed` (or `BadArguments`) to answer FAIL; anything else it raises is logged with its
traceback and answered FAIL too, so no traceback ever reaches a client.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

from ..driver.base import DriverError

log = logging.getLogger("pywps.ctrl")

OK = "OK\n"
FAIL = "FAIL\n"
UNKNOWN = "UNKNOWN COMMAND\n"

Reply = str | Awaitable[str]
Handler = Callable[[Any, str | None], Reply]  # None: the bare form of an EITHER command


CTRL_RSP = "CTRL-RSP-"  # CTRL-RSP-<field>-<network id>:<value>: answers to an EAP method's questions


def ctrl_rsp(ctx: Any, raw: str) -> Reply:
    """pywps runs no 802.1X EAP method that asks for an identity, password or PIN: wpa_supplicant built without
    802.1X answers FAIL too."""
    raise CommandFailed("no EAP method here asks for credentials")


class CommandFailed(Exception):
    """The backend refuses a command: the client gets FAIL."""


class BadArguments(CommandFailed):
    """The arguments cannot be read: the client gets FAIL."""


def command_table() -> dict[str, Handler]:
    """Every command pywps answers, by name (the backends import lazily: only the daemon needs them)."""
    from . import (
        capability_commands,
        cred_commands,
        er_commands,
        network_commands,
        station_commands,
        status_commands,
        wps_commands,
    )

    table: dict[str, Handler] = {}
    for module in (status_commands, capability_commands, station_commands, network_commands, wps_commands,
                   er_commands, cred_commands):
        overlap = table.keys() & module.COMMANDS.keys()
        assert not overlap, f"{module.__name__} redefines {overlap}"
        table.update(module.COMMANDS)
    return table


class Match(Enum):
    """How wpa_supplicant 2.10's ctrl_iface.c recognises a command's request."""

    WHOLE = "os_strcmp(buf, NAME)"  # nothing may follow the name
    ARGS = "os_strncmp(buf, NAME + ' ')"  # the space is required; what follows (maybe nothing) is the argument
    EITHER = "both"  # the bare name, or the name, a space and an argument (maybe empty)
    PREFIX = "os_strncmp(buf, NAME)"  # whatever follows the name's letters goes to the handler as sent


# Read from wpa_supplicant_ctrl_iface_process (wpa_supplicant/ctrl_iface.c, hostap_2_10); every other command
# of pywps's table is ARGS. tests/test_diff_dispatch.py sends each name bare and with a trailing space to both.
WHOLE = frozenset("""
    ABORT_SCAN ADD_CRED ADD_NETWORK DISCONNECT DRIVER_FLAGS DRIVER_FLAGS2 ERP_FLUSH FLUSH IFNAME INTERFACE_LIST
    LIST_CREDS LOGOFF LOGON MIB PING PMKSA PMKSA_FLUSH REASSOCIATE REATTACH REAUTHENTICATE RECONFIGURE RECONNECT
    RESUME SAVE_CONFIG SCAN_RESULTS STA-FIRST SUSPEND TERMINATE WPS_CANCEL WPS_ER_STOP
    STATUS-VERBOSE STATUS-WPS STATUS-NO_EVENTS STATUS-DRIVER
""".split())  # the STATUS-* forms are STATUS's parameters, compared whole (with a space after: plain STATUS)
EITHER = frozenset(("LIST_NETWORKS", "SCAN", "WPS_PBC", "WPS_ER_START"))
# in the order wpa_supplicant tries them: the first whose letters begin the request takes it
PREFIX = ("RELOG", "STATUS", "DUMP", "BSSID_IGNORE", "BLACKLIST", "LOG_LEVEL", "INTERFACES", "SIGNAL_POLL",
          "SIGNAL_MONITOR", "PKTCNT_POLL", "NEIGHBOR_REP_REQUEST")


def match_of(name: str) -> Match:
    if name in WHOLE:
        return Match.WHOLE
    if name in EITHER:
        return Match.EITHER
    if name in PREFIX:
        return Match.PREFIX
    return Match.ARGS


class CommandTable:
    def __init__(self, ctx: Any, table: dict[str, Handler] | None = None) -> None:
        self.ctx = ctx
        self._table = table

    @property
    def table(self) -> dict[str, Handler]:
        """Gathered on the first command, not at start: the server answers PING itself, and the backends (with
        the scan texts, the PIN code, the ER's commands) load after the first PONG (the daemon's warm-up
        imports them)."""
        if self._table is None:
            self._table = command_table()
        return self._table

    def dispatch(self, request: str) -> Reply:
        """The reply, or an awaitable of it."""
        # The argument text goes to the handler as sent (wpa_supplicant does not trim it either: an empty
        # last argument of WPS_REG is a trailing space).
        request = request.rstrip("\n")
        found = self.resolve(request)
        if found is None:
            return UNKNOWN
        name, handler, raw = found
        try:
            result = handler(self.ctx, raw)
        except Exception as e:
            return self._failed(name, e)
        if inspect.isawaitable(result):
            return self._finish(name, result)
        return result

    def resolve(self, request: str) -> tuple[str, Handler, str | None] | None:
        """The command a request names, its handler and its argument text (None: the bare form of an EITHER
        command), or None for UNKNOWN COMMAND. Case matters, as in wpa_supplicant."""
        name, space, raw = request.partition(" ")
        handler = self.table.get(name)
        if handler is not None:
            match = match_of(name)
            if match is Match.PREFIX:
                return name, handler, request[len(name):]
            if match is Match.EITHER:
                return name, handler, raw if space else None
            if (match is Match.ARGS) == bool(space):
                return name, handler, raw
        if request.startswith(CTRL_RSP):  # named without its field and value: the value may be a password
            return CTRL_RSP, ctrl_rsp, name[len(CTRL_RSP):]
        for prefix in PREFIX:
            if request.startswith(prefix) and prefix in self.table:
                return prefix, self.table[prefix], request[len(prefix):]
        return None

    async def _finish(self, name: str, pending: Awaitable[str]) -> str:
        try:
            return await pending
        except Exception as e:
            return self._failed(name, e)

    @staticmethod
    def _failed(name: str, error: Exception) -> str:
        if isinstance(error, CommandFailed):
            log.info("%s refused: %s", name, error)
        else:  # the daemon's edge: log it whole, tell the client only FAIL
            log.error("internal error in control command %s", name, exc_info=error)
        return FAIL


def then(result: Any, fmt: Callable[[Any], str]) -> Reply:
    """Apply `fmt` to a backend result that may be awaitable."""
    if inspect.isawaitable(result):
        async def finish() -> str:
            return fmt(await result)

        return finish()
    return fmt(result)


T = TypeVar("T")


async def from_driver(read: Callable[[], Awaitable[T]], fmt: Callable[[T], str], failed: str = "") -> str:
    """A reply made of what the driver reads (a radio's figures, a scan abort): its DriverError is the client's
    FAIL, `failed` saying in the log what was being read. The read starts when the reply is awaited."""
    try:
        value = await read()
    except DriverError as e:
        raise CommandFailed(f"{failed}{e}") from None
    return fmt(value)


def ok(_result: object = None) -> str:
    return OK
