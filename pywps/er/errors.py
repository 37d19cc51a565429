"""The External Registrar's refusal, light enough for the command handlers to import at start."""

from __future__ import annotations


class ErError(Exception):
    """A WPS_ER_* command is refused; `reply` is what the control client gets (wpa_supplicant's texts)."""

    def __init__(self, why: str, reply: str = "FAIL") -> None:
        super().__init__(why)
        self.reply = reply
