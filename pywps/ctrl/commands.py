"""The control command table: command name -> handler, gathered from the backend modules, and the dispatcher.

Each backend module (status, capabilities, station, networks, WPS) holds plain handlers `handler(ctx, raw)`:
`ctx` is the daemon's services (`pywps.services.Services`), `raw` the argument text after the command name. A handler
returns the reply text, or an awaitable of it for the few commands that wait. Reply formats are
wpa_supplicant's (wpa_supplicant/ctrl_iface.c): `OK\\n`, `FAIL\\n`, `UNKNOWN COMMAND\\n`, key=value lines...

A handler raises `CommandFailed` (or `BadArguments`) to answer FAIL; anything else it raises is logged with its
traceback and answered FAIL too, so no traceback ever reaches a client.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("pywps.ctrl")

OK = "OK\n"
FAIL = "FAIL\n"
UNKNOWN = "UNKNOWN COMMAND\n"

Reply = str | Awaitable[str]
Handler = Callable[[Any, str], Reply]


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
        name, _, raw = request.rstrip("\n").partition(" ")
        handler = self.table.get(name)  # case matters, as in wpa_supplicant
        if handler is None and name.startswith(CTRL_RSP):
            handler, raw = ctrl_rsp, name[len(CTRL_RSP):]
        if handler is None:
            return UNKNOWN
        try:
            result = handler(self.ctx, raw)
        except Exception as e:
            return self._failed(name, e)
        if inspect.isawaitable(result):
            return self._finish(name, result)
        return result

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


def ok(_result: object = None) -> str:
    return OK
