"""The errors of the WPA core: bytes we cannot read, and features this build does not have."""

from __future__ import annotations


class WpaError(Exception):
    """Base of every error pywps.wpa raises on peer input."""


class KeyFrameError(WpaError):
    """Bytes that are not a well-formed EAPOL-Key frame, element or KDE, or key data that does not decrypt."""


class KeyDataOverflow(KeyFrameError):
    """An EAPOL-Key frame whose Key Data Length (`length`) runs past the bytes it holds (`room`)."""

    def __init__(self, length: int, room: int) -> None:
        super().__init__(f"Key Data Length {length} runs past the {room} bytes that follow")
        self.length, self.room = length, room


class KeyFrameUnsupported(WpaError):
    """A well-formed frame or element that asks for something pywps does not implement (e.g. AES-128-CMAC MICs)."""
