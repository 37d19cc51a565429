"""GET_CAPABILITY and DRIVER_FLAGS: what pywps can do, told truthfully in wpa_supplicant's words.

pywps's only EAP method is WSC; it joins WPA/WPA2-PSK networks (CCMP or TKIP) over nl80211 and none over a wire,
where it runs WPS alone. Where a capability is one pywps lacks, the reply is the one Debian wpa_supplicant 2.10
gives when its build or driver lacks it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..driver.base import DriverError, DriverFlag, HwMode
from .commands import UNKNOWN, CommandFailed, Handler, Reply

if TYPE_CHECKING:
    from ..services import Services

# field -> (answer on a radio, answer on a wire)
CAPABILITIES: dict[str, tuple[str, str]] = {
    "eap": ("WSC", "WSC"),
    "key_mgmt": ("NONE WPA-PSK", "NONE"),
    "pairwise": ("CCMP TKIP", ""),
    "group": ("CCMP TKIP", ""),
    "group_mgmt": ("", ""),
    "proto": ("RSN WPA", ""),
    "auth_alg": ("OPEN", ""),
    "modes": ("", ""),  # station only: no IBSS, AP or mesh
    "ocv": ("not supported", "not supported"),
    "beacon_prot": ("not supported", "not supported"),
    "tdls": ("UNSUPPORTED\n", "UNSUPPORTED\n"),
}
CHANNEL_FIELDS = ("channels", "freq")  # from the wiphy on a radio; a wired link has none (an empty reply)
WIRED_FLAGS = DriverFlag.WIRED


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


def flags_text(flags: DriverFlag) -> str:
    """DRIVER_FLAGS: the 64-bit value in upper-case hex, then one name a line from the lowest bit up."""
    names = [flag.text for flag in DriverFlag if flags & flag]
    return f"{int(flags):016X}:\n" + "".join(f"{name}\n" for name in names)


def cmd_get_capability(ctx: Services, raw: str) -> Reply:
    words = raw.split()
    if not words:
        return UNKNOWN  # wpa_supplicant matches "GET_CAPABILITY " with its argument
    field = words[0]
    wired = ctx.station is None
    if field in CAPABILITIES:
        return CAPABILITIES[field][1 if wired else 0]
    if field in CHANNEL_FIELDS:  # wpa_supplicant reads no `strict` for these
        if wired:
            return ""
        return _radio_modes(ctx, channels_text if field == "channels" else freq_text)
    raise CommandFailed(f"GET_CAPABILITY {field[:20]}: not available")  # erp, fips, fils, sae, dpp, ...


async def _radio_modes(ctx: Services, fmt: Callable[[list[HwMode]], str]) -> str:
    try:
        return fmt(await ctx.driver.hw_modes())
    except DriverError as e:
        raise CommandFailed(f"reading the channels failed: {e}") from None


def cmd_driver_flags(ctx: Services, raw: str) -> Reply:
    """The kernel driver's abilities as wpa_supplicant's flags, derived from the wiphy as its nl80211 driver
    does (WIRED on a wire): as Debian wpa_supplicant 2.10 (tests/vm/guest/test_hwsim_ctrl_diff.py)."""
    if ctx.station is None:
        return flags_text(WIRED_FLAGS)

    async def read() -> str:
        try:
            return flags_text(await ctx.driver.driver_flags())
        except DriverError as e:
            raise CommandFailed(f"reading the driver flags failed: {e}") from None

    return read()


COMMANDS: dict[str, Handler] = {
    "GET_CAPABILITY": cmd_get_capability,
    "DRIVER_FLAGS": cmd_driver_flags,
}
