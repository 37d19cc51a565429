"""C-library number parsing as hostap's C code does it (glibc atoi/strtol), for the core and the shell alike.

A leaf module: it imports nothing from pywps, so the sans-IO core (pywps/wps) may use it as the config and
control layers do.
"""

from __future__ import annotations

import re


def c_atoi(text: str) -> int:
    """glibc atoi, (int) strtol(text, NULL, 10): leading blanks, a sign, ASCII digits up to the first other
    character (none is 0), saturated at the 64-bit long range, then its low 32 bits. Ids in commands are read
    this way, so `SET_NETWORK x ssid ...` addresses network 0 in wpa_supplicant (`5x` is 5, `0x10` is 0)."""
    m = re.match(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", text)  # C digits only, not Unicode ones
    return _wrap32(max(-(2**63), min(2**63 - 1, int(m[1])))) if m else 0


def c_strtol_int(text: str) -> int:
    """An `int` field: strtol(text, &end, 0) with nothing after the number, then truncated to 32 bits, as
    wpa_config_parse_int does (`0x10` is 16, `99999999999` wraps)."""
    m = re.fullmatch(r"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", text)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    digits = m[2]
    if digits[:2].lower() == "0x":
        value = int(digits, 16)
    elif digits.startswith("0") and len(digits) > 1:
        value = int(digits, 8)
    else:
        value = int(digits)
    value = -value if m[1] == "-" else value
    value = max(-(2**63), min(2**63 - 1, value))  # strtol saturates at LONG_MIN/LONG_MAX
    return _wrap32(value)


def c_int_array(text: str) -> list[int]:
    """wpa_config_parse_int_array (scan_freq, freq_list): atoi() of each space-separated word, up to the first
    that reads as 0 (a word that is not a number ends the list)."""
    out = []
    pos = 0
    while True:
        while text.startswith(" ", pos):
            pos += 1
        number = c_atoi(text[pos:])
        if number == 0:
            return out
        out.append(number)
        pos = text.find(" ", pos + 1)
        if pos < 0:
            return out


def _wrap32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value
