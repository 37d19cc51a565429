"""WPS control commands: WPS_PIN, WPS_PBC, WPS_REG, WPS_CANCEL, WPS_CHECK_PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..cnumbers import c_atoi
from ..driver.base import mac_bytes
from ..station.types import RunKind, RunRequest
from ..wps.credential import Credential
from ..wps.defs import AuthType, EncrType
from ..wps.errors import WpsError
from ..wps.pin import PinError, generate_pin, has_valid_checksum, normalize_pin, pin_digits
from .commands import BadArguments, CommandFailed, Handler, Reply, ok

if TYPE_CHECKING:
    from ..services import Services

AUTH_NAMES = {"OPEN": AuthType.OPEN, "WPAPSK": AuthType.WPAPSK, "WPA2PSK": AuthType.WPA2PSK,
              "SHARED": AuthType.SHARED, "WPA": AuthType.WPA, "WPA2": AuthType.WPA2}
ENCR_NAMES = {"NONE": EncrType.NONE, "WEP": EncrType.WEP, "TKIP": EncrType.TKIP, "CCMP": EncrType.AES}


def _bssid(text: str) -> bytes | None:
    """`any` or a BSSID, as the WPS commands take it: hwaddr_aton reads the first 17 characters and no more."""
    if text == "any":
        return None
    try:
        return mac_bytes(text[:17])
    except ValueError:
        raise BadArguments(f"not a BSSID: {text!r}") from None


def _pin(text: str) -> str:
    try:
        return normalize_pin(text, require_checksum=False)
    except PinError as e:
        raise CommandFailed(str(e)) from None


def cmd_wps_pin(ctx: Services, raw: str) -> Reply:
    args = raw.split()
    if not args:
        raise BadArguments("WPS_PIN <BSSID|any|get> [PIN]")  # `WPS_PIN ` with nothing after it
    if args[0] == "get":  # a fresh PIN for the user to show, without starting a run
        return generate_pin()
    bssid = _bssid(args[0])
    pin = _pin(args[1]) if len(args) > 1 else generate_pin()
    # wpa_supplicant takes all after the first space as the PIN: echoed and put in phase1 as typed (`1234-5670`,
    # `12345670 x`), while its method reads up to a space; pywps runs with the digits, dashes allowed
    typed = raw.split(" ", 1)[1] if len(args) > 1 else pin
    ctx.wps.start(RunRequest(RunKind.PIN, bssid, pin, phase1=f"pin={typed} dev_pw_id=0"))
    return typed  # no newline


def cmd_wps_pbc(ctx: Services, raw: str | None) -> Reply:
    """WPS_PBC alone, or with `any`, `any ...`, `multi_ap=N` (any AP) or a BSSID; `WPS_PBC ` with an empty
    argument is no BSSID (FAIL), as in wpa_supplicant_ctrl_iface_wps_pbc. `multi_ap=1` (after `any` or a BSSID
    too): EasyMesh onboarding as a backhaul station, M1 and the association request say so, and the network
    stored keeps multi_ap_backhaul_sta=1."""
    multi_ap = 0
    if raw is None or raw == "any" or raw.startswith("any "):
        bssid = None
    elif raw.startswith("multi_ap="):
        bssid, multi_ap = None, c_atoi(raw[len("multi_ap="):])
    else:
        bssid = _bssid(raw.split(" ", 1)[0])
    if raw is not None and " multi_ap=" in raw:  # after `any` or a BSSID (the first one counts, as strstr)
        multi_ap = c_atoi(raw.split(" multi_ap=", 1)[1])
    # wpas_wps_start_pbc: the run's network is a backhaul station's, and its phase1 says multi_ap=1 to the method
    ctx.wps.start(RunRequest(RunKind.PBC, bssid, multi_ap=multi_ap != 0, backhaul_sta=multi_ap != 0,
                             phase1="pbc=1 multi_ap=1" if multi_ap else "pbc=1"))
    return ok()


def cmd_wps_reg(ctx: Services, raw: str) -> Reply:
    # wpa_cli hex-encodes the SSID and key and joins the arguments with single spaces: an empty key is a
    # trailing space, an empty AP PIN two spaces (wpa_supplicant sends it; the AP then refuses the run).
    parts = raw.split(" ")
    if len(parts) == 5:
        parts.append("")
    if len(parts) not in (2, 6):
        raise BadArguments("WPS_REG <BSSID> <AP PIN> [<SSID hex> <auth> <encr> <key hex>]")
    target = _bssid(parts[0])
    if target is None:
        raise CommandFailed("WPS_REG needs the AP's BSSID")
    pin = _pin(parts[1]) if parts[1] else ""
    new = None
    if len(parts) == 6:
        ssid_hex, auth, encr, key_hex = parts[2:]
        try:
            new = Credential(bytes.fromhex(ssid_hex), AUTH_NAMES[auth.upper()], ENCR_NAMES[encr.upper()],
                             bytes.fromhex(key_hex))
            new.validate()
        except (KeyError, ValueError, WpsError) as e:
            raise CommandFailed(f"bad new AP settings: {e}") from None
    phase1 = f"pin={parts[1]}"  # as typed, the new settings too (wpas_wps_start_reg)
    if new is not None:
        phase1 += " new_ssid={} new_auth={} new_encr={} new_key={}".format(*parts[2:])
    ctx.wps.start(RunRequest(RunKind.REG, target, pin, new, phase1=phase1))
    return ok()


def cmd_wps_cancel(ctx: Services, raw: str) -> Reply:
    ctx.wps.cancel()
    return ok()


def cmd_wps_check_pin(ctx: Services, raw: str) -> Reply:
    """The PIN with every separator dropped (wpa_supplicant keeps the ASCII digits of whatever was typed)."""
    digits = pin_digits(raw)
    if len(digits) not in (4, 8):
        raise CommandFailed(f"PIN of {len(digits)} digits; expected 4 or 8")
    if len(digits) == 8 and not has_valid_checksum(digits):
        return "FAIL-CHECKSUM\n"
    return digits


COMMANDS: dict[str, Handler] = {
    "WPS_PIN": cmd_wps_pin,
    "WPS_PBC": cmd_wps_pbc,
    "WPS_REG": cmd_wps_reg,
    "WPS_CANCEL": cmd_wps_cancel,
    "WPS_CHECK_PIN": cmd_wps_check_pin,
}
