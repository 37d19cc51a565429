"""A wpa_ctrl client: `CtrlClient` for asyncio programs, and `pywps-cli`, a wpa_cli-like console.

    pywps-cli [-p DIR] [-i IFNAME] [COMMAND [ARGS...]]
    pywps-cli cred-decode HEX

With a command it prints the reply (wps_pin / wps_pbc / wps_reg also follow the run: walk time left, then the
outcome); without one it is an interactive prompt that prints events as they arrive.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator

DEFAULT_CTRL_DIR = "/run/pywps"
_counter = itertools.count()
OUTCOMES = ("WPS-SUCCESS", "WPS-FAIL", "WPS-TIMEOUT", "WPS-M2D", "WPS-OVERLAP-DETECTED", "WPS-CANCEL")


class CtrlError(Exception):
    pass


class CtrlClient:
    """One client socket bound like wpa_ctrl's, connected to the daemon's control socket."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = os.path.join(tempfile.gettempdir(), f"pywps_ctrl_{os.getpid()}-{next(_counter)}")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._sock.bind(self.local)
            self._sock.connect(path)
        except OSError as e:
            self.close()
            raise CtrlError(f"cannot reach {path}: {e.strerror}") from None
        self._sock.setblocking(False)
        self._events: asyncio.Queue[str] = asyncio.Queue()

    def close(self) -> None:
        self._sock.close()
        try:
            os.unlink(self.local)
        except FileNotFoundError:
            pass

    async def __aenter__(self) -> CtrlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def _recv(self, timeout: float) -> str:
        loop = asyncio.get_running_loop()
        data = await asyncio.wait_for(loop.sock_recv(self._sock, 8192), timeout)
        return data.decode("utf-8", "replace")

    async def request(self, command: str, timeout: float = 10.0) -> str:
        """Send a command and return its reply; events that arrive meanwhile are kept for `events()`."""
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(self._sock, command.encode())
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise CtrlError(f"no reply to {command.split()[0]} within {timeout} s")
            try:
                text = await self._recv(remaining)
            except asyncio.TimeoutError:
                raise CtrlError(f"no reply to {command.split()[0]} within {timeout} s") from None
            if text.startswith("<") and ">" in text[:4]:
                self._events.put_nowait(text)
                continue
            return text

    async def attach(self) -> None:
        if (await self.request("ATTACH")).strip() != "OK":
            raise CtrlError("ATTACH refused")

    async def events(self) -> AsyncIterator[str]:
        """Event texts without their `<level>` prefix, as they arrive (after `attach()`)."""
        while True:
            if not self._events.empty():
                text = self._events.get_nowait()
            else:
                text = await self._recv(3600)
            yield text.split(">", 1)[1] if text.startswith("<") else text


# -- pywps-cli ---------------------------------------------------------------------------------------------


def cred_decode(hexdump: str) -> int:
    from ..config import network_block_text, network_from_credential
    from ..wps.credential import parse_credentials
    from ..wps.errors import WpsError

    try:
        creds = parse_credentials(bytes.fromhex(hexdump.strip()))
    except (ValueError, WpsError) as e:
        print(f"cannot decode: {e}", file=sys.stderr)
        return 1
    for cred in creds:
        try:
            print(network_block_text(network_from_credential(cred)), end="")
        except ValueError as e:
            print(f"# credential refused: {e}")
    return 0


async def follow_run(client: CtrlClient, reply: str) -> int:
    """After WPS_PIN/WPS_PBC/WPS_REG: show walk time left until the run's outcome arrives."""
    print(reply.strip())
    if reply.startswith(("FAIL", "UNKNOWN")):
        return 1
    loop = asyncio.get_running_loop()
    start = loop.time()
    events = client.events()
    while True:
        try:
            event = await asyncio.wait_for(anext(events), 1.0)
        except asyncio.TimeoutError:
            left = max(0, 120 - int(loop.time() - start))
            print(f"\rwalk time left: {left:3d} s", end="", flush=True)
            continue
        if event.startswith(("WPS-", "CTRL-EVENT-EAP")):
            print(f"\r{event}" + " " * 10)
        if event.startswith(OUTCOMES) and not event.startswith("WPS-M2D"):
            return 0 if event.startswith("WPS-SUCCESS") else 1


async def interactive(client: CtrlClient) -> int:
    await client.attach()
    loop = asyncio.get_running_loop()

    async def print_events() -> None:
        async for event in client.events():
            print(f"\r<event> {event}\n> ", end="", flush=True)

    printer = asyncio.create_task(print_events())
    try:
        while True:
            line = await loop.run_in_executor(None, _prompt)
            if line is None or line.strip() in ("quit", "exit"):
                return 0
            if line.strip():
                print(await client.request(_wire_command(line.split())), end="\n")
    finally:
        printer.cancel()


def _prompt() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


def _wire_command(words: list[str]) -> str:
    """As wpa_cli: the command name upper-cased; wps_reg's new SSID and key hex-encoded."""
    name, args = words[0].upper(), words[1:]
    if name == "WPS_REG" and len(args) in (5, 6):
        ssid_hex = args[2].encode().hex()
        key_hex = args[5].encode().hex() if len(args) == 6 else ""
        args = [args[0], args[1], ssid_hex, args[3], args[4], key_hex]
    return " ".join([name, *args])


async def run_cli(args: argparse.Namespace) -> int:
    if not args.ifname:
        try:
            names = sorted(os.listdir(args.ctrl_dir))
        except OSError:
            names = []
        if not names:
            print(f"no control socket in {args.ctrl_dir}", file=sys.stderr)
            return 1
        args.ifname = names[0]
    try:
        client = CtrlClient(os.path.join(args.ctrl_dir, args.ifname))
    except CtrlError as e:
        print(e, file=sys.stderr)
        return 1
    async with client:
        try:
            if not args.command:
                return await interactive(client)
            wire = _wire_command(args.command)
            if wire.split()[0] in ("WPS_PIN", "WPS_PBC", "WPS_REG"):
                await client.attach()
                return await follow_run(client, await client.request(wire))
            reply = await client.request(wire)
            print(reply, end="" if reply.endswith("\n") else "\n")
            return 1 if reply.startswith(("FAIL", "UNKNOWN COMMAND")) else 0
        except CtrlError as e:
            print(e, file=sys.stderr)
            return 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cred-decode"]:
        if len(argv) != 2:
            print("usage: pywps-cli cred-decode HEX", file=sys.stderr)
            return 2
        return cred_decode(argv[1])
    p = argparse.ArgumentParser(prog="pywps-cli", description="Control a running pywps (wpa_cli-compatible).")
    p.add_argument("-p", dest="ctrl_dir", default=DEFAULT_CTRL_DIR, help="control socket directory")
    p.add_argument("-i", dest="ifname", help="interface (default: the first socket in the directory)")
    p.add_argument("command", nargs=argparse.REMAINDER, help="command and arguments (none: interactive)")
    args = p.parse_args(argv)
    try:
        return asyncio.run(run_cli(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
