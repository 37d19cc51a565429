"""An EAPOL frame that overtook the kernel's association event (frames and events come on two sockets): kept for
that event and taken then, as wpa_supplicant keeps its pending_eapol_rx, rather than dropped and waited for again.
The WPS run keeps its AP's first EAP request so, the connection policy the 4-way handshake's message 1."""

from __future__ import annotations

EARLY_FRAME_MAX_AGE = 0.2  # seconds: wpa_supplicant's limit


class EarlyFrame:
    """A frame from `src` received at `when`, before the association event."""

    __slots__ = ("src", "pdu", "when")  # a plain class: made at a radio's start, where a dataclass costs an exec

    def __init__(self, src: bytes, pdu: bytes, when: float) -> None:
        self.src, self.pdu, self.when = src, pdu, when

    def usable(self, bssid: bytes, now: float) -> bool:
        """From the BSS we are now associated with, and young enough."""
        return self.src == bssid and now - self.when < EARLY_FRAME_MAX_AGE
