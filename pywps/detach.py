"""-B: run in the background, as wpa_supplicant -B does.

wpa_supplicant forks once its interface is up (control socket open); the command returns 0 then, or fails in the
foreground when start-up fails, and the pidfile names the process that stays. An asyncio daemon cannot fork once
its loop runs (the warm-up thread, the loop's own descriptors), so pywps forks first and the parent waits on a
pipe: the daemon writes one byte when it is up, and the parent exits 0; if the daemon exits before that, the
parent exits with its status. Same outcome for the caller (ifupdown's start-stop-daemon, a boot script).
"""

from __future__ import annotations

import os
from collections.abc import Callable

READY = b"R"


def detach() -> Callable[[], None]:
    """Fork. The parent never returns: it exits when the child is up or gone. The child gets a function to call
    once it is up: it tells the parent, puts stdin, stdout and stderr on /dev/null and leaves the working
    directory (wpa_supplicant's daemon(0, 0)); paths given on the command line are absolute by then."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            word = pipe.read(1)  # b"" when the child closed its end: it exited (or failed) before it was up
        if word == READY:
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        os._exit(code if code > 0 else 255)  # killed by a signal, or exited 0 without being up: still a failure
    os.close(read_end)
    os.setsid()  # out of the caller's session: a terminal closing does not end the daemon

    def up() -> None:
        os.write(write_end, READY)
        os.close(write_end)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        os.chdir("/")

    return up
