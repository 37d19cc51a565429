"""wpa_supplicant's freq_range_to_channel_list: `freq=` ranges (SCAN, SELECT_NETWORK) to the radio's channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..cnumbers import c_atoi

if TYPE_CHECKING:
    from ..driver.radio import HwMode


def parse_freq_ranges(text: str) -> list[tuple[int, int]]:
    """freq_range_list_parse: comma-separated `MHz` or `MIN-MAX`, each number read as atoi reads it (so the text
    may go on after it: `freq=2412 passive=1`)."""
    ranges = []
    while text:
        comma, dash = text.find(","), text.find("-")
        low = c_atoi(text) % 2**32  # unsigned in wpa_supplicant's range
        high = c_atoi(text[dash + 1:]) % 2**32 if dash >= 0 and (comma < 0 or dash < comma) else low
        ranges.append((low, high))
        text = text[comma + 1:] if comma >= 0 else ""
    return ranges


def channels_in(modes: list[HwMode], ranges: list[tuple[int, int]]) -> list[int]:
    freqs: dict[int, None] = {}
    for mode in modes:
        for channel in mode.channels:
            if not channel.disabled and any(low <= channel.freq <= high for low, high in ranges):
                freqs[channel.freq] = None
    return list(freqs)


def channel_list(text: str, modes: list[HwMode]) -> list[int]:
    """The radio's enabled channels (MHz) in the ranges of `text`; empty when none is."""
    return channels_in(modes, parse_freq_ranges(text))
