"""Log line formats, shared by the command line (-t) and LOG_LEVEL's timestamp switch."""

from __future__ import annotations

import logging

# wpa_supplicant's debug levels by number, MSG_EXCESSIVE (0) to MSG_ERROR (5), under the names LOG_LEVEL uses,
# with the Python level each one logs at
LEVELS: dict[str, int] = {"EXCESSIVE": logging.DEBUG, "MSGDUMP": logging.DEBUG, "DEBUG": logging.DEBUG,
                          "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}
MSG_INFO = 3


def start_level(debug: int, quiet: int) -> tuple[str, int]:
    """The level the command line sets, as wpa_supplicant's main.c does: MSG_INFO, one lower per -d, one
    higher per -q. Past either end it has no name (LOG_LEVEL answers "?", as wpa_supplicant's does)."""
    number = MSG_INFO - debug + quiet
    names = list(LEVELS)
    if number < 0:
        return "?", logging.DEBUG
    if number >= len(names):
        return "?", logging.CRITICAL + 1  # wpa_supplicant prints nothing then
    return names[number], LEVELS[names[number]]


def log_format(timestamps: bool) -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(name)s: %(message)s" if timestamps else "%(name)s: %(message)s")


def set_timestamps(timestamps: bool) -> None:
    for handler in logging.getLogger().handlers:
        if getattr(handler, "timestamps_apply", True):  # syslog stamps its lines itself
            handler.setFormatter(log_format(timestamps))


def syslog_handler() -> logging.Handler:
    """-s: the local syslog (/dev/log), loaded only then (logging.handlers costs start time)."""
    from .syslogger import SyslogHandler

    return SyslogHandler()
