"""A whole daemon in-process on a fake driver: its control commands through the real command table, its events
as monitors would receive them (text and level), its config file on disk. No root, no sockets to peers."""

from __future__ import annotations

import asyncio
import gc
import re
import shutil
import tempfile
from pathlib import Path

from pywps.ctrl.commands import CommandTable
from pywps.daemon import Daemon
from pywps.driver.base import Driver
from pywps.services import Options


class Rig:
    def __init__(self, driver: Driver, conf_text: str = "update_config=1\n", walk_time: float = 120.0,
                 pidfile: bool = False, **options) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pws-", dir="/tmp"))  # short: AF_UNIX paths max 108
        self.conf = self.dir / "pywps.conf"
        self.conf.write_text(conf_text)
        self.options = Options(ifname="fake0", driver=driver.name, config_path=str(self.conf),
                               ctrl_dir=str(self.dir / "ctrl"), walk_time=walk_time,
                               pidfile=str(self.dir / "pywps.pid") if pidfile else None, **options)
        self.driver = driver
        self.daemon = Daemon(self.options, driver=driver)
        self.events: list[tuple[int, str]] = []
        self._new_event = asyncio.Event()

    async def __aenter__(self) -> Rig:
        await self.daemon.start()
        publish = self.daemon.ctrl.publish

        def capture(level: int, text: str) -> None:
            self.events.append((level, text))
            self._new_event.set()
            publish(level, text)

        self.daemon.ctrl.publish = capture
        return self

    async def __aexit__(self, *exc) -> None:
        if self.daemon.ctrl is not None and self.daemon.ctrl._sock is not None:
            await self.daemon.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def services(self):
        return self.daemon.services

    async def cmd(self, text: str) -> str:
        reply = CommandTable(self.services).dispatch(text)
        if not isinstance(reply, str):
            reply = await reply
        return reply

    async def scan(self, request: str = "SCAN", reply: str = "OK\n") -> list[str]:
        """Send a request that starts a scan (it must answer `reply`); the event texts from it to the scan's end,
        its results and what follows them."""
        before = len(self.events)
        assert await self.cmd(request) == reply, request
        assert await self.services.station.finish_scan_under_way(), f"{request} started no scan"
        return self.texts()[before:]

    def texts(self) -> list[str]:
        return [text for _, text in self.events]

    async def wait_event(self, pattern: str, timeout: float = 5.0, after: int = 0) -> re.Match:
        """The first event from index `after` on that matches `pattern` (a regex), waiting for it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for _, text in self.events[after:]:
                if m := re.search(pattern, text):
                    return m
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no event matching {pattern!r} in {timeout} s; saw {self.texts()}")
            self._new_event.clear()
            try:
                await asyncio.wait_for(self._new_event.wait(), left)
            except asyncio.TimeoutError:
                pass


def run(coro) -> None:
    """Run one test coroutine on a fresh loop; fail on any task exception nobody retrieved."""
    problems: list[str] = []

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: problems.append(context.get("message", "")))
        await coro
        await asyncio.sleep(0.05)  # let finished tasks report
        gc.collect()  # a task whose exception nobody retrieved says so when it is collected

    asyncio.run(main())
    assert not problems, problems
