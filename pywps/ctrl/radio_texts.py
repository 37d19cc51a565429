"""A radio's figures as wpa_supplicant 2.10 prints them: SIGNAL_POLL, GET_CAPABILITY channels / freq,
DRIVER_FLAGS. Loaded by those commands when first asked (with the radio's data types)."""

from __future__ import annotations

from ..driver.radio import ChannelWidth, DriverFlag, DriverFlag2, HwMode, SignalInfo

# wpa_supplicant's channel_width_to_string(); a 5 or 10 MHz channel is "unknown" to it and gets no WIDTH= line
WIDTH_TEXT = {
    ChannelWidth.W20_NOHT: "20 MHz (no HT)", ChannelWidth.W20: "20 MHz", ChannelWidth.W40: "40 MHz",
    ChannelWidth.W80: "80 MHz", ChannelWidth.W80P80: "80+80 MHz", ChannelWidth.W160: "160 MHz",
}
NOISE_UNKNOWN = 9999  # what wpa_supplicant prints when the survey has no noise for the channel


def signal_poll_text(info: SignalInfo) -> str:
    """SIGNAL_POLL's lines in wpa_supplicant 2.10's order; the optional ones only when the kernel gave them."""
    lines = [f"RSSI={info.signal}", f"LINKSPEED={info.tx_rate_mbps}",
             f"NOISE={NOISE_UNKNOWN if info.noise is None else info.noise}", f"FREQUENCY={info.freq}"]
    if info.width in WIDTH_TEXT:
        lines.append(f"WIDTH={WIDTH_TEXT[info.width]}")
    if info.center_freq1 > 0:
        lines.append(f"CENTER_FRQ1={info.center_freq1}")
    if info.center_freq2 > 0:
        lines.append(f"CENTER_FRQ2={info.center_freq2}")
    if info.avg_signal:
        lines.append(f"AVG_RSSI={info.avg_signal}")
    if info.avg_beacon_signal:
        lines.append(f"AVG_BEACON_RSSI={info.avg_beacon_signal}")
    return "".join(f"{line}\n" for line in lines)


def channels_text(modes: list[HwMode]) -> str:
    """GET_CAPABILITY channels: one line per mode, its enabled channel numbers."""
    return "".join(f"Mode[{m.mode}] Channels:" + "".join(f" {c.chan}" for c in m.channels if not c.disabled) + "\n"
                   for m in modes)


def freq_text(modes: list[HwMode]) -> str:
    """GET_CAPABILITY freq: per mode, each enabled channel with its frequency and the NO_IR / DFS marks."""
    out = []
    for m in modes:
        out.append(f"Mode[{m.mode}] Channels:\n")
        out += [f" {c.chan} = {c.freq} MHz{' (NO_IR)' if c.no_ir else ''}{' (DFS)' if c.radar else ''}\n"
                for c in m.channels if not c.disabled]
        out.append("\n")
    return "".join(out)


def flags_text(flags: DriverFlag | DriverFlag2) -> str:
    """DRIVER_FLAGS(2): the 64-bit value in upper-case hex, then one name a line from the lowest bit up."""
    names = [flag.text for flag in type(flags) if flags & flag]
    return f"{int(flags):016X}:\n" + "".join(f"{name}\n" for name in names)
