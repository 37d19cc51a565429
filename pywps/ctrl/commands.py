"""The control command table: command name -> a small handler that parses arguments and calls the backend.

Reply formats are wpa_supplicant's (wpa_supplicant/ctrl_iface.c): `OK\\n`, `FAIL\\n`, `UNKNOWN COMMAND\\n`,
`PONG\\n`, key=value lines for STATUS, the bare PIN for WPS_PIN. The backend (the daemon) raises
`CommandFailed` for a refusal; anything else it raises is logged with its traceback and answered `FAIL\\n`,
so no traceback reaches a client.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger("pywps.ctrl")

OK = "OK\n"
FAIL = "FAIL\n"
UNKNOWN = "UNKNOWN COMMAND\n"
BSSID_RE = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")


class CommandFailed(Exception):
    """The backend refuses a command: the client gets FAIL."""


class BadArguments(Exception):
    pass


class Backend(Protocol):
    """What the daemon provides to the control interface (methods may be sync or async)."""

    def status(self) -> dict[str, str]: ...
    def check_pin(self, pin: str) -> str: ...
    def generate_pin(self) -> str: ...
    def wps_pin(self, bssid: str | None, pin: str | None) -> str: ...
    def wps_pbc(self, bssid: str | None) -> None: ...
    def wps_reg(self, bssid: str, pin: str, ssid_hex: str | None = None, auth: str | None = None,
                encr: str | None = None, key_hex: str | None = None) -> None: ...
    def wps_cancel(self) -> None: ...
    def list_networks(self) -> list[tuple[int, str, str, str]]: ...
    def save_config(self) -> None: ...
    def reconfigure(self) -> None: ...
    def get(self, key: str) -> str: ...
    def set(self, key: str, value: str) -> None: ...
    def terminate(self) -> None: ...
    def scan(self) -> Any: ...
    def scan_results(self) -> str: ...
    def bss(self, arg: str) -> str: ...


Handler = Callable[[Backend, list[str], str], Any]


def _bssid_or_any(text: str) -> str | None:
    if text == "any":
        return None
    if not BSSID_RE.match(text):
        raise BadArguments(f"not a BSSID: {text!r}")
    return text.lower()


def _ok(_result: object) -> str:
    return OK


# -- handlers: (backend, args, raw argument text) -> awaitable or value ----------------------------------


def cmd_ping(b: Backend, args: list[str], raw: str) -> str:
    return "PONG\n"


def cmd_status(b: Backend, args: list[str], raw: str):
    return _then(b.status(), lambda info: "".join(f"{k}={v}\n" for k, v in info.items()))


def cmd_wps_pin(b: Backend, args: list[str], raw: str):
    if not args:
        return UNKNOWN  # wpa_supplicant matches "WPS_PIN " with its space: a bare WPS_PIN is unknown
    if args[0] == "get":  # a fresh PIN for the user to show, without starting a run
        return _then(b.generate_pin(), lambda pin: pin)
    bssid = _bssid_or_any(args[0])
    pin = args[1] if len(args) > 1 else None
    return _then(b.wps_pin(bssid, pin), lambda pin: pin)  # the PIN alone, no newline


def cmd_wps_pbc(b: Backend, args: list[str], raw: str):
    bssid = _bssid_or_any(args[0]) if args else None
    return _then(b.wps_pbc(bssid), _ok)


def cmd_wps_check_pin(b: Backend, args: list[str], raw: str):
    if not raw:
        raise BadArguments("WPS_CHECK_PIN needs a PIN")
    return _then(b.check_pin(raw), lambda r: r)


def cmd_wps_reg(b: Backend, args: list[str], raw: str):
    if len(args) == 2:
        return _then(b.wps_reg(args[0], args[1]), _ok)
    # wpa_cli hex-encodes the SSID and key; with five arguments the key is empty.
    parts = raw.split(" ")
    if len(parts) == 6:
        bssid, pin, ssid_hex, auth, encr, key_hex = parts
        return _then(b.wps_reg(bssid, pin, ssid_hex, auth, encr, key_hex), _ok)
    raise BadArguments("WPS_REG <BSSID> <AP PIN> [<SSID hex> <auth> <encr> <key hex>]")


def cmd_wps_cancel(b: Backend, args: list[str], raw: str):
    return _then(b.wps_cancel(), _ok)


def cmd_list_networks(b: Backend, args: list[str], raw: str):
    def fmt(rows):
        return "network id / ssid / bssid / flags\n" + "".join(f"{i}\t{s}\t{bs}\t{fl}\n" for i, s, bs, fl in rows)

    return _then(b.list_networks(), fmt)


def cmd_save_config(b: Backend, args: list[str], raw: str):
    return _then(b.save_config(), _ok)


def cmd_reconfigure(b: Backend, args: list[str], raw: str):
    return _then(b.reconfigure(), _ok)


def cmd_get(b: Backend, args: list[str], raw: str):
    if len(args) != 1:
        raise BadArguments("GET <key>")
    return _then(b.get(args[0]), lambda v: v)  # wpa_supplicant prints the value without a newline


def cmd_set(b: Backend, args: list[str], raw: str):
    key, _, value = raw.partition(" ")
    if not key or not _:
        raise BadArguments("SET <key> <value>")
    return _then(b.set(key, value), _ok)


def cmd_terminate(b: Backend, args: list[str], raw: str):
    return _then(b.terminate(), _ok)


def cmd_scan(b: Backend, args: list[str], raw: str):
    return _then(b.scan(), lambda busy: "FAIL-BUSY\n" if busy else OK)


def cmd_scan_results(b: Backend, args: list[str], raw: str):
    return _then(b.scan_results(), lambda text: text)


def cmd_bss(b: Backend, args: list[str], raw: str):
    if not raw:
        raise BadArguments("BSS <id|bssid|FIRST|LAST|NEXT-id|RANGE=...>")
    return _then(b.bss(raw), lambda text: text)


def cmd_empty(b: Backend, args: list[str], raw: str) -> str:
    return ""  # LIST_CREDS / STA-FIRST: wpa_cli asks them for completion; nothing to list here


def _backend_call(method: str, *, with_args: bool = False):
    def handler(b: Backend, args: list[str], raw: str):
        fn = getattr(b, method, None)
        if fn is None:
            return UNKNOWN
        return _then(fn(*args) if with_args else fn(), _ok)

    return handler


COMMANDS: dict[str, Handler] = {
    "PING": cmd_ping,
    "STATUS": cmd_status,
    "WPS_PIN": cmd_wps_pin,
    "WPS_PBC": cmd_wps_pbc,
    "WPS_CHECK_PIN": cmd_wps_check_pin,
    "WPS_REG": cmd_wps_reg,
    "WPS_CANCEL": cmd_wps_cancel,
    "LIST_NETWORKS": cmd_list_networks,
    "SAVE_CONFIG": cmd_save_config,
    "RECONFIGURE": cmd_reconfigure,
    "GET": cmd_get,
    "SET": cmd_set,
    "TERMINATE": cmd_terminate,
    "SCAN": cmd_scan,
    "SCAN_RESULTS": cmd_scan_results,
    "BSS": cmd_bss,
    "LIST_CREDS": cmd_empty,
    "STA-FIRST": cmd_empty,
    "DISCONNECT": _backend_call("disconnect"),
    "RECONNECT": _backend_call("reconnect"),
    "SELECT_NETWORK": _backend_call("select_network", with_args=True),
    "ENABLE_NETWORK": _backend_call("enable_network", with_args=True),
    "DISABLE_NETWORK": _backend_call("disable_network", with_args=True),
    "REMOVE_NETWORK": _backend_call("remove_network", with_args=True),
}


def _then(result: Any, fmt: Callable[[Any], str]) -> Any:
    """Apply `fmt` to a backend result that may be a coroutine."""
    if inspect.isawaitable(result):
        async def finish() -> str:
            return fmt(await result)

        return finish()
    return fmt(result)


class CommandTable:
    def __init__(self, backend: Backend, extra_failures: tuple[type[Exception], ...] = ()) -> None:
        self.backend = backend
        # The daemon has its own refusal type; both mean FAIL to the client.
        self.failures = (CommandFailed, BadArguments, *extra_failures)

    def dispatch(self, request: str) -> str | Awaitable[str]:
        """The reply, or an awaitable of it for the few commands that wait (SCAN)."""
        name, _, raw = request.strip().partition(" ")
        handler = COMMANDS.get(name)
        if handler is None:
            return UNKNOWN
        raw = raw.strip()
        try:
            result = handler(self.backend, raw.split(), raw)
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

    def _failed(self, name: str, error: Exception) -> str:
        if isinstance(error, self.failures):
            log.info("%s refused: %s", name, error)
        else:  # the daemon's edge: log it whole, tell the client only FAIL
            log.error("internal error in control command %s", name, exc_info=error)
        return FAIL


