"""What Debian wpa_supplicant 2.10's file reader (src/utils/config.c wpa_config_get_line) gives back of a line:
it cuts a `#` comment unless a pair of double quotes encloses the `#` (pairs counted from the line's start), and
trims trailing blanks. A value written so that the reader cuts it would load as something else, or not at all
(psk="1234567"#" loads as a 7-character passphrase and the file is refused): the writers check with these."""

from __future__ import annotations


def comment_start(line: str) -> int:
    """Where the reader cuts `line` (-1: nowhere)."""
    end = line.find("#")
    start = 0
    while end >= 0:
        q1 = line.find('"', start)
        if q1 < 0 or q1 > end:
            break
        q2 = line.find('"', q1 + 1)
        if q2 < 0:
            break
        start = q2 + 1
        if start > end:
            end = line.find("#", start)
    return end


def file_value(value: str) -> str:
    """A value as the reader reads it from a line: its comment cut, trailing blanks trimmed."""
    end = comment_start(value)
    return (value if end < 0 else value[:end]).rstrip(" \t\r\n")


def reads_back(line: str) -> bool:
    """Whether the reader gives `line` back whole (no comment cut, no blank trimmed)."""
    return comment_start(line) < 0 and line == line.rstrip(" \t\r\n")
