"""Log line formats, shared by the command line (-t) and LOG_LEVEL's timestamp switch."""

from __future__ import annotations

import logging


def log_format(timestamps: bool) -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(name)s: %(message)s" if timestamps else "%(name)s: %(message)s")


def set_timestamps(timestamps: bool) -> None:
    for handler in logging.getLogger().handlers:
        handler.setFormatter(log_format(timestamps))
