"""The asyncio side of a sans-IO policy: one timer armed at `get_timer()`, actions carried out in order by one
task, events handed on. The WPS run and the connection policy are both driven this way."""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Protocol

log = logging.getLogger("pywps.station")


class Policy(Protocol):
    def next_action(self) -> Any: ...
    def next_event(self) -> Any: ...
    def get_timer(self) -> float | None: ...
    def handle_timer(self, now: float) -> None: ...


class PolicyDriver:
    def __init__(self, policy: Policy, perform: Callable[[Any], Awaitable[None]], on_event: Callable[[Any], None],
                 after: Collection[asyncio.Task] = ()) -> None:
        """`after`: tasks whose actions must all be carried out before this policy's first one (a replaced
        run's last frames go out before the new run's first)."""
        self.policy = policy
        self._after = tuple(after)
        self._perform = perform
        self._on_event = on_event
        self._loop = asyncio.get_running_loop()
        self._queue: deque[Any] = deque()
        self._worker: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    def now(self) -> float:
        return self._loop.time()

    def pump(self) -> None:
        """Call after every input to the policy: hand on its events, queue its actions, re-arm its timer."""
        policy = self.policy
        while (event := policy.next_event()) is not None:
            self._on_event(event)
        while (action := policy.next_action()) is not None:
            self._queue.append(action)
        if self._closed:
            return
        if self._queue and (self._worker is None or self._worker.done()):
            self._worker = self._loop.create_task(self._work())
        self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        when = self.policy.get_timer()
        if when is not None and math.isfinite(when):
            self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.policy.handle_timer(self._loop.time())
        self.pump()

    async def _work(self) -> None:
        if self._after:
            before, self._after = self._after, ()
            await asyncio.wait(before)
        while self._queue:
            action = self._queue.popleft()
            try:
                await self._perform(action)
            except asyncio.CancelledError:
                raise
            except Exception:  # the daemon's edge: one failed action must not stop the ones after it
                log.exception("carrying out %s failed", type(action).__name__)

    def discard(self, unwanted: Callable[[Any], bool]) -> None:
        """Drop the queued actions `unwanted` picks: what was to follow one that failed."""
        self._queue = deque(action for action in self._queue if not unwanted(action))

    async def drain(self) -> None:
        """Carry out every action already asked for (on close: the last frames reach the link first)."""
        self.pump()
        if self._worker is not None and not self._worker.done():
            await asyncio.wait([self._worker])

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._worker is not None:
            self._worker.cancel()
        self._queue.clear()
