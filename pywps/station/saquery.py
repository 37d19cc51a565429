"""The SA Query procedure of a station whose management frames are protected, as wpa_supplicant's sme.c runs it
(IEEE 802.11-2016 11.13), sans-IO: the kernel drops a deauthentication or disassociation the AP sent without
protection and reports it; when it says the AP does not know us (reason 6 or 7: a frame of class 2 or 3 from a
station it has not authenticated or associated: the AP restarted and lost our keys), the station asks the AP
over the protected link whether it still holds the association. An AP that does answer keeps the link; one
that does not within a second is left (reason 2), and the station joins again.

`SaQuery` holds the procedure's numbers: when to start, each request's transaction identifier, the retry
interval and the overall limit; the connection policy sends the frames and runs the timer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

TU = 1024e-6  # seconds in a time unit
MAX_TIMEOUT_TU = 1000  # sa_query_max_timeout: the procedure's limit, from its first request
RETRY_TU = 201  # sa_query_retry_timeout: a new request (a new identifier) after each
RATE_LIMIT = 10.0  # seconds: an unprotected disconnect starts at most one procedure in this time
REASON_CLASS2_FRAME_FROM_NONAUTH_STA = 6
REASON_CLASS3_FRAME_FROM_NONASSOC_STA = 7
REASON_PREV_AUTH_NOT_VALID = 2  # the reason of the deauthentication when the AP never answered
TRANS_ID_LEN = 2
CATEGORY_SA_QUERY = 8
ACTION_REQUEST, ACTION_RESPONSE = 0, 1
RETRY_INTERVAL = RETRY_TU * TU


class SaQuery:
    """One link's procedure: started by `triggered`, a request per `next_request`, ended by `answered`, by
    `next_request` past the limit, or by `stop` (the link is gone)."""

    def __init__(self, random: Callable[[int], bytes] = secrets.token_bytes) -> None:
        self._random = random
        self.trans_ids: list[bytes] = []  # the identifiers of this procedure's requests, any of which may be answered
        self._started: float | None = None
        self._last_trigger: float | None = None

    @property
    def active(self) -> bool:
        return bool(self.trans_ids)

    def triggered(self, reason: int, now: float) -> bool:
        """An unprotected deauthentication or disassociation from the AP of the link: True when it starts the
        procedure (sme_event_unprot_disconnect: only reasons 6 and 7, none under way, one per 10 s)."""
        if reason not in (REASON_CLASS2_FRAME_FROM_NONAUTH_STA, REASON_CLASS3_FRAME_FROM_NONASSOC_STA):
            return False
        if self.active or (self._last_trigger is not None and now - self._last_trigger < RATE_LIMIT):
            return False
        self._last_trigger = now
        return True

    def next_request(self, now: float) -> bytes | None:
        """The retry timer (and the start): the body of the next SA Query Request to send, or None when the
        procedure has run past its limit without an answer (the caller leaves the AP)."""
        if self._started is not None and (now - self._started) / TU > MAX_TIMEOUT_TU:
            self.stop()
            return None
        if self._started is None:
            self._started = now
        trans_id = self._random(TRANS_ID_LEN)
        self.trans_ids.append(trans_id)
        return bytes([CATEGORY_SA_QUERY, ACTION_REQUEST]) + trans_id

    def answered(self, body: bytes) -> bool:
        """An SA Query Response (the action frame's body) from the AP: True when it answers one of our requests,
        which ends the procedure with the link kept."""
        if not self.active or len(body) < 2 + TRANS_ID_LEN or body[:2] != bytes([CATEGORY_SA_QUERY, ACTION_RESPONSE]):
            return False
        if body[2 : 2 + TRANS_ID_LEN] not in self.trans_ids:
            return False
        self.stop()
        return True

    def stop(self) -> None:
        self.trans_ids.clear()
        self._started = None
