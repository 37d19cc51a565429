"""Staying joined to the stored networks, sans-IO: network choice, the WPA handshake's steps, back-off, re-join.

`ConnectionPolicy` picks the best enabled network (priority, then signal, as wpa_supplicant does), asks for a
scan only when recent results offer nothing, asks to associate with its RSN (or WPA) element, feeds EAPOL-Key
frames to the sans-IO WPA handshake and asks for what it needs (send a frame, install a key, open the port). An
open network (key_mgmt=NONE) is associated with no element and is up at once.
A network whose handshake fails (wrong key: the AP gives up on our message 2) is disabled for a while with
wpa_supplicant's back-off (CTRL-EVENT-SSID-TEMP-DISABLED), never retried in a tight loop; a lost link is
re-joined. Every change of state is in TRANSITIONS; the caller (`connector.Connector`) carries out the actions
in order and arms one timer at `get_timer()`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import TYPE_CHECKING

from ..config import Config, Network
from ..driver.base import LinkCrypto, mac_bytes, mac_str
from ..events import (
    AuthTimedOut,
    BigtkKeyIdInvalid,
    Connected,
    GroupKeyRefused,
    GroupRekeyCompleted,
    IgtkKeyIdSwapped,
    KeyDataRefusal,
    KeyFrameNotice,
    KeyNegotiated,
    NetworkNotFound,
    SaQueryNotSent,
    ShellEvent,
    SsidReenabled,
    SsidTempDisabled,
    UnprotectedBeaconDropped,
    WrongKey,
)
from .. import netfields as nf
from ..netblock import scan_freqs
from .backoff import Backoffs
from .ignorelist import IgnoreList, failure_rescan
from .bss import EID_RSN, FRESH_SECONDS, Bss, BssTable
from .early import EarlyFrame
from .macaddr import AddressRequest, address_request
from .saquery import REASON_PREV_AUTH_NOT_VALID, RETRY_INTERVAL, SaQuery

# The WPA code (what a network and a BSS agree on, the handshake, its events and frames) loads with the first
# BSS considered, not with the policy: a radio's start makes the policy before its first PONG, and a cold start
# has a scan to wait for first (the daemon's warm-up loads it meanwhile).
if TYPE_CHECKING:
    from ..wpa.events import InstallGroupKey, InstallPairwiseKey, SendEapol
    from ..wpa.supplicant import State, WpaSupplicantHandshake
    from ..driver.radio import HwMode, SignalInfo
    from .autoscan import Autoscan
    from .bgscan import BgscanSimple
    from .security import Security

log = logging.getLogger("pywps.connect")

# Seconds to an open port from the association, and again from the AP's first EAPOL frame (wpa_supplicant's
# authentication timeout for a PSK; the AP's own limit is ~4 s of retries)
HANDSHAKE_TIMEOUT = 10.0
RESCAN_INTERVAL = 5.0
SCAN_FAILED_RETRY = 1.0  # a scan that could not start is tried again this soon (wpas_trigger_scan_cb)
# After a WPS run that stored a credential, wpa_supplicant's after_wps: its next scans cover only the run's
# channel, come every half second and say no CTRL-EVENT-NETWORK-NOT-FOUND, until one joins or they are spent.
AFTER_WPS_SCANS = 5
AFTER_WPS_RESCAN = 0.5
# After a link lost or left on a failure (wpa_supplicant_event_disassoc_finish), a scan 0.1 s later, however many
# failures came in a row: wpa_supplicant_req_scan keeps the sooner of that request and wpas_connection_failed's.
LOST_LINK_RESCAN = 0.1
# disconnect_reason_recoverable: the AP dropped a completed link for inactivity (4) or for a class 2 (6) or 3 (7)
# frame from a station it had forgotten; it may take us back, and the same BSS is joined again at once, unscanned.
RECOVERABLE_REASONS = frozenset({4, 6, 7})
REASON_UNSPECIFIED = 1
REASON_DEAUTH_LEAVING = 3
REASON_IE_IN_4WAY_DIFFERS = 17
IEEE8021X_KEY_MGMT = {"WPA-EAP", "FT-EAP", "WPA-EAP-SHA256"}  # wpa_key_mgmt_wpa_ieee8021x, of those pywps reads
VENDOR_ELEMENT = 221
# WNM (category 10) Notification Request (26), dialog token 1, type 2: Beacon Protection Failure (as hostap)
BEACON_PROTECTION_FAILURE = bytes([10, 26, 1, 2])


class LinkState(Enum):
    DISCONNECTED = "DISCONNECTED"
    SCANNING = "SCANNING"
    ASSOCIATING = "ASSOCIATING"
    FOUR_WAY_HANDSHAKE = "4WAY_HANDSHAKE"
    COMPLETED = "COMPLETED"


class LinkInput(Enum):
    SEARCH = auto()  # consider the stored networks now
    ASKED = auto()  # the same, asked for: a client's ENABLE_NETWORK, SELECT_NETWORK or RECONNECT, or a back-off's end
    FOUND = auto()
    NOT_FOUND = auto()  # nothing usable even after a scan: look again later
    SCAN_FAILED = auto()  # the scan could not start: try again soon
    NO_NETWORKS = auto()
    ASSOCIATED = auto()
    ASSOCIATED_OPEN = auto()  # with an open network: nothing to negotiate, the link is up
    ASSOC_FAILED = auto()
    PORT_OPEN = auto()
    HANDSHAKE_FAILED = auto()
    HANDSHAKE_TIMEOUT = auto()
    LINK_LOST = auto()
    REJOIN = auto()  # the same BSS again at once: the AP dropped the link for a reason it may take back
    LEAVE = auto()  # DISCONNECT, a WPS run, a network change
    DEAUTHENTICATE = auto()  # we end the link ourselves: the AP did not answer our SA Query
    ROAM = auto()  # from the link to another BSS or network: a scan's choice while connected, or ROAM


S, I = LinkState, LinkInput
_LEAVING = {I.LINK_LOST: S.DISCONNECTED, I.LEAVE: S.DISCONNECTED}
# A disconnect reported while our association request is under way is not that request's: the kernel answers
# a connect with its own result (ASSOCIATED or ASSOC_FAILED). It is the end of the link before, reported late:
# after a WPS run hostapd deauthenticates us (reason 23) ~10 ms after its EAP-Failure, and that event can reach
# us after we have asked for the new association. wpa_supplicant's nl80211 driver drops such an event too (a
# deauth from the old AP while authenticating with the new, a disconnect triggered during reassociation).
# Every legal move; an input a state does not list is ignored (a late scan result, a stale timer).
TRANSITIONS: dict[LinkState, dict[LinkInput, LinkState]] = {
    S.DISCONNECTED: {I.SEARCH: S.SCANNING, I.ASKED: S.SCANNING, I.REJOIN: S.ASSOCIATING, I.LEAVE: S.DISCONNECTED},
    S.SCANNING: {I.SEARCH: S.SCANNING, I.ASKED: S.SCANNING, I.FOUND: S.ASSOCIATING, I.NOT_FOUND: S.SCANNING,
                 I.SCAN_FAILED: S.SCANNING, I.NO_NETWORKS: S.DISCONNECTED, I.LEAVE: S.DISCONNECTED},
    # LINK_LOST while associating: the link before, reported late (above)
    S.ASSOCIATING: {I.ASSOCIATED: S.FOUR_WAY_HANDSHAKE, I.ASSOCIATED_OPEN: S.COMPLETED,
                    I.ASSOC_FAILED: S.DISCONNECTED, **_LEAVING, I.LINK_LOST: S.ASSOCIATING},
    S.FOUR_WAY_HANDSHAKE: {I.PORT_OPEN: S.COMPLETED, I.HANDSHAKE_FAILED: S.DISCONNECTED,
                           I.HANDSHAKE_TIMEOUT: S.DISCONNECTED, I.ROAM: S.ASSOCIATING, **_LEAVING},
    S.COMPLETED: {I.HANDSHAKE_FAILED: S.DISCONNECTED, I.ROAM: S.ASSOCIATING, I.DEAUTHENTICATE: S.DISCONNECTED,
                  **_LEAVING},
}


# -- what the policy asks its caller to do ------------------------------------------------------------------


@dataclass
class Scan:
    """Scan (`freqs` in MHz; empty: every channel), then answer scan_done() (or scan_failed()). `ssids`:
    probe for these alone (a background scan), not for the wildcard and the hidden networks."""

    freqs: tuple[int, ...] = ()
    ssids: tuple[bytes, ...] | None = None


@dataclass
class LoadCachedResults:
    """Take the kernel's results from before we started into the table, then answer scan_done(cached=True)."""


@dataclass
class Associate:
    """Associate with `bss` (`ies` in the request, `crypto` for the kernel), then answer associated().
    `prev_bssid`: a reassociation from the link to that BSS, which is not left first (another BSS of the
    network the link is on, as wpa_supplicant moves there: no disconnect in between)."""

    bss: Bss
    ies: bytes
    crypto: LinkCrypto
    backhaul_sta: bool = False  # as a Multi-AP backhaul station (multi_ap_backhaul_sta=1): `ies` say so
    address: AddressRequest | None = None  # the network's mac_addr: the interface's address for it
    prev_bssid: bytes | None = None


@dataclass
class PollSignal:
    """Read the link's signal (SIGNAL_POLL's values), then answer signal_polled(): a scan found another BSS
    of the network, which is weighed against the link as the kernel hears it now, or background scans begin,
    at the interval the signal asks for."""


@dataclass
class MonitorSignal:
    """Have the kernel report the link's signal crossing `threshold` dBm (0, 0: no more), then signal_changed()."""

    threshold: int
    hysteresis: int


@dataclass
class ReportSignal:
    """Tell the monitors the signal crossed the threshold (`above` or not), with the link's values now."""

    above: bool


@dataclass
class SendAction:
    """Send this action frame body (category, action, ...) to `bssid` over the link (protected by the kernel when
    management frames are): an SA Query Request, whose response comes to sa_query_response(), or a WNM
    Notification. `what` names it in the log if it cannot be sent, `if_unsent` is then published (an SA Query's
    failure is, as in wpa_supplicant; a WNM Notification's is only logged)."""

    bssid: bytes
    body: bytes
    what: str
    if_unsent: ShellEvent | None = None


@dataclass
class Leave:
    """Leave the BSS with this reason code; then publish `then`: what wpa_supplicant says after its
    CTRL-EVENT-DISCONNECTED (wpas_event_disconnect: a suspected wrong passphrase and the network's backoff)."""

    reason: int = REASON_DEAUTH_LEAVING
    then: tuple[ShellEvent, ...] = ()


@dataclass
class Announce:
    """Publish `event` once the actions before it are carried out: wpa_supplicant says a rekey is complete after
    it has installed the keys and sent its answer (a client that acts on the word meets the new keys)."""

    event: ShellEvent


@dataclass
class AuthorizePort:
    """Open the 802.1X port to `bssid` (the keys are in), then answer port_authorized()."""

    bssid: bytes


@dataclass
class SetOperState:
    """The link carries traffic now (`up`: the port is open), or no longer: the kernel's operstate UP or DORMANT,
    which DHCP clients and network managers wait on (wpa_supplicant_set_state's wpa_drv_set_operstate)."""

    up: bool


if TYPE_CHECKING:
    ConnectAction = (Scan | LoadCachedResults | Associate | PollSignal | MonitorSignal | ReportSignal | SendAction
                     | Leave | Announce | AuthorizePort | SetOperState | SendEapol | InstallPairwiseKey
                     | InstallGroupKey)


@dataclass
class _Target:
    """The network and BSS being joined or held, with the handshake made for them (none for an open network)."""

    network_id: int
    bss: Bss
    security: Security
    handshake: WpaSupplicantHandshake | None = field(repr=False)


class ConnectionPolicy:
    def __init__(self, config: Callable[[], Config], table: BssTable, own_addr: bytes,
                 ignored: IgnoreList | None = None, bip: Callable[[], bool] = lambda: False,
                 beacon_protection: Callable[[], bool] = lambda: False) -> None:
        self.config = config  # the live configuration (a reload replaces it): networks, eapol_version, pmf
        self.bip = bip  # whether the radio can protect management frames (BIP keys), as far as known yet
        self.beacon_protection = beacon_protection  # whether its kernel checks beacons (BIGTKs), as far as known
        self.table = table
        self.own_addr = own_addr
        self.ignored = IgnoreList() if ignored is None else ignored  # wpa_supplicant's BSSID ignore list
        self.rescan_interval = RESCAN_INTERVAL  # SCAN_INTERVAL
        self.autoconnect = True  # STA_AUTOCONNECT: re-join on our own after a lost link
        self.state = LinkState.DISCONNECTED
        self.target: _Target | None = None
        self.user_off = False  # DISCONNECT: stay off until RECONNECT / SELECT_NETWORK
        self.suspended = False  # a WPS run has the radio
        self.disabled = False  # the interface is down (INTERFACE_DISABLED): nothing to choose or join
        self._scan_first = False  # enabled again: choose from a scan made since, not from the results before
        self.selected: int | None = None  # SELECT_NETWORK's choice; others wait while it is set
        self.backoffs = Backoffs()
        self._tried_cache = False
        self._scan_pending = False
        self._rescan_at: float | None = None
        self._rejoin_at: float | None = None
        self._handshake_deadline: float | None = None
        self._key_frame_heard = False  # since the association: the first EAPOL-Key frame puts the deadline off
        self._after_wps = 0  # scans left of the WPS run's channel (AFTER_WPS_SCANS)
        self._failures = 0  # connection attempts that failed in a row (consecutive_conn_failures)
        self._failure_scan = False  # the scan after a failure is due, whether a network is enabled or not
        self._ess_freqs: tuple[int, ...] = ()  # after a failure: the channels of the network's other APs, once
        self._wps_freq = 0
        self._select_freqs: tuple[int, ...] = ()  # SELECT_NETWORK freq=: the next scan's channels, once
        self._autoscan: Autoscan | None = None  # `autoscan=`'s waits so far; None: begin again at the next
        self._early_key: EarlyFrame | None = None  # an EAPOL-Key before ASSOCIATED
        self._roam_candidate: _Target | None = None  # another BSS of the network, weighed once the signal is read
        self._reassociate = False  # SELECT_NETWORK any on a link: the next scan's choice is joined, even the link's
        self._bgscan: BgscanSimple | None = None  # the link's background scans (bgscan=), while COMPLETED
        self._bgscan_at: float | None = None  # the next one
        self._bgscan_poll = False  # they wait for the link's signal to choose their first interval
        self._sa_query = SaQuery()  # asking the AP whether it still knows us, after an unprotected disconnect
        self._sa_query_at: float | None = None  # its next request, or its end
        self._actions: deque[ConnectAction] = deque()
        self._events: deque[object] = deque()

    # -- what the caller reads ---------------------------------------------------------------------------

    @property
    def networks(self) -> list[Network]:
        return self.config().networks

    @property
    def bgscan_active(self) -> bool:
        """Background scans run on the link: SIGNAL_MONITOR is refused then (the signal monitor is theirs)."""
        return self._bgscan is not None

    @property
    def wpa_state(self) -> str:
        """STATUS's wpa_state: as `state`, but ASSOCIATED until the AP's message 1 is taken and GROUP_HANDSHAKE
        in a WPA network's group handshake, after message 4 (wpa_supplicant's states there)."""
        handshake = self._handshake_state()
        named = {"INIT": "ASSOCIATED", "GROUP_HANDSHAKE": "GROUP_HANDSHAKE"}
        return named.get(handshake.name, self.state.value) if handshake is not None else self.state.value

    @property
    def network_id(self) -> int | None:
        return self.target.network_id if self.target is not None and self.state is not S.DISCONNECTED else None

    def next_action(self) -> ConnectAction | None:
        return self._actions.popleft() if self._actions else None

    def next_event(self) -> object | None:
        return self._events.popleft() if self._events else None

    def get_timer(self) -> float | None:
        times = [t for t in (self._rescan_at, self._rejoin_at, self._handshake_deadline, self._bgscan_at,
                             self._sa_query_at, self.backoffs.next_expiry()) if t is not None]
        return min(times) if times else None

    # -- commands and the daemon's news -----------------------------------------------------------------------

    def kick(self, now: float, asked: bool = False) -> None:
        """(Re)consider the stored networks: after start, a WPS run, a lost link, a change of networks; `asked`:
        a client asked to connect (ENABLE_NETWORK, SELECT_NETWORK, RECONNECT) or a network's back-off ended,
        where wpa_supplicant first chooses from its last results if they are recent (wpa_supplicant_fast_associate)
        and says CTRL-EVENT-NETWORK-NOT-FOUND when they offer nothing."""
        if self.user_off or self.suspended or self.disabled:
            return
        if self.state in (S.DISCONNECTED, S.SCANNING):
            self._fire(I.ASKED if asked else I.SEARCH, now)

    def enable(self, were_disabled: tuple[int, ...], now: float) -> None:
        """ENABLE_NETWORK: of the networks it enabled (`were_disabled`), a temporary disabling ends and the
        failures are forgotten (CTRL-EVENT-SSID-REENABLED, as wpa_supplicant_enable_one_network clears them),
        then the networks are considered as a client asked it."""
        for network_id in were_disabled:
            self._events.extend(self._end_backoff(self._network(network_id)))
        self.kick(now, asked=True)

    def _end_backoff(self, network: Network | None) -> tuple[ShellEvent, ...]:
        """wpas_clear_temp_disabled: the network's back-off ends and its failures are forgotten; the
        CTRL-EVENT-SSID-REENABLED to say when it was backing off."""
        if network is not None and "ssid" in network.fields and self.backoffs.clear(network.ssid):
            return (SsidReenabled(network.id, network.ssid),)
        return ()

    def disconnect(self, now: float) -> None:
        self.user_off = True
        self._fire(I.LEAVE, now)

    def reconnect(self, now: float) -> None:
        """RECONNECT: only after DISCONNECT, as in wpa_supplicant."""
        if self.user_off:
            self.user_off = False
            self.kick(now, asked=True)

    def reassociate(self, now: float, reattach: bool = False) -> None:
        """REASSOCIATE (`reattach`: REATTACH), as wpas_request_connection: lift DISCONNECT and choose again, on
        a link by a reassociation (_reassociate_any; REATTACH's scan covers the link's channel alone), else as
        any request to connect."""
        self.user_off = False
        if self.state in (S.FOUR_WAY_HANDSHAKE, S.COMPLETED):
            assert self.target is not None
            self._reassociate_any(now, (self.target.bss.entry.freq,) if reattach else ())
        else:
            self.restart(now, asked=True)

    def suspend(self, now: float) -> None:
        """A WPS run needs the radio: leave, and stay off until resume(); the run lifts DISCONNECT, as
        wpa_supplicant's wpas_wps_reassoc does, so its credential is joined."""
        self.suspended = True
        self.user_off = False
        self._fire(I.LEAVE, now)

    def resume(self, now: float, wps_freq: int | None = None) -> None:
        """The WPS run is over; `wps_freq`: it stored a credential and was associated on this channel, where
        the next AFTER_WPS_SCANS scans look for the credential's network (wpa_supplicant_wps_cred)."""
        self.suspended = False
        if wps_freq:
            self._after_wps, self._wps_freq = AFTER_WPS_SCANS, wps_freq
        self.kick(now)

    def interface_disabled(self, now: float) -> None:
        """The interface went down: nothing is chosen, scanned for or joined until it is up again (the link, if
        there was one, is lost with it: the kernel says so)."""
        self.disabled = True

    def interface_enabled(self, now: float) -> None:
        """Up again: scan at once, as wpa_supplicant asks for a scan on EVENT_INTERFACE_ENABLED; results from
        before the disable, however recent, are not chosen from (it does not fast-associate there)."""
        self.disabled = False
        self._scan_first = True
        self.kick(now)

    def select(self, network_id: int | None, now: float, freqs: tuple[int, ...] = ()) -> None:
        """SELECT_NETWORK (None: any); as in wpa_supplicant, it lifts DISCONNECT and leaves the link, unless that
        is (or is being made) with the network selected. `freqs` (its freq=): the channels of the next scan that
        has none of its own (the networks' scan_freq or the after-WPS channel come first), kept until one uses
        them, as wpa_supplicant keeps select_network_scan_freqs."""
        if freqs:
            self._select_freqs = freqs
        self.selected = network_id
        self.user_off = False
        # the network's back-off ends, told after the disconnection from the link before
        network = None if network_id is None else self._network(network_id)
        reenabled = self._end_backoff(network)
        target = self.target
        if (target is not None and network is not None and target.network_id == network.id
                and self.state in (S.ASSOCIATING, S.FOUR_WAY_HANDSHAKE, S.COMPLETED)):
            log.debug("Already associated with the selected network - do nothing")
            self._events.extend(reenabled)
            return
        if network_id is None and self.state in (S.FOUR_WAY_HANDSHAKE, S.COMPLETED):
            self._reassociate_any(now)
            return
        self._fire(I.LEAVE, now, then=reenabled)
        self.kick(now, asked=True)

    def _reassociate_any(self, now: float, freqs: tuple[int, ...] = ()) -> None:
        """SELECT_NETWORK any or REASSOCIATE on a link: wpa_supplicant leaves nothing (reassociate=1): the choice
        from recent results, or else from a scan made on the link (of `freqs`, if any), is joined, by a
        reassociation when it is the link's own network, even its BSS (wpa_supplicant_need_to_roam: an explicit
        request), else after leaving the link."""
        self._reassociate = True
        choice = self._best(now, fresh_only=True) if self.table.last_results_valid(now) else None
        if choice is not None:
            self._fire(I.ROAM, now, choice)
        elif not self._scan_pending:
            if freqs:
                self._select_freqs = freqs  # as SELECT_NETWORK freq=: unless the networks name channels
            self._request_scan()

    def restart(self, now: float, asked: bool = False) -> None:
        """Drop the current link and choose again (the networks changed)."""
        self._fire(I.LEAVE, now)
        self.kick(now, asked)

    def cancel_wps(self, then: tuple[ShellEvent, ...], now: float) -> bool:
        """WPS_CANCEL with no run, on a link past its association: wpas_wps_cancel takes it for a WPS link and
        deauthenticates (reason 3), then scans and joins again as after any link it left (not from the results
        before). `then` is said after the disconnection. False when there is no such link (nothing done)."""
        if self.state not in (S.FOUR_WAY_HANDSHAKE, S.COMPLETED):
            return False
        self._scan_first = True
        self._fire(I.LEAVE, now, then=then)
        self.kick(now)
        return True

    def networks_renumbered(self, now: float) -> None:
        """The file was read again and its networks numbered afresh: hold no old id. As wpa_supplicant's reload,
        leave the link and scan (req_scan): the results from before are not chosen from."""
        self.selected = None
        self.backoffs.forget_ids()
        self._scan_first = True
        self.restart(now)

    def finds_a_network(self, now: float) -> bool | None:
        """Whether the results of a scan of ours (the table's last) offer an enabled network to join, as
        wpa_supplicant's selection after each of its own scans asks; None when it makes no selection: after
        DISCONNECT, during a WPS run or a join, or while every enabled network is temporarily disabled. Like
        that selection, one that finds nothing past the ignore list clears it, networks enabled or not
        (wpa_supplicant_pick_network)."""
        if self.user_off or self.suspended or self.state in (S.ASSOCIATING, S.FOUR_WAY_HANDSHAKE):
            return None
        if self._selection_quiet(now):
            return None
        return self._choose(now, fresh_only=False) is not None

    def _selection_quiet(self, now: float) -> bool:
        """wpa_supplicant's selection finds nothing without saying CTRL-EVENT-NETWORK-NOT-FOUND: during the
        after-WPS scans, and while every enabled network is temporarily disabled (wpas_reenabled_network_time:
        it waits for one to come back)."""
        return bool(self._after_wps) or self._all_backing_off(now)

    def _all_backing_off(self, now: float) -> bool:
        """Every network is temporarily disabled: wpa_supplicant postpones its selection until one comes back
        (wpas_reenabled_network_time, where any network that is not, enabled or not, ends the wait), so it neither
        finds nor clears anything (the ignore list stays) nor scans meanwhile."""
        networks = self.networks
        return bool(networks) and all("ssid" in net.fields and self.backoffs.temporarily(net.ssid, now)
                                      for net in networks)

    def scan_done(self, now: float, cached: bool = False) -> None:
        self._scan_pending = False
        if not cached:
            self._scan_first = False
        if self.state is S.COMPLETED and not cached:
            if self._bgscan is not None:  # bgscan_notify_scan: any scan's results put the next one off
                self._bgscan_at = self._bgscan.next_scan(now)
            self._consider_roaming(now)
        if self.state is not S.SCANNING:
            return
        choice = self._best(now, fresh_only=cached)
        if choice is not None:
            self._fire(I.FOUND, now, choice)
        elif cached:
            self._request_scan()
        elif not self._all_backing_off(now):
            self._fire(I.NOT_FOUND, now)
        # else wpa_supplicant postpones its selection to the first network's return (wpas_reenabled_network_time):
        # no scan before it, SCANNING meanwhile

    def manual_scan_done(self, now: float) -> None:
        """A SCAN command's scan ended: wpa_supplicant chooses from the results of every scan of its own, not
        only those it asked for itself (another program's scan it does not choose from, nor SCAN TYPE=ONLY's).
        A scan of ours under way answers scan_done() itself."""
        if not self._scan_pending:
            self.scan_done(now)

    def signal_polled(self, signal: SignalInfo | None, modes: list[HwMode], now: float) -> None:
        """The answer to PollSignal (None: the kernel had no answer), with the radio's modes: stay, or move
        to the BSS the scan chose (wpa_supplicant_need_to_roam_within_ess)."""
        from .roaming import roam_within_ess

        if self._bgscan_poll:
            self._bgscan_poll = False
            if self._bgscan is not None and self.state is S.COMPLETED:
                self._bgscan_at = self._bgscan.start(None if signal is None else signal.signal, now)
        candidate, self._roam_candidate = self._roam_candidate, None
        target = self.target
        if candidate is None or target is None or self.state is not S.COMPLETED:
            return
        current = self._current_bss()
        network = self._network(candidate.network_id)
        if current is None or network is None:
            return
        roam, event = roam_within_ess(current, candidate.bss, modes, signal, preferred=_single_bssid(network))
        if event is not None:
            self._events.append(event)
        if roam:
            self._fire(I.ROAM, now, candidate)

    def roam(self, bssid: bytes, now: float) -> bool:
        """ROAM: move the link (or the handshake under way) to this BSS of its network, reassociating even
        with the BSS it is on, as wpa_supplicant's ROAM does. False (FAIL) when there is no link, the table
        has no BSS of the network's SSID with that BSSID, or the two do not agree on security (wpa_supplicant
        tries such a BSS all the same and fails there); an association under way is not redirected."""
        target = self.target
        if target is None or self.state not in (S.FOUR_WAY_HANDSHAKE, S.COMPLETED):
            return False
        network = self._network(target.network_id)
        bss = None if network is None else self.table.get(bssid, network.ssid)
        if network is None or bss is None:
            return False
        from .security import negotiate

        security = negotiate(network, bss, self.config().pmf(), self.bip())
        choice = None if security is None else self._target(network, bss, security)
        if choice is None:
            return False
        self._fire(I.ROAM, now, choice)
        return True

    def unprotected_disconnect(self, sa: bytes, reason: int, now: float) -> None:
        """The kernel dropped a deauthentication or disassociation without protection on a protected link:
        from our AP, saying it does not know us, it starts the SA Query procedure (sme_event_unprot_disconnect)."""
        target = self.target
        if self.state is not S.COMPLETED or target is None or target.security.pmf == 0 or sa != target.bss.bssid:
            return
        if self._sa_query.triggered(reason, now):
            log.info("SME: Unprotected disconnect dropped - possible AP/STA state mismatch - trigger SA Query")
            self._sa_query_step(now)

    def sa_query_response(self, sa: bytes, body: bytes, now: float) -> None:
        """An SA Query Response from `sa`: one to our request ends the procedure, the link kept."""
        if self.target is not None and sa == self.target.bss.bssid and self._sa_query.answered(body):
            log.debug("SME: Reply to pending SA Query received from %s", mac_str(sa))
            self._sa_query_at = None

    def unprotected_beacon(self, sa: bytes, now: float) -> None:
        """The kernel dropped a beacon whose protection was missing or wrong: one of our AP's while COMPLETED is
        said and reported to the AP in a WNM Notification Request (wpas_event_unprot_beacon); the link stays."""
        target = self.target
        if self.state is not S.COMPLETED or target is None or sa != target.bss.bssid:
            return
        self._events.append(UnprotectedBeaconDropped(sa))
        self._actions.append(SendAction(sa, BEACON_PROTECTION_FAILURE, "WNM-Notification Request frame"))

    def _sa_query_step(self, now: float) -> None:
        body = self._sa_query.next_request(now)
        if body is None:
            log.info("SME: SA Query timed out")
            self._fire(I.DEAUTHENTICATE, now, reason=REASON_PREV_AUTH_NOT_VALID)
            return
        assert self.target is not None
        self._actions.append(SendAction(self.target.bss.bssid, body, "SA Query Request", SaQueryNotSent()))
        self._sa_query_at = now + RETRY_INTERVAL

    def scan_failed(self, now: float) -> None:
        self._scan_pending = False
        if self._bgscan is not None and self.state is S.COMPLETED:
            self._bgscan_at = self._bgscan.next_scan(now)
        self._fire(I.SCAN_FAILED, now)

    def bgscan_changed(self, now: float) -> None:
        """SET_NETWORK bgscan on the network of the link: its background scans begin again from the new value,
        if the link is up (wpa_supplicant_reset_bgscan)."""
        if self.state is S.COMPLETED:
            self._stop_bgscan()
            self._start_bgscan(now)

    def signal_changed(self, above: bool, now: float) -> None:
        """The kernel's signal monitor saw the threshold crossed: tell the monitors; background scans may come
        sooner or later (bgscan_simple_notify_signal_change)."""
        self._actions.append(ReportSignal(above))
        if self._bgscan is not None:
            moved = self._bgscan.signal_changed(above, now, self._bgscan_at)
            if moved is not None:
                self._bgscan_at = moved

    def associated(self, now: float, own_addr: bytes | None = None) -> None:
        """`own_addr`: the interface's address for this link, when mac_addr gave it a random one."""
        if own_addr is not None:
            self.own_addr = own_addr
            if self.target is not None and self.target.handshake is not None:
                self.target.handshake.own_addr = own_addr  # chosen before the association: its PTK takes this
        open_network = self.target is not None and self.target.handshake is None
        self._fire(I.ASSOCIATED_OPEN if open_network else I.ASSOCIATED, now)

    def association_failed(self, now: float) -> None:
        """The AP or the kernel refused the association, or it timed out: a failed connection attempt (see
        `_connection_failed`), whose next scan comes 0.1 s after a first failure in a row, 0.5 s, 1 s, 5 s, then
        10 s after one."""
        self._fire(I.ASSOC_FAILED, now)

    def port_authorized(self, now: float) -> None:
        self._fire(I.PORT_OPEN, now)

    def link_lost(self, reason: int, locally_generated: bool, now: float) -> None:
        """The kernel says the link is gone (the daemon has published the disconnection: what follows is said
        after it, as in wpa_supplicant). A failed connection attempt (`_connection_failed`); a link the AP
        dropped for a reason it may take back is joined again at once, on the same BSS."""
        if self.state is S.ASSOCIATING:
            log.debug("disconnect while associating: the end of the previous link, not this attempt's")
        if self._in_four_way() and not locally_generated:
            # The AP dropped us in the middle of the 4-way handshake: our MIC did not verify, the key is wrong.
            self._events.extend(self._auth_failed(now, "4-Way Handshake failed"))
        completed, target = self.state is S.COMPLETED, self.target
        self._fire(I.LINK_LOST, now)
        if (completed and target is not None and not locally_generated and reason in RECOVERABLE_REASONS
                and self._rejoin_at is not None):
            self._rejoin_same(target, now)

    def action_failed(self, action: ConnectAction, error: str, now: float) -> None:
        """A key or frame the kernel refused: the link is no good (left with the reason of wpa_supplicant's
        handshake functions when a key will not install or an answer will not go)."""
        log.error("WPA: %s failed: %s", type(action).__name__, error)
        self._fire(I.HANDSHAKE_FAILED, now, reason=REASON_UNSPECIFIED)

    def eapol_key(self, src: bytes, pdu: bytes, now: float) -> None:
        # loaded by now, with the target's handshake
        from ..wpa.events import (
            BigtkNotInstalled,
            FrameDropped,
            FrameNotice,
            GroupRekeyed,
            HandshakeCompleted,
            GroupKeyNotConfigured,
            HandshakeFailed,
            IgtkNotInstalled,
            InstallGroupKey,
            InstallPairwiseKey,
            KeyDataRefused,
            SendEapol,
        )
        from ..wpa.rsn import cipher_name

        target = self.target
        if target is not None and self.state is S.ASSOCIATING and src == target.bss.bssid:
            # the AP's message 1 ahead of the kernel's association event (station/early.py)
            log.debug("EAPOL-Key from %s before the association event: kept for it", mac_str(src))
            self._early_key = EarlyFrame(src, pdu, now)
            return
        if (target is None or target.handshake is None or self.state not in (S.FOUR_WAY_HANDSHAKE, S.COMPLETED)
                or src != target.bss.bssid):
            log.debug("EAPOL-Key from %s ignored: no handshake with it", mac_str(src))
            return
        if not self._key_frame_heard and self.state is S.FOUR_WAY_HANDSHAKE:
            self._key_frame_heard = True
            self._handshake_deadline = now + HANDSHAKE_TIMEOUT
        for event in target.handshake.receive(pdu):
            if isinstance(event, FrameDropped):
                log.info("EAPOL-Key frame from %s dropped: %s", mac_str(src), event.reason)
            elif isinstance(event, FrameNotice):
                self._events.append(KeyFrameNotice(event.notice.name, event.value, event.room))
            elif isinstance(event, IgtkNotInstalled):
                log.info("WPA: IGTK of %s under KeyID %#06x (bytes swapped) not installed", mac_str(src), event.key_id)
                self._events.append(IgtkKeyIdSwapped())
            elif isinstance(event, BigtkNotInstalled):
                log.info("WPA: BIGTK of %s not installed: %s", mac_str(src), event.reason)
                if event.key_id is not None:
                    self._events.append(BigtkKeyIdInvalid(event.key_id))
            elif isinstance(event, KeyDataRefused):
                log.info("WPA: key data of %s refused: %s %d", mac_str(src), event.refusal.name, event.value)
                cipher = "" if event.cipher is None else cipher_name(event.cipher)
                self._events.append(
                    KeyDataRefusal(event.refusal.name, event.value, cipher, target.bss.bssid, event.room))
            elif isinstance(event, GroupKeyNotConfigured):
                self._events.append(GroupKeyRefused(event.key))
            elif isinstance(event, (SendEapol, InstallPairwiseKey, InstallGroupKey)):
                self._actions.append(event)
            elif isinstance(event, HandshakeCompleted) and not event.rekey:
                self._actions.append(AuthorizePort(target.bss.bssid))
            elif isinstance(event, HandshakeCompleted):
                self._actions.append(Announce(_negotiated(target)))
            elif isinstance(event, GroupRekeyed):
                assert target.security.group is not None
                rekeyed = GroupRekeyCompleted(target.bss.bssid, cipher_name(target.security.group))
                self._actions.append(Announce(rekeyed))
            elif isinstance(event, HandshakeFailed):
                log.warning("WPA: handshake with %s failed: %s", mac_str(src), event.reason)
                then: tuple[ShellEvent, ...] = ()
                if (self.state is S.FOUR_WAY_HANDSHAKE and not event.after_message_4
                        and event.reason_code != REASON_IE_IN_4WAY_DIFFERS):
                    # hostap's could_be_psk_mismatch: any disconnect of its own while in its 4-way handshake state
                    # (not yet the group handshake's, which message 4 starts) but this one
                    then = self._auth_failed(now, "4-Way Handshake failed")
                self._fire(I.HANDSHAKE_FAILED, now, reason=event.reason_code, then=then)
                return

    def handle_timer(self, now: float) -> None:
        for network_id, ssid in self.backoffs.expire(now):
            self._events.append(SsidReenabled(network_id, ssid))
            self.kick(now, asked=True)
        if self._handshake_deadline is not None and self._handshake_deadline <= now and self.target is not None:
            # wpa_supplicant_timeout: said, the AP put in the ignore list (then again as a failed attempt), the link
            # left; a wrong key is suspected only in the middle of the 4-way handshake (could_be_psk_mismatch)
            self._handshake_deadline = None
            bssid = self.target.bss.bssid
            self._events.append(AuthTimedOut(bssid))
            self.ignored.add(bssid, now)
            then = self._auth_failed(now, "4-Way Handshake timed out") if self._in_four_way() else ()
            self._fire(I.HANDSHAKE_TIMEOUT, now, then=then)
        if self._rejoin_at is not None and self._rejoin_at <= now:
            self._rejoin_at = None
            self.kick(now)
        if self._rescan_at is not None and self._rescan_at <= now:
            self._rescan_at = None
            if self.state is S.SCANNING and not self._scan_pending and not self.disabled:
                self._request_scan()
        if self._bgscan_at is not None and self._bgscan_at <= now:
            self._bgscan_at = None
            self._background_scan(now)
        if self._sa_query_at is not None and self._sa_query_at <= now:
            self._sa_query_at = None
            self._sa_query_step(now)

    # -- the table -----------------------------------------------------------------------------------------

    def _fire(self, what: LinkInput, now: float, choice: _Target | None = None,
              reason: int = REASON_DEAUTH_LEAVING, then: tuple[ShellEvent, ...] = ()) -> None:
        """`then`: events to publish after the disconnection the input leads to (at once if there is none)."""
        new = TRANSITIONS[self.state].get(what)
        if new is None:
            log.debug("connection: %s ignored in %s", what.name, self.state.name)
            self._events.extend(then)
            return
        old, self.state = self.state, new
        if old in (S.ASSOCIATING, S.FOUR_WAY_HANDSHAKE, S.COMPLETED) and new is S.DISCONNECTED:
            self._handshake_deadline = None
            if what is not I.LEAVE and self.target is not None and not (self.user_off or self.suspended):
                failed = self._connection_failed(self.target, now, lost=what is not I.ASSOC_FAILED)
                if what is I.ASSOC_FAILED:  # no disconnection to follow: CTRL-EVENT-ASSOC-REJECT came before
                    self._events.extend(failed)
                else:
                    then += failed
            if what is not I.LINK_LOST:
                self._actions.append(Leave(reason, then))
                then = ()
        self._events.extend(then)
        if (new is S.COMPLETED) != (old is S.COMPLETED):  # after the Leave, as wpa_supplicant's state change
            self._actions.append(SetOperState(new is S.COMPLETED))
        if new in (S.DISCONNECTED, S.SCANNING, S.ASSOCIATING):  # below ASSOCIATED: wpa_supplicant_stop_bgscan
            self._stop_bgscan()
        if old is S.COMPLETED and new is not S.COMPLETED:  # sme_stop_sa_query: the link it was about is gone
            self._sa_query.stop()
            self._sa_query_at = None
        if new is S.DISCONNECTED:
            self._rescan_at = None
        if new is not S.COMPLETED and new is not S.FOUR_WAY_HANDSHAKE:
            self._reassociate = False  # the link it was for is being left
        if what is I.SEARCH or what is I.ASKED:
            self._search(now, asked=what is I.ASKED)
        elif what is I.NOT_FOUND:
            self._rescan_at = now + (AFTER_WPS_RESCAN if self._after_wps else self._rescan_wait())
        elif what is I.SCAN_FAILED:
            self._rescan_at = now + SCAN_FAILED_RETRY
        elif what is I.FOUND or what is I.ROAM or what is I.REJOIN:
            assert choice is not None
            previous, self.target = self.target, choice
            self._autoscan = None  # past SCANNING: wpa_supplicant's autoscan_deinit
            self._rescan_at = None
            self._handshake_deadline = None
            self._early_key = None
            self._roam_candidate = None
            # within the network the link is on, a reassociation from it; another network is left first
            same_network = what is I.ROAM and previous is not None and previous.network_id == choice.network_id
            self._actions.append(self._association(choice, previous.bss.bssid if same_network else None))
        elif what is I.ASSOCIATED:
            self._handshake_deadline = now + HANDSHAKE_TIMEOUT
            self._key_frame_heard = False
            early, self._early_key = self._early_key, None
            if early is not None and self.target is not None and early.usable(self.target.bss.bssid, now):
                self.eapol_key(early.src, early.pdu, now)
        elif what is I.PORT_OPEN or what is I.ASSOCIATED_OPEN:
            self._handshake_deadline = None
            self._completed()
            self._start_bgscan(now)

    def _search(self, now: float, asked: bool = False) -> None:
        # Like wpa_supplicant's fast associate: recent results (ours, or the kernel's cache at start) are
        # good enough to try first; scan only when they offer nothing.
        candidates = self._candidates(now)
        choice = self._best(now, fresh_only=True) if candidates and not self._scan_first else None
        if choice is None and asked and self.table.last_results_valid(now) and not self._selection_quiet(now):
            self._events.append(NetworkNotFound())  # wpas_select_network_from_last_scan found nothing
        if not candidates and not self._failure_scan:
            if self._all_backing_off(now):
                return  # the selection waits for the first one's return, as after a scan (scan_done)
            self._fire(I.NO_NETWORKS, now)
            return
        if choice is not None:
            self._fire(I.FOUND, now, choice)
        elif len(self.table) == 0 and not self._tried_cache and not self._scan_pending and not self._scan_first:
            self._tried_cache = True
            self._scan_pending = True
            self._actions.append(LoadCachedResults())
        else:
            self._failure_scan = False
            self._request_scan()

    def _association(self, choice: _Target, prev_bssid: bytes | None = None) -> Associate:
        ies = choice.security.own_ie
        network = self._network(choice.network_id)
        backhaul = network is not None and network.value("multi_ap_backhaul_sta") == "1"
        if backhaul:
            from .multiap import multi_ap_element

            ies += multi_ap_element()  # last, as wpas_populate_assoc_ies adds it
        address = None if network is None else address_request(self.config(), network)
        return Associate(choice.bss, ies, choice.security.link_crypto(), backhaul_sta=backhaul, address=address,
                         prev_bssid=prev_bssid)

    def _rescan_wait(self) -> float:
        """Seconds from a scan that found nothing to the next: `autoscan=`'s next wait, else SCAN_INTERVAL."""
        if self._autoscan is None:
            spec = self.config().values.get("autoscan")
            if spec is None:
                return self.rescan_interval
            from .autoscan import parse_autoscan

            self._autoscan = parse_autoscan(spec)
            if self._autoscan is None:
                log.debug("autoscan: no module matches %r", spec)
                return self.rescan_interval
        return float(self._autoscan.next_wait())

    def autoscan_changed(self) -> None:
        """AUTOSCAN: the waits begin again, from the new spec (wpa_supplicant_reinit_autoscan)."""
        self._autoscan = None

    def _request_scan(self) -> None:
        if not self._scan_pending:  # the scan under way will answer scan_done() in time
            self._scan_pending = True
            freqs = scan_freqs(self.networks)  # the networks' scan_freq come first (wpa_supplicant_scan)
            if self._after_wps:
                self._after_wps -= 1
                freqs = freqs or (self._wps_freq,)
            if not freqs and self._ess_freqs:  # wpa_supplicant's next_scan_freqs
                freqs, self._ess_freqs = self._ess_freqs, ()
            if not freqs and self._select_freqs:
                freqs, self._select_freqs = self._select_freqs, ()
            self._actions.append(Scan(freqs))

    def _candidates(self, now: float) -> list[Network]:
        out = []
        for net in self.networks:
            if net.disabled or not net.infrastructure or (self.selected is not None and net.id != self.selected):
                continue
            if "ssid" not in net.fields or self.backoffs.disabled(net.ssid, now):
                continue
            out.append(net)
        return out

    def _offers(self, net: Network, bss: Bss, skipped: Collection[bytes] = ()) -> Security | None:
        """What `bss` offers `net`: None unless it is the network's (its SSID, not `skipped` for the ignore list,
        within the network's own BSSID and channel limits) and the two agree on security (wpa_scan_res_match)."""
        from .security import negotiate

        if bss.ssid != net.ssid or bss.bssid in skipped or not net.admits(bss.bssid, bss.entry.freq):
            return None
        return negotiate(net, bss, self.config().pmf(), self.bip())

    def _skipped(self, now: float) -> set[bytes]:
        """The BSSIDs the ignore list keeps out of a choice now: a count over 1, or over 0 with a single network
        enabled (wpa_supplicant_select_bss)."""
        limit = 0 if sum(1 for net in self.networks if not net.disabled) == 1 else 1
        return self.ignored.counted(now, above=limit)

    def _choose(self, now: float, fresh_only: bool) -> tuple[Network, Bss, Security] | None:
        """wpa_supplicant_pick_network: the networks by priority, highest first; in the first group that has a
        match, the first BSS of the last results in wpa_supplicant's order (scan.c's wpa_scan_result_compar:
        security, then signal and estimated throughput, 5 GHz before 2.4 when the signals are near: see
        ranking.py) that one of its networks (in file order) can join. Not the strongest signal: a dual-band
        AP's 5 GHz BSS wins over its slightly stronger 2.4 GHz one, as in wpa_supplicant."""
        results = [bss for bss in self.table.last_results()
                   if not fresh_only or now - bss.last_update <= FRESH_SECONDS]
        groups: dict[int, list[Network]] = {}
        for net in self._candidates(now):
            groups.setdefault(int(net.value("priority") or 0), []).append(net)
        skipped = self._skipped(now)
        for priority in sorted(groups, reverse=True):
            for bss in results:
                for net in groups[priority]:
                    if (security := self._offers(net, bss, skipped)) is not None:
                        return net, bss, security
        if self.ignored and not self._all_backing_off(now):
            log.debug("No APs found - clear BSSID ignore list and try again")
            self.ignored.clear()
            if skipped:
                return self._choose(now, fresh_only)
        return None

    def _best(self, now: float, fresh_only: bool) -> _Target | None:
        choice = self._choose(now, fresh_only)
        return None if choice is None else self._target(*choice)

    def _target(self, net: Network, bss: Bss, security: Security) -> _Target | None:
        """What joining `bss` for `net` takes: the handshake with its PMK (None: the network's psk is unusable,
        and the network is disabled for good)."""
        from ..wpa.supplicant import WpaSupplicantHandshake
        from .security import element, network_pmk

        if security.pairwise is None or security.group is None:  # open: nothing to negotiate
            return _Target(net.id, bss, security, None)
        try:
            pmk = network_pmk(net)
        except ValueError as e:
            log.error("network %d has an unusable psk: %s", net.id, e)
            self.backoffs.disable_for_good(net.ssid, net.id)
            return None
        handshake = WpaSupplicantHandshake(
            pmk=pmk, own_addr=self.own_addr, ap_addr=bss.bssid, own_rsn_ie=security.own_ie,
            ap_rsn_ie=element(EID_RSN, bss.rsn_element), ap_wpa_ie=element(VENDOR_ELEMENT, bss.wpa_element),
            pairwise=security.pairwise, group=security.group, eapol_version=self.config().eapol_version(),
            akm=security.akm, mgmt_group=security.mgmt_group,
            beacon_protection=net.value("beacon_prot") == "1" and self.beacon_protection(),
        )
        return _Target(net.id, bss, security, handshake)

    def _consider_roaming(self, now: float) -> None:
        """A scan of ours ended while connected: choose from its results as when not connected, and move the
        link where wpa_supplicant_need_to_roam would: to another network chosen (one of higher priority),
        to another BSS of this one when the current BSS was not in the scan, else as the two compare
        (PollSignal first)."""
        choice, target = self._choose(now, fresh_only=False), self.target
        if choice is None or target is None:
            return
        network, bss, security = choice
        current = self._current_bss()
        # SELECT_NETWORK any asked for a reassociation: to the choice, whatever it is
        if network.id == target.network_id and current is not None and not self._reassociate:
            if bss is current:
                return
            if bss.last_scan <= current.last_scan:  # both in the scan: weigh them once the signal is read
                self._roam_candidate = self._target(network, bss, security)
                if self._roam_candidate is not None:
                    self._actions.append(PollSignal())
                return
        if (roam_to := self._target(network, bss, security)) is not None:
            self._fire(I.ROAM, now, roam_to)

    def _start_bgscan(self, now: float) -> None:
        """The link is up: its network's `bgscan=` begins, else the file's global one (wpa_supplicant_reset_bgscan;
        a network's empty bgscan="" means none); with a signal threshold, once the kernel monitors the signal
        and says how it is now."""
        from .bgscan import HYSTERESIS, parse_bgscan

        assert self.target is not None
        network = self._network(self.target.network_id)
        if network is not None and "bgscan" in network.fields:
            raw = network.fields["bgscan"]
        else:
            raw = self.config().values.get("bgscan")  # kept as written: the control socket has no SET for it
        try:
            spec = nf.parse_string(raw).decode("utf-8", "replace") if raw else ""
        except ValueError:
            spec = ""
        if not spec:
            return
        self._bgscan = parse_bgscan(spec)
        if self._bgscan is None:
            log.info("bgscan: no background scans for %r (pywps has the simple module alone)", spec)
        elif self._bgscan.signal_threshold:
            self._actions.append(MonitorSignal(self._bgscan.signal_threshold, HYSTERESIS))
            self._bgscan_poll = True
            self._actions.append(PollSignal())
        else:
            self._bgscan_at = self._bgscan.start(None, now)

    def _stop_bgscan(self) -> None:
        bgscan, self._bgscan = self._bgscan, None
        self._bgscan_at, self._bgscan_poll = None, False
        if bgscan is not None and bgscan.signal_threshold:
            self._actions.append(MonitorSignal(0, 0))

    def _background_scan(self, now: float) -> None:
        """A background scan of the link's network, probing for its SSID on its scan_freq channels; while a
        scan the policy asked for is under way, put off by an interval instead, as a trigger that fails is."""
        bgscan, target = self._bgscan, self.target
        if bgscan is None or target is None or self.state is not S.COMPLETED:
            return
        network = self._network(target.network_id)
        if self._scan_pending or network is None:
            self._bgscan_at = bgscan.next_scan(now)
            return
        bgscan.scan_started(now)
        self._scan_pending = True
        self._actions.append(Scan(scan_freqs([network]), ssids=(network.ssid,)))

    def _current_bss(self) -> Bss | None:
        """The table's entry for the BSS the link is with (wpa_bss_get with the network's SSID, else the latest
        of that BSSID)."""
        target = self.target
        if target is None:
            return None
        network = self._network(target.network_id)
        ssid = network.ssid if network is not None and "ssid" in network.fields else None
        found = self.table.get(target.bss.bssid, ssid) if ssid is not None else None
        return found or self.table.get(target.bss.bssid)

    def _network(self, network_id: int) -> Network | None:
        return next((n for n in self.networks if n.id == network_id), None)

    def _connection_failed(self, target: _Target, now: float, lost: bool) -> tuple[ShellEvent, ...]:
        """wpas_connection_failed, on a refused association and on every link lost or left that was not asked for
        (a client's, a WPS run's or a network change's): the AP goes into the ignore list (twice, when the table
        holds another AP of the network, whose channels the next scan covers alone); from the fourth failure in a
        row, without a completed link between, each disables the network for a while (CONN_FAILED: its events
        are returned). With STA_AUTOCONNECT 0 a lost link is not counted (wpa_supplicant then marks itself
        disconnected) and nothing is joined again; else a scan comes next, even with the network disabled now
        (its results then serve the join when it comes back): failure_rescan's wait after a refused association,
        LOST_LINK_RESCAN after a lost link."""
        if lost and not self.autoconnect:
            return ()
        bssid, ssid = target.bss.bssid, target.bss.ssid
        if self.ignored.add(bssid, now) == 1:
            listed = self.ignored.counted(now)  # bssid's own entry among them
            others = tuple(dict.fromkeys(b.entry.freq for b in self.table
                                         if b.ssid == ssid and b.bssid not in listed))[:10]
            if others:  # "Another BSS in this ESS has been seen; try it next"
                self.ignored.add(bssid, now)
                self._ess_freqs = others
        self._failures += 1
        events = self._temp_disabled(target, now, "CONN_FAILED") if self._failures > 3 else ()
        if self.autoconnect:
            wait = failure_rescan(self._failures)
            self._rejoin_at = now + (min(wait, LOST_LINK_RESCAN) if lost else wait)
            self._scan_first = self._failure_scan = True
        return events

    def _rejoin_same(self, target: _Target, now: float) -> None:
        """wpa_supplicant's fast_reconnect: the BSS the link was on, at once and without a scan, unless its network
        is disabled or backs off now (then the scan that `_connection_failed` asked for comes first)."""
        network = self._network(target.network_id)
        bss = None if network is None else self.table.get(target.bss.bssid, network.ssid)
        if network is None or bss is None or network.disabled or self.backoffs.disabled(network.ssid, now):
            return
        security = self._offers(network, bss)
        choice = None if security is None else self._target(network, bss, security)
        if choice is not None:
            log.debug("Try to reconnect to the same BSS")
            self._fire(I.REJOIN, now, choice)

    def _handshake_state(self) -> State | None:
        """Where the 4-way handshake stands while the link waits for it, if it does (compared by name: the
        handshake's module loads with the first handshake, not with the daemon)."""
        handshake = self.target.handshake if self.target is not None else None
        return handshake.state if self.state is S.FOUR_WAY_HANDSHAKE and handshake is not None else None

    def _in_four_way(self) -> bool:
        """wpa_supplicant's WPA_4WAY_HANDSHAKE: message 1 taken, message 4 not yet sent."""
        handshake = self._handshake_state()
        return handshake is not None and handshake.name == "PTK_START"

    def _auth_failed(self, now: float, why: str) -> tuple[ShellEvent, ...]:
        """A disconnection wpa_supplicant takes for a wrong passphrase: the network backs off from now; the events
        that say so are the caller's to place after CTRL-EVENT-DISCONNECTED, where wpa_supplicant says them."""
        target = self.target
        if target is None:
            return ()
        log.warning("WPA: %s - pre-shared key may be incorrect", why)
        return (WrongKey(), *self._temp_disabled(target, now, "WRONG_KEY"))

    def _temp_disabled(self, target: _Target, now: float, reason: str) -> tuple[ShellEvent, ...]:
        """wpas_auth_failed: the network's SSID backs off from now; CTRL-EVENT-SSID-TEMP-DISABLED, unless it is
        disabled for longer already."""
        network = self._network(target.network_id)
        spread = network is not None and bool(set((network.value("key_mgmt") or "").split()) & IEEE8021X_KEY_MGMT)
        backoff = self.backoffs.failed(target.bss.ssid, target.network_id, now, spread)
        if backoff is None:
            return ()
        return (SsidTempDisabled(target.network_id, target.bss.ssid, *backoff, reason),)

    def _completed(self) -> None:
        target = self.target
        assert target is not None
        self._after_wps = 0
        self._failures = 0
        self.ignored.remove(target.bss.bssid)  # wpa_supplicant_cancel_auth_timeout
        self.backoffs.succeeded(target.bss.ssid)
        if target.handshake is not None:
            self._events.append(_negotiated(target))
        network = self._network(target.network_id)
        id_str = (network.value("id_str") or "" if network is not None else "").strip('"')
        self._events.append(Connected(target.bss.bssid, target.network_id, id_str))


def _negotiated(target: _Target) -> KeyNegotiated:
    from ..wpa.rsn import cipher_name  # loaded with the handshake

    security = target.security
    assert security.pairwise is not None and security.group is not None
    return KeyNegotiated(target.bss.bssid, cipher_name(security.pairwise), cipher_name(security.group))


def _single_bssid(network: Network) -> bytes | None:
    """The one BSSID the network's `bssid=` names, if it names one (wpa_supplicant's bssid_set)."""
    text = network.value("bssid")
    try:
        return mac_bytes(text) if text and text != "any" else None
    except ValueError:
        return None
