"""The nl80211 driver's dumps on its command socket take turns: the kernel runs one dump at a time per netlink
socket and refuses another meanwhile with EBUSY (af_netlink.c, __netlink_dump_start). Found in the hwsim VM, where
DRIVER_FLAGS and GET_CAPABILITY channels sent at once (each a wiphy dump) failed twice in 45 tries, and DRIVER_FLAGS
failed once in CI when it came while the daemon's warm-up read the radio's modes."""

from __future__ import annotations

import asyncio
import errno

from pyroute2.netlink.exceptions import NetlinkError

from pywps.driver.nl80211 import Nl80211Driver
from pywps.driver.nl80211_msg import Nl80211Msg


class OneDumpAtATime:
    """The command socket as the kernel serves it: a dump's replies come over several reads, and a dump asked for
    while another is under way is refused."""

    def __init__(self) -> None:
        self.running = False
        self.dumps = 0

    async def _do_dump(self, msg: Nl80211Msg):
        if self.running:
            raise NetlinkError(errno.EBUSY)
        self.running = True
        self.dumps += 1

        async def replies():
            try:
                for _ in range(3):
                    await asyncio.sleep(0)  # the next datagram of the dump
                    yield Nl80211Msg()
            finally:
                self.running = False

        return replies()


def test_dumps_asked_for_at_once_take_turns():
    driver = Nl80211Driver("wlan-test")
    driver.ifindex = 7
    socket = driver._cmd = OneDumpAtATime()  # type: ignore[assignment]

    async def at_once():
        return await asyncio.gather(driver.driver_flags(), driver.hw_modes(), driver.driver_flags2())

    flags, modes, flags2 = asyncio.run(at_once())
    assert socket.dumps == 3 and not socket.running
    assert modes == []  # an empty wiphy: no band
