"""The control server's read-on after a request (pywps/ctrl/server.py `_on_readable`): requests that queue up
are all answered, in order, whether the server last found the socket empty (it then asks poll() first) or not."""

from __future__ import annotations

import asyncio
import socket

from pywps.ctrl.server import CtrlServer


def test_bursts_are_answered_in_order_before_and_after_an_empty_read(tmp_path):
    async def main() -> None:
        server = CtrlServer(str(tmp_path / "ctl" / "wlan0"), None, lambda text: f"{text} done\n")
        await server.start()
        loop = asyncio.get_running_loop()
        client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        client.bind(str(tmp_path / "client"))
        client.connect(server.path)
        client.setblocking(False)
        try:
            for burst in range(3):
                # Queued before the loop runs the server's callback: 8 of the socket's 10 (max_dgram_qlen).
                requests = [b"PING" if i % 2 else f"REQ {burst}.{i}".encode() for i in range(8)]
                for request in requests:
                    client.send(request)
                replies = [await asyncio.wait_for(loop.sock_recv(client, 64), 5) for _ in requests]
                assert replies == [b"PONG\n" if r == b"PING" else r + b" done\n" for r in requests]
                # The read after the last request found the socket empty: the next burst starts in poll mode.
                await asyncio.sleep(0.01)
                assert server._reading_on is False
            client.send(b"PING")  # one request on its own, in poll mode
            assert await asyncio.wait_for(loop.sock_recv(client, 64), 5) == b"PONG\n"
        finally:
            client.close()
            await server.close()

    asyncio.run(main())


def test_a_reply_that_waits_holds_the_requests_behind_it(tmp_path):
    """A command whose reply waits on I/O (SAVE_CONFIG's write, a kernel's answer): the requests that come after
    it, PING too and another client's, are read and answered after it, in order, as wpa_supplicant's loop,
    blocked in that I/O, answers them (tests/test_diff_dispatch.py compares bursts with wpa_supplicant)."""
    async def main() -> None:
        loop = asyncio.get_running_loop()
        release = asyncio.Event()
        ran: list[str] = []

        async def slow() -> str:
            await release.wait()
            return "SLOW done\n"

        def handler(text: str):
            ran.append(text)
            return slow() if text == "SLOW" else f"{text} done\n"

        server = CtrlServer(str(tmp_path / "ctl" / "wlan0"), None, handler)
        await server.start()
        clients = []
        for name in ("a", "b"):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            client.bind(str(tmp_path / name))
            client.connect(server.path)
            client.setblocking(False)
            clients.append(client)
        a, b = clients
        try:
            for request in (b"SLOW", b"PING", b"FAST"):
                a.send(request)
            await asyncio.sleep(0.05)
            b.send(b"PING")
            await asyncio.sleep(0.1)
            assert ran == ["SLOW"]  # nothing behind it was read
            release.set()
            replies = [await asyncio.wait_for(loop.sock_recv(a, 64), 5) for _ in range(3)]
            assert replies == [b"SLOW done\n", b"PONG\n", b"FAST done\n"] and ran == ["SLOW", "FAST"]
            assert await asyncio.wait_for(loop.sock_recv(b, 64), 5) == b"PONG\n"
            release.clear()
            a.send(b"SLOW")  # closed while it waits: the wait ends, nothing is left reading
            await asyncio.sleep(0.05)
            await server.close()
            await asyncio.sleep(0.01)
            assert server._answering is None
        finally:
            for client in clients:
                client.close()
            await server.close()

    asyncio.run(main())
