"""GET_CAPABILITY, DRIVER_FLAGS and DRIVER_FLAGS2: what pywps can do, told truthfully in wpa_supplicant's words.

pywps's only EAP method is WSC; it joins WPA/WPA2-PSK networks (with the ciphers and BIP ciphers the radio takes
keys of) over nl80211 and none over a wire, where it runs WPS alone. Where a capability is one pywps lacks, the
reply is the one Debian wpa_supplicant 2.10 gives when its build or driver lacks it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .commands import CommandFailed, Handler, Reply, from_driver

if TYPE_CHECKING:
    from ..services import Services

# field -> (answer on a radio, answer on a wire)
CAPABILITIES: dict[str, tuple[str, str]] = {
    "eap": ("WSC", "WSC"),
    "key_mgmt": ("NONE WPA-PSK", "NONE"),
    "pairwise": ("", ""),  # on a radio: the ciphers of CIPHERS its wiphy lists
    "group": ("", ""),
    "group_mgmt": ("", ""),  # on a radio: those of MGMT_CIPHERS
    "proto": ("RSN WPA", ""),
    "auth_alg": ("OPEN", ""),
    "modes": ("", ""),  # station only: no IBSS, AP or mesh
    "ocv": ("not supported", "not supported"),
    "beacon_prot": ("", "not supported"),  # on a radio: whether its kernel checks beacons (BIGTKs)
    "tdls": ("UNSUPPORTED\n", "UNSUPPORTED\n"),
}
# wpa_supplicant's names and order (ctrl_iface.c's ciphers[] less NONE and WEP, which pywps does not key), with
# the selectors of the wiphy's cipher list
CIPHERS = (("CCMP-256", 0x000FAC0A), ("GCMP-256", 0x000FAC09), ("CCMP", 0x000FAC04), ("GCMP", 0x000FAC08),
           ("TKIP", 0x000FAC02))
MGMT_CIPHERS = (("AES-128-CMAC", 0x000FAC06), ("BIP-GMAC-128", 0x000FAC0B), ("BIP-GMAC-256", 0x000FAC0C),
                ("BIP-CMAC-256", 0x000FAC0D))
CHANNEL_FIELDS = ("channels", "freq")  # from the wiphy on a radio; a wired link has none (an empty reply)


def cmd_get_capability(ctx: Services, raw: str) -> Reply:
    words = raw.split()
    if not words:
        raise CommandFailed("GET_CAPABILITY <field>")  # `GET_CAPABILITY ` with nothing after it
    field = words[0]
    wired = ctx.station is None
    if field in ("pairwise", "group", "group_mgmt") and not wired:
        table = MGMT_CIPHERS if field == "group_mgmt" else CIPHERS
        return from_driver(ctx.driver.read_ciphers, lambda _: _listed(table, ctx.driver.cipher_suites),
                           "reading the ciphers failed: ")
    if field == "beacon_prot" and not wired:
        return from_driver(ctx.driver.read_ciphers,
                           lambda _: "supported" if ctx.driver.protects_beacons else "not supported",
                           "reading the radio's capabilities failed: ")
    if field in CAPABILITIES:
        return CAPABILITIES[field][1 if wired else 0]
    if field in CHANNEL_FIELDS:  # wpa_supplicant reads no `strict` for these
        if wired:
            return ""
        return _radio_modes(ctx, field)
    raise CommandFailed(f"GET_CAPABILITY {field[:20]}: not available")  # erp, fips, fils, sae, dpp, ...


def _listed(table: tuple[tuple[str, int], ...], suites: frozenset[int]) -> str:
    return " ".join(name for name, suite in table if suite in suites)


def _radio_modes(ctx: Services, field: str) -> Reply:
    from .radio_texts import channels_text, freq_text

    return from_driver(ctx.driver.hw_modes, channels_text if field == "channels" else freq_text,
                       "reading the channels failed: ")


def _flags(ctx: Services, on_a_wire: Any, read: Callable[[], Awaitable[Any]]) -> Reply:
    """A flag word as DRIVER_FLAGS(2) prints it: the fixed value on a wire, the kernel driver's on a radio."""
    from .radio_texts import flags_text

    if ctx.station is None:
        return flags_text(on_a_wire)
    return from_driver(read, flags_text, "reading the driver flags failed: ")


def cmd_driver_flags(ctx: Services, raw: str) -> Reply:
    """The kernel driver's abilities as wpa_supplicant's flags, derived from the wiphy as its nl80211 driver
    does (WIRED on a wire): as Debian wpa_supplicant 2.10 (tests/vm/guest/test_hwsim_ctrl_diff.py)."""
    from ..driver.radio import DriverFlag

    return _flags(ctx, DriverFlag.WIRED, ctx.driver.driver_flags)


def cmd_driver_flags2(ctx: Services, raw: str) -> Reply:
    """wpa_supplicant's second flag word (WPA_DRIVER_FLAGS2_*): none on a wire (Debian wpa_supplicant -Dwired
    answers the zero value alone: tests/data/diff/SURVEY.md), the nl80211 extended features on a radio
    (tests/vm/guest/test_hwsim_ctrl_diff.py)."""
    from ..driver.radio import DriverFlag2

    return _flags(ctx, DriverFlag2(0), ctx.driver.driver_flags2)


COMMANDS: dict[str, Handler] = {
    "GET_CAPABILITY": cmd_get_capability,
    "DRIVER_FLAGS": cmd_driver_flags,
    "DRIVER_FLAGS2": cmd_driver_flags2,
}
