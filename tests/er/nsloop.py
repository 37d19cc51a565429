"""Run an asyncio coroutine inside a network namespace of its own, from the test process.

setns(2) switches only the calling thread, so the coroutine runs in a fresh thread that joins the namespace
first: every socket it opens lives there, while pytest (and its log capture) stays in the test process.
The namespace has only `lo`, with multicast on and 239.0.0.0/8 routed to it, so SSDP works on 127.0.0.1
(the recipe the issue gives for hostapd's UPnP on lo).
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import os
import subprocess
import threading

CLONE_NEWNET = 0x40000000
_counter = itertools.count()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class LoopbackNetns:
    def __init__(self) -> None:
        self.name = f"pwer{os.getpid() % 100000}-{next(_counter)}"

    def __enter__(self) -> LoopbackNetns:
        _ip("netns", "add", self.name)
        try:
            _ip("-n", self.name, "link", "set", "lo", "up")
            _ip("-n", self.name, "link", "set", "lo", "multicast", "on")
            _ip("-n", self.name, "route", "add", "239.0.0.0/8", "dev", "lo")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def run(self, coro_factory, timeout: float = 120.0):
        """Run `coro_factory()` on a new event loop in a thread inside the namespace; return its result."""
        result: dict = {}

        def target() -> None:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns failed")
            finally:
                os.close(fd)
            try:
                result["value"] = asyncio.run(asyncio.wait_for(coro_factory(), timeout))
            except BaseException as e:  # handed to the test thread, which raises it
                result["error"] = e

        thread = threading.Thread(target=target, name=f"netns-{self.name}")
        thread.start()
        thread.join(timeout + 10)
        if thread.is_alive():
            raise AssertionError(f"the coroutine in {self.name} did not finish")
        if "error" in result:
            raise result["error"]
        return result.get("value")
