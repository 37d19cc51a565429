"""Staying connected with the stored networks over nl80211: the asyncio glue around the sans-IO WPA handshake.

`Connector` picks the best enabled network from the config (priority, then signal, as wpa_supplicant does),
associates with its RSN (or WPA) element, feeds EAPOL-Key frames to `pywps.wpa.supplicant`, and carries out
what the handshake asks for: send a frame, install a key, open the port. A network whose handshake fails
(wrong key: the AP gives up on our message 2) is disabled for a while with wpa_supplicant's back-off
(CTRL-EVENT-SSID-TEMP-DISABLED), never retried in a tight loop. A lost link is re-joined.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from .bss import EID_RSN, WPA_OUI_TYPE, Bss, ssid_text
from .config import Config, Network, decode_string
from .ctrl import events as ev
from .driver.base import Driver, DriverError, LinkCrypto, mac_str
from .station import Busy, Station
from .wpa.events import (
    FrameDropped,
    GroupRekeyed,
    HandshakeCompleted,
    HandshakeFailed,
    InstallGroupKey,
    InstallPairwiseKey,
    SendEapol,
)
from .wpa.errors import ParseError
from .wpa.keys import pmk_from_passphrase, pmk_from_psk
from .wpa.rsn import Akm, Cipher, build_rsn_ie, build_wpa_ie, cipher_name, key_mgmt_name, parse_rsn_ie, parse_wpa_ie
from .wpa.supplicant import WpaSupplicantHandshake
from .wps.ie import find_element, find_vendor_element

log = logging.getLogger("pywps.connect")

HANDSHAKE_TIMEOUT = 10.0  # seconds from association to an open port (the AP's own limit is ~4 s of retries)
RESCAN_INTERVAL = 5.0
FRESH_SECONDS = 10.0  # scan results younger than this are used without scanning again
REASON_DEAUTH_LEAVING = 3
REASON_4WAY_TIMEOUT = 15


def backoff_seconds(failures: int) -> int:
    """wpa_supplicant's temporary-disable durations after consecutive authentication failures."""
    for limit, seconds in ((50, 300), (20, 120), (10, 60), (5, 30), (3, 20)):
        if failures > limit:
            return seconds
    return 10


class LinkState(Enum):
    DISCONNECTED = "DISCONNECTED"
    SCANNING = "SCANNING"
    ASSOCIATING = "ASSOCIATING"
    FOUR_WAY_HANDSHAKE = "4WAY_HANDSHAKE"
    COMPLETED = "COMPLETED"


@dataclass
class Security:
    """What we negotiate with one BSS for one network."""

    wpa2: bool
    pairwise: Cipher
    group: Cipher
    own_ie: bytes

    @property
    def key_mgmt(self) -> str:
        return key_mgmt_name(Akm.PSK, rsn=self.wpa2)


def _network_allows(network: Network, key: str, value: str, default: str) -> bool:
    return value in network.fields.get(key, default).split()


def negotiate(network: Network, bss: Bss) -> Security | None:
    """The protocol and ciphers we use with this BSS for this network, or None when they cannot agree."""
    if "WPA-PSK" not in network.fields.get("key_mgmt", "WPA-PSK").split():
        return None
    for wpa2, proto in ((True, "RSN"), (False, "WPA")):
        if not _network_allows(network, "proto", proto, "WPA RSN"):
            continue
        body = find_element(bss.entry.ies, EID_RSN) if wpa2 else find_vendor_element(bss.entry.ies, WPA_OUI_TYPE)
        if body is None:
            continue
        try:
            info = parse_rsn_ie(body) if wpa2 else parse_wpa_ie(body)
        except ParseError:  # a malformed element: not a network we can join
            continue
        if Akm.PSK not in info.akms or info.group not in (Cipher.CCMP, Cipher.TKIP):
            continue
        for cipher in (Cipher.CCMP, Cipher.TKIP):
            if cipher in info.pairwise and _network_allows(network, "pairwise", cipher.name, "CCMP TKIP"):
                ie = build_rsn_ie(info.group, cipher, Akm.PSK) if wpa2 else build_wpa_ie(info.group, cipher, Akm.PSK)
                return Security(wpa2, cipher, info.group, ie)
    return None


def network_pmk(network: Network) -> bytes:
    psk = network.fields.get("psk", "")
    if psk.startswith('"'):
        return pmk_from_passphrase(decode_string(psk).decode(), network.ssid)
    return pmk_from_psk(psk)


class Connector:
    def __init__(self, driver: Driver, station: Station, config: Callable[[], Config],
                 publish: Callable[[str], None]) -> None:
        self.driver = driver
        self.station = station
        self.config = config
        self.publish = publish
        self.state = LinkState.DISCONNECTED
        self.network_id: int | None = None
        self.bss: Bss | None = None
        self.security: Security | None = None
        self.handshake: WpaSupplicantHandshake | None = None
        self.user_disconnected = False  # DISCONNECT: stay off until RECONNECT / SELECT_NETWORK
        self.failures: dict[bytes, int] = {}  # by SSID
        self.disabled_until: dict[bytes, float] = {}
        self.selected: int | None = None  # SELECT_NETWORK's choice; others wait while it is set
        self._loop = asyncio.get_running_loop()
        self._task: asyncio.Task | None = None
        self._link_lost = asyncio.Event()
        self._port_open = asyncio.Event()
        self._steps: asyncio.Task | None = None

    # -- the supervisor --------------------------------------------------------------------------------

    def kick(self) -> None:
        """(Re)consider the stored networks now: after start, WPS, a lost link, or a command."""
        if self.user_disconnected or (self._task is not None and not self._task.done()):
            return
        self._task = self._loop.create_task(self._supervise())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        await self._leave(REASON_DEAUTH_LEAVING)

    async def _supervise(self) -> None:
        while not self.user_disconnected:
            candidates = self._enabled_networks()
            if not candidates:
                self.state = LinkState.DISCONNECTED
                return
            choice = await self._find(candidates)
            if choice is None:
                await asyncio.sleep(RESCAN_INTERVAL)
                continue
            network_id, bss, security = choice
            connected = await self._connect(network_id, bss, security)
            if connected:
                await self._link_lost.wait()
                self._link_lost.clear()
            await asyncio.sleep(1.0)  # hostap waits a little before re-joining after a disconnect, too

    def _enabled_networks(self) -> list[tuple[int, Network]]:
        now = self._loop.time()
        out = []
        for i, net in enumerate(self.config().networks):
            if net.fields.get("disabled") == "1" or (self.selected is not None and i != self.selected):
                continue
            if "ssid" not in net.fields or self.disabled_until.get(net.ssid, 0) > now:
                continue
            out.append((i, net))
        return out

    async def _find(self, candidates: list[tuple[int, Network]]) -> tuple[int, Bss, Security] | None:
        # Like wpa_supplicant's fast associate: recent results (ours, or the kernel's cache at start) are
        # good enough to try first; scan only when they offer nothing.
        choice = self._best(candidates, fresh_only=True)
        if choice is None and len(self.station.table) == 0:
            try:
                cached = [e for e in await self.driver.scan_results() if e.age_ms < FRESH_SECONDS * 1000]
                self.station.table.update(cached, self._loop.time())
            except DriverError as e:
                log.debug("no cached scan results: %s", e)
            choice = self._best(candidates, fresh_only=True)
        if choice is not None:
            return choice
        self.state = LinkState.SCANNING
        try:
            await self.station.scan()
        except (DriverError, Busy) as e:
            log.debug("scan for stored networks failed: %s", e)
            return None
        return self._best(candidates, fresh_only=False)

    def _best(self, candidates: list[tuple[int, Network]], fresh_only: bool) -> tuple[int, Bss, Security] | None:
        now = self._loop.time()
        best = None
        for network_id, net in candidates:
            priority = int(net.fields.get("priority", "0") or 0)
            for bss in self.station.table:
                if bss.ssid != net.ssid or (fresh_only and now - bss.last_update > FRESH_SECONDS):
                    continue
                security = negotiate(net, bss)
                if security is None:
                    continue
                rank = (priority, bss.level)
                if best is None or rank > best[0]:
                    best = (rank, network_id, bss, security)
        return best[1:] if best else None

    # -- one connection --------------------------------------------------------------------------------

    async def _connect(self, network_id: int, bss: Bss, security: Security) -> bool:
        net = self.config().networks[network_id]
        try:
            pmk = network_pmk(net)
        except ValueError as e:
            log.error("network %d has an unusable psk: %s", network_id, e)
            self.disabled_until[net.ssid] = float("inf")
            return False
        self.network_id, self.bss, self.security = network_id, bss, security
        self._port_open.clear()
        self.handshake = WpaSupplicantHandshake(
            pmk=pmk, own_addr=self.driver.own_addr, ap_addr=bss.bssid, own_rsn_ie=security.own_ie,
            ap_rsn_ie=_element(find_element(bss.entry.ies, EID_RSN), EID_RSN),
            ap_wpa_ie=_element(find_vendor_element(bss.entry.ies, WPA_OUI_TYPE), 221),
            pairwise=security.pairwise, group=security.group,
        )
        self.state = LinkState.ASSOCIATING
        crypto = LinkCrypto(2 if security.wpa2 else 1, security.pairwise.suite, security.group.suite,
                            Akm.PSK.suite)
        try:
            await self.station.associate(bss, security.own_ie, crypto)
        except DriverError as e:
            log.info("%s", e)
            self.state = LinkState.DISCONNECTED
            return False
        self.state = LinkState.FOUR_WAY_HANDSHAKE
        try:
            await asyncio.wait_for(self._port_open.wait(), HANDSHAKE_TIMEOUT)
        except asyncio.TimeoutError:
            if self.state is LinkState.FOUR_WAY_HANDSHAKE:  # not already handled as a disconnect
                self._auth_failed(net.ssid, network_id, "4-Way Handshake timed out")
                await self._leave(REASON_4WAY_TIMEOUT)
            return False
        return self.state is LinkState.COMPLETED

    async def _leave(self, reason: int) -> None:
        if self.state in (LinkState.ASSOCIATING, LinkState.FOUR_WAY_HANDSHAKE, LinkState.COMPLETED):
            self.state = LinkState.DISCONNECTED
            try:
                await self.driver.disconnect(reason)
            except DriverError as e:
                log.warning("%s", e)
        self.state = LinkState.DISCONNECTED
        self.handshake = None
        self.station.associated = None

    def _auth_failed(self, ssid: bytes, network_id: int, why: str) -> None:
        count = self.failures.get(ssid, 0) + 1
        self.failures[ssid] = count
        seconds = backoff_seconds(count)
        self.disabled_until[ssid] = self._loop.time() + seconds
        log.warning("WPA: %s - pre-shared key may be incorrect", why)
        self.publish("WPA: 4-Way Handshake failed - pre-shared key may be incorrect")
        self.publish(f'CTRL-EVENT-SSID-TEMP-DISABLED id={network_id} ssid="{ssid_text(ssid)}" '
                     f"auth_failures={count} duration={seconds} reason=WRONG_KEY")
        self._loop.call_later(seconds, self._reenable, ssid, network_id)

    def _reenable(self, ssid: bytes, network_id: int) -> None:
        if self.disabled_until.pop(ssid, None) is not None:
            self.publish(f'CTRL-EVENT-SSID-REENABLED id={network_id} ssid="{ssid_text(ssid)}"')
            self.kick()

    # -- frames and link events ------------------------------------------------------------------------

    def on_eapol_key(self, src: bytes, pdu: bytes) -> None:
        hs = self.handshake
        if hs is None or self.bss is None or src != self.bss.bssid:
            log.debug("EAPOL-Key from %s ignored: no handshake with it", mac_str(src))
            return
        steps = []
        for event in hs.receive(pdu):
            if isinstance(event, FrameDropped):
                log.info("EAPOL-Key frame from %s dropped: %s", mac_str(src), event.reason)
            else:
                steps.append(event)
        if steps:
            self._steps = self._loop.create_task(self._carry_out(self._steps, steps))

    async def _carry_out(self, before: asyncio.Task | None, steps: list) -> None:
        # Frames and keys must reach the kernel in the handshake's order (message 4 before the PTK, keys
        # before the port opens), also across frames: each batch waits for the one before it.
        if before is not None and not before.done():
            await asyncio.wait([before])
        for event in steps:
            if self.handshake is None:
                return  # the link went away meanwhile
            if not await self._carry_out_one(event):
                return

    async def _carry_out_one(self, event) -> bool:
        assert self.bss is not None
        try:
            if isinstance(event, SendEapol):
                await self.driver.send_eapol(self.bss.bssid, event.pdu)
            elif isinstance(event, InstallPairwiseKey):
                await self.driver.install_pairwise_key(self.bss.bssid, event.tk, event.cipher.suite)
            elif isinstance(event, InstallGroupKey):
                await self.driver.install_group_key(event.key_index, event.gtk, event.cipher.suite, event.rsc[:6])
            elif isinstance(event, HandshakeCompleted) and not event.rekey:
                await self.driver.authorize_port(self.bss.bssid)
                self._completed()
            elif isinstance(event, GroupRekeyed):
                log.info("WPA: group rekeying completed with %s [GTK=%s]", mac_str(self.bss.bssid),
                         cipher_name(self.security.group) if self.security else "?")
            elif isinstance(event, HandshakeFailed):
                log.warning("WPA: handshake with %s failed: %s", mac_str(self.bss.bssid), event.reason)
                await self._leave(event.reason_code)
                self._link_lost.set()
                return False
        except (DriverError, OSError) as e:
            log.error("WPA: %s", e)
            await self._leave(REASON_DEAUTH_LEAVING)
            self._link_lost.set()
            return False
        return True

    def _completed(self) -> None:
        assert self.bss is not None and self.network_id is not None
        self.state = LinkState.COMPLETED
        self.failures.pop(self.bss.ssid, None)
        log.info("WPA: key negotiation completed with %s [PTK=%s GTK=%s]", mac_str(self.bss.bssid),
                 cipher_name(self.security.pairwise), cipher_name(self.security.group))
        net = self.config().networks[self.network_id]
        self.publish(ev.connected(mac_str(self.bss.bssid), self.network_id, net.fields.get("id_str", "").strip('"')))
        self._port_open.set()

    def on_disconnected(self, locally_generated: bool = False) -> None:
        """The link went down (the AP left us, or we asked)."""
        was = self.state
        if was is LinkState.DISCONNECTED:
            return  # not ours (a WPS run's association), or already handled
        self.state = LinkState.DISCONNECTED
        self.handshake = None
        if (was is LinkState.FOUR_WAY_HANDSHAKE and not locally_generated and self.bss is not None
                and self.network_id is not None):
            # The AP dropped us in the middle of the 4-way handshake: our MIC did not verify, the key is wrong.
            self._auth_failed(self.bss.ssid, self.network_id, "4-Way Handshake failed")
        self._port_open.set()  # wake _connect: it reads the state
        self._link_lost.set()

    # -- status and commands -----------------------------------------------------------------------------

    def status(self) -> dict[str, str]:
        info = {"wpa_state": self.state.value}
        if self.state in (LinkState.ASSOCIATING, LinkState.FOUR_WAY_HANDSHAKE, LinkState.COMPLETED) and self.bss:
            info.update(self.bss.status_fields(), id=str(self.network_id))
            net = self.config().networks[self.network_id]
            if "id_str" in net.fields:
                info["id_str"] = net.fields["id_str"].strip('"')
            info["mode"] = "station"
            if self.security is not None:
                info.update(pairwise_cipher=cipher_name(self.security.pairwise),
                            group_cipher=cipher_name(self.security.group), key_mgmt=self.security.key_mgmt)
        return info

    async def disconnect(self) -> None:
        self.user_disconnected = True
        if self._task is not None:
            self._task.cancel()
        await self._leave(REASON_DEAUTH_LEAVING)

    def reconnect(self) -> None:
        self.user_disconnected = False
        self.kick()

    async def restart(self) -> None:
        """Drop the current link and choose again (SELECT_NETWORK, a network enabled/removed)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        await self._leave(REASON_DEAUTH_LEAVING)
        self._link_lost.clear()
        self.kick()


def _element(body: bytes | None, eid: int) -> bytes | None:
    return None if body is None else bytes([eid, len(body)]) + body
