"""Device PINs: the checksum digit, CSPRNG generation, validation, the PBC password."""

from __future__ import annotations

import secrets

from .defs import PBC_PASSWORD

__all__ = ["PBC_PASSWORD", "checksum_digit", "generate_pin", "has_valid_checksum", "normalize_pin", "PinError"]


class PinError(ValueError):
    """A PIN that cannot be used: not digits, wrong length, or a bad checksum."""


def checksum_digit(pin7: int) -> int:
    """The 8th digit of a PIN: digits weighted 3,1,3,1,... from the left; the checksum makes the sum % 10 == 0."""
    accum = 0
    while pin7:
        accum += 3 * (pin7 % 10)
        pin7 //= 10
        accum += pin7 % 10
        pin7 //= 10
    return (10 - accum % 10) % 10


def has_valid_checksum(pin: str) -> bool:
    return len(pin) == 8 and pin.isascii() and pin.isdigit() and checksum_digit(int(pin[:7])) == int(pin[7])


def generate_pin(randbelow=secrets.randbelow) -> str:
    """A random 8-digit PIN with a valid checksum, from a CSPRNG."""
    first7 = randbelow(10**7)
    return f"{first7:07d}{checksum_digit(first7)}"


def normalize_pin(text: str, require_checksum: bool = True) -> str:
    """Validate a PIN as a user typed it (spaces and dashes allowed, as wpa_supplicant allows).

    4-digit PINs have no checksum; 8-digit PINs must pass it unless `require_checksum` is False (some
    devices print PINs without one; WPS_PIN accepts them, WPS_CHECK_PIN does not).
    """
    pin = text.replace(" ", "").replace("-", "")
    if not pin.isdigit() or not pin.isascii():
        raise PinError("PIN must be digits")
    if len(pin) not in (4, 8):  # as wpa_supplicant's wps_pin_str_valid
        raise PinError(f"PIN of {len(pin)} digits; expected 4 or 8")
    if len(pin) == 8 and require_checksum and not has_valid_checksum(pin):
        raise PinError("PIN checksum is wrong")
    return pin


def pin_digits(text: str) -> str:
    """The ASCII digits of whatever was typed, every separator dropped (WPS_CHECK_PIN's reading)."""
    return "".join(c for c in text if "0" <= c <= "9")


def pin_bytes(pin: str) -> bytes:
    return pin.encode("ascii")


def is_pbc(password: bytes) -> bool:
    return password == PBC_PASSWORD
