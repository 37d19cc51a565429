"""WPS_ER_* control commands (wpa_supplicant 2.10's syntax and replies, wpa_supplicant/ctrl_iface.c).

Each handler parses its arguments and calls the External Registrar service `ctx.er` (pywps.er.ErService,
created by the daemon on first use). WPS_ER_CONFIG takes the SSID and key hex-encoded: wpa_cli encodes them
(`wpa_cli wps_er_config UUID PIN ssid WPA2PSK CCMP passphrase` sends `WPS_ER_CONFIG UUID PIN 737369 ...`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable

from ..er.errors import ErError
from ..wps.credential import Credential
from ..wps.defs import AuthType, EncrType
from ..wps.errors import ParseError
from .commands import CommandFailed

OK = "OK\n"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAC_RE = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")
PIN_RE = re.compile(r"^[0-9]{4,8}$")
AUTH = {"OPEN": AuthType.OPEN, "WPAPSK": AuthType.WPAPSK, "WPA2PSK": AuthType.WPA2PSK}
# WEP exists only in wpa_supplicant's testing builds (CONFIG_TESTING_OPTIONS); Debian's refuses it too.
ENCR = {"NONE": EncrType.NONE, "TKIP": EncrType.TKIP, "CCMP": EncrType.AES}


def _target(text: str) -> tuple[bytes | None, bytes | None]:
    """A UUID or a MAC address, as wpas_wps_er_learn() reads its first argument."""
    if UUID_RE.match(text):
        return bytes.fromhex(text.replace("-", "")), None
    if MAC_RE.match(text):
        return None, bytes.fromhex(text.replace(":", ""))
    raise CommandFailed(f"{text!r} is neither a UUID nor a MAC address")


def _pin(text: str) -> str:
    # wpa_supplicant passes any text on as the PIN; a PIN is 4 or 8 digits, and anything else could only
    # fail later at the peer, so pywps refuses it here.
    if not PIN_RE.match(text) or len(text) not in (4, 8):
        raise CommandFailed("a PIN is 4 or 8 digits")
    return text


def _run(call) -> str:
    try:
        call()
    except ErError as e:
        if e.reply != "FAIL":
            return e.reply + "\n"
        raise CommandFailed(str(e)) from None
    return OK


async def _await_ok(coro) -> str:
    try:
        await coro
    except ErError as e:
        raise CommandFailed(str(e)) from None
    return OK


def cmd_wps_er_start(ctx, raw: str | None) -> Awaitable[str]:
    return _await_ok(ctx.er.start(raw or ""))


def cmd_wps_er_stop(ctx, raw: str) -> Awaitable[str]:
    return _await_ok(ctx.er.stop())


def cmd_wps_er_learn(ctx, raw: str) -> str:
    target, _, pin = raw.partition(" ")
    uuid, mac = _target(target)
    return _run(lambda: ctx.er.learn(uuid, mac, _pin(pin.strip())))


def cmd_wps_er_config(ctx, raw: str) -> str:
    words = raw.split(" ")
    if len(words) == 5:  # wpa_cli without a key sends an empty last field, which the stripped text loses
        words.append("")
    if len(words) != 6:
        raise CommandFailed("WPS_ER_CONFIG <uuid|bssid> <AP PIN> <ssid hex> <auth> <encr> <key hex>")
    target, pin, ssid_hex, auth, encr, key_hex = words
    uuid, mac = _target(target)
    try:
        ssid, key = bytes.fromhex(ssid_hex), bytes.fromhex(key_hex)
    except ValueError:
        raise CommandFailed("SSID and key are hex") from None
    if auth not in AUTH or encr not in ENCR or len(ssid_hex) % 2 or len(key_hex) % 2:
        raise CommandFailed(f"unknown auth {auth!r} or encr {encr!r}")
    settings = Credential(ssid, AUTH[auth], ENCR[encr], key)
    try:
        # wpa_supplicant would send any of these to the AP; an AP given an unusable network is lost to
        # its users, so pywps checks first.
        settings.validate()
    except ParseError as e:
        raise CommandFailed(f"new AP settings refused: {e}") from None
    if (settings.auth_type == AuthType.OPEN) != (settings.encr_type == EncrType.NONE):
        raise CommandFailed("OPEN goes with NONE, WPAPSK/WPA2PSK with TKIP/CCMP")
    return _run(lambda: ctx.er.config(uuid, mac, _pin(pin), settings))


def cmd_wps_er_set_config(ctx, raw: str) -> str:
    target, _, network = raw.partition(" ")
    uuid, mac = _target(target)
    try:
        network_id = int(network.strip())
    except ValueError:
        raise CommandFailed("WPS_ER_SET_CONFIG <uuid|bssid> <network id>") from None
    return _run(lambda: ctx.er.set_config(uuid, mac, network_id))


def cmd_wps_er_pin(ctx, raw: str) -> str:
    words = raw.split(" ")
    if len(words) < 2:
        raise CommandFailed("WPS_ER_PIN <any|uuid|enrollee MAC> <PIN> [enrollee MAC]")
    target, pin = words[0], _pin(words[1])
    # as wpa_supplicant: an optional third word that is not a MAC address is ignored
    mac = bytes.fromhex(words[2].replace(":", "")) if len(words) > 2 and MAC_RE.match(words[2]) else None
    uuid = mac_of_target = None
    if target != "any":
        uuid, mac_of_target = _target(target)
    return _run(lambda: ctx.er.add_pin(target, uuid, mac_of_target, pin, mac))


def cmd_wps_er_pbc(ctx, raw: str) -> str:
    uuid, mac = _target(raw.strip())
    return _run(lambda: ctx.er.pbc(uuid, mac))


COMMANDS = {
    "WPS_ER_START": cmd_wps_er_start,
    "WPS_ER_STOP": cmd_wps_er_stop,
    "WPS_ER_LEARN": cmd_wps_er_learn,
    "WPS_ER_CONFIG": cmd_wps_er_config,
    "WPS_ER_SET_CONFIG": cmd_wps_er_set_config,
    "WPS_ER_PIN": cmd_wps_er_pin,
    "WPS_ER_PBC": cmd_wps_er_pbc,
}
