"""Drive pywps's External Registrar through its WPS_ER_* command handlers, in whatever network namespace this
runs in (tests start it with `ip netns exec`): the steps come as JSON on argv, the replies and event texts go to
stdout as JSON lines, with the time since start.

steps: ["cmd", "WPS_ER_START"] | ["wait", "regex", timeout] | ["sleep", seconds]
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pywps.ctrl import events as texts  # noqa: E402
from pywps.ctrl.commands import CommandFailed  # noqa: E402
from pywps.ctrl.er_commands import COMMANDS  # noqa: E402
from pywps.daemon import warm_up  # noqa: E402
from pywps.er import make_er_service  # noqa: E402
from pywps.wps.credential import Credential  # noqa: E402
from pywps.wps.defs import AuthType, EncrType  # noqa: E402
from pywps.wps.device import DeviceInfo  # noqa: E402

DEVICE = DeviceInfo(uuid=bytes.fromhex("27ea801a9e5c4e73bd82f89cbcd10d7e"), mac_address=bytes.fromhex("0266a0ee1727"),
                    device_name=b"pywps ER")
NETWORKS = {0: Credential(b"stored-net", AuthType.WPA2PSK, EncrType.AES, b"storedpass1")}


class Ctx:
    """The little the handlers need from the daemon's command context."""

    def __init__(self, ifname: str, publish) -> None:
        self.er = make_er_service(lambda: DEVICE, publish, NETWORKS.get, ifname)


def emit(kind: str, text: str, t0: float) -> None:
    print(json.dumps({"t": round(time.monotonic() - t0, 4), kind: text}), flush=True)


async def main(ifname: str, steps: list) -> None:
    t0 = time.monotonic()
    seen: list[str] = []
    new = asyncio.Event()

    def publish(event) -> None:
        text = texts.event_texts(event)[0]
        seen.append(text)
        new.set()
        emit("event", text, t0)

    # What a running daemon has done by the time a WPS_ER_* command comes: its warm-up after readiness loads the
    # protocol core and cryptography's DH and AES, so a first learn does not pay for those imports here either.
    warm_up()
    ctx = Ctx(ifname, publish)
    mark = 0  # a wait looks at the events since the last command
    for step in steps:
        if step[0] == "cmd":
            mark = len(seen)
            emit("cmd", step[1], t0)  # events the handler publishes before it returns belong to this step
            name, _, raw = step[1].partition(" ")
            try:
                reply = COMMANDS[name](ctx, raw.strip())
                if not isinstance(reply, str):
                    reply = await reply
            except CommandFailed:
                reply = "FAIL\n"
            emit("reply", f"{step[1]} -> {reply.strip()}", t0)
        elif step[0] == "wait":
            regex, deadline = re.compile(step[1]), time.monotonic() + step[2]
            while not any(regex.search(s) for s in seen[mark:]):
                new.clear()
                try:
                    await asyncio.wait_for(new.wait(), max(0.01, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    emit("timeout", step[1], t0)
                    break
        elif step[0] == "sleep":
            await asyncio.sleep(step[1])
    if ctx.er.running:
        await ctx.er.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
