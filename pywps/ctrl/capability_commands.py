"""GET_CAPABILITY and DRIVER_FLAGS: what pywps can do, told truthfully in wpa_supplicant's words.

pywps's only EAP method is WSC; it joins WPA/WPA2-PSK networks (CCMP or TKIP) over nl80211 and none over a wire,
where it runs WPS alone. Where a capability is one pywps lacks, the reply is the one Debian wpa_supplicant 2.10
gives when its build or driver lacks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
# What a wired link has no channels for; a radio's channel list needs the wiphy dump pywps does not read yet.
WIRED_ONLY = {"channels": "", "freq": ""}
DRIVER_FLAGS = {"wired": (0x10, ["WIRED"])}  # WPA_DRIVER_FLAGS_WIRED


def cmd_get_capability(ctx: Services, raw: str) -> Reply:
    words = raw.split()
    if not words:
        return UNKNOWN  # wpa_supplicant matches "GET_CAPABILITY " with its argument
    field = words[0]
    wired = ctx.station is None
    if field in CAPABILITIES:
        return CAPABILITIES[field][1 if wired else 0]
    if field in WIRED_ONLY and wired:
        return WIRED_ONLY[field]
    raise CommandFailed(f"GET_CAPABILITY {field[:20]}: not available")  # erp, fips, fils, sae, dpp, ...


def cmd_driver_flags(ctx: Services, raw: str) -> Reply:
    flags = DRIVER_FLAGS.get(ctx.driver.name)
    if flags is None:
        raise CommandFailed("driver flags are not read from nl80211 yet")
    value, names = flags
    return f"{value:016x}:\n" + "".join(f"{name}\n" for name in names)


COMMANDS: dict[str, Handler] = {
    "GET_CAPABILITY": cmd_get_capability,
    "DRIVER_FLAGS": cmd_driver_flags,
}
