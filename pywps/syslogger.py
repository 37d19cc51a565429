"""-s: log to syslog as wpa_supplicant -s does (glibc's openlog with LOG_PID, facility daemon)."""

from __future__ import annotations

import logging
from logging.handlers import SysLogHandler


class SyslogHandler(SysLogHandler):
    """Datagrams to /dev/log in glibc syslog(3)'s form, `<pri>Mmm dd hh:mm:ss pywps[pid]: text` with no NUL,
    facility daemon, INFO as notice: the priority wpa_supplicant gives MSG_INFO, so a `journalctl -p` or an
    rsyslog filter keeps the same lines. Like syslog(3), it drops what it cannot send (no listener on /dev/log
    yet) without a word: logging's default would print a traceback per line."""

    priority_map = {**SysLogHandler.priority_map, "INFO": "notice"}
    append_nul = False
    timestamps_apply = False  # LOG_LEVEL's timestamp switch leaves this format alone

    def __init__(self, address: str = "/dev/log") -> None:
        super().__init__(address, SysLogHandler.LOG_DAEMON)
        # %(process)d, not a pid taken now: -B forks after the handler exists
        self.setFormatter(logging.Formatter("%(asctime)s pywps[%(process)d]: %(message)s", "%b %e %H:%M:%S"))

    def handleError(self, record: logging.LogRecord) -> None:
        pass
