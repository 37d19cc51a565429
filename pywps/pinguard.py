"""Brute-force guard for a static (label) PIN: back off from registrars that keep failing the PIN proof.

A registrar that does not know our PIN learns, per run, whether its guess of one half was right (it is what
M4/M6 reveal). 10^4 + 10^3 runs recover a label PIN; wpa_supplicant has no guard against that. We count
password failures per registrar and, past a threshold, refuse to run with it for an exponentially growing
time. Sans-IO: the caller passes `now`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0


class PinAttemptGuard:
    def __init__(self, threshold: int = 3, base_delay: float = 60.0, max_delay: float = 3600.0) -> None:
        self.threshold = threshold
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._peers: dict[bytes, _Record] = {}

    def record_failure(self, peer: bytes, now: float) -> float:
        """Count a PIN proof failure by `peer`; returns the back-off now in force for it (0: none)."""
        rec = self._peers.setdefault(peer, _Record())
        rec.failures += 1
        if rec.failures < self.threshold:
            return 0.0
        delay = min(self.max_delay, self.base_delay * 2 ** (rec.failures - self.threshold))
        rec.blocked_until = now + delay
        return delay

    def record_success(self, peer: bytes) -> None:
        self._peers.pop(peer, None)

    def blocked_for(self, peer: bytes, now: float) -> float:
        rec = self._peers.get(peer)
        return max(0.0, rec.blocked_until - now) if rec else 0.0

    def failures(self, peer: bytes) -> int:
        rec = self._peers.get(peer)
        return rec.failures if rec else 0
