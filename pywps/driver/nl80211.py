"""802.11 through the kernel's nl80211 (cfg80211/mac80211), like wpa_supplicant's `-Dnl80211`.

Netlink goes through pyroute2's asyncio sockets (`AsyncGenericNetlinkSocket`): requests are awaited on the
daemon's loop and the kernel's multicast events (groups `scan` and `mlme`) are read by one task, so nothing
blocks and no thread is needed. Association uses NL80211_CMD_CONNECT (the kernel's SME does authentication and
association); EAPOL frames travel over an AF_PACKET socket on the interface, which mac80211 passes through
while the 802.1X port is still closed.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import struct
from typing import TYPE_CHECKING

from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.generic import AsyncGenericNetlinkSocket

from .base import (
    MAX_SCAN_SSIDS,
    ActionReceived,
    AssociationRejected,
    AuthenticationRejected,
    Driver,
    DriverError,
    DriverEvent,
    DriverFailed,
    InterfaceToggled,
    LinkConnected,
    LinkCrypto,
    LinkDisconnected,
    OthersScanEnded,
    ScanEntry,
    ScanParams,
    ScanRefused,
    ScanResults,
    ScanStarted,
    SignalCrossed,
    UnprotectedBeacon,
    UnprotectedDisconnect,
    mac_str,
)
from .nl80211_msg import (
    CMD,
    SCAN_FLAG_FLUSH,
    Nl80211Msg,
    frequencies_of,
    request,
    scan_frequencies,
)
from .linkstate import KernelLink, RfkillWatch, interface_is_up, put_down_again, set_hw_address, set_interface_up
from .packet import EapolSocket, read_mac

# The parsers of the radio's nests (channel survey, station counters, wiphy) and the radio's types load with
# their first use (a scan's results, SIGNAL_POLL, a capability command), not before the first PONG; the daemon's
# warm-up loads them after it, so a scan under way does not pay for them.
if TYPE_CHECKING:
    from collections.abc import Callable

    from .nl80211_info import StationStats
    from .radio import ChannelWidth, DriverFlag, DriverFlag2, HwMode, PacketCounters, SignalInfo

log = logging.getLogger("pywps.driver.nl80211")

IFTYPE_STATION = 2
# enum nl80211_iftype, as `iw dev` names them
_IFTYPE_NAMES = {1: "IBSS", 3: "AP", 4: "AP/VLAN", 5: "WDS", 6: "monitor", 7: "mesh point", 8: "P2P-client",
                 9: "P2P-GO", 10: "P2P-device", 11: "OCB", 12: "NAN"}
STA_FLAG_AUTHORIZED = 1
CQM_RSSI_LOW, CQM_RSSI_HIGH = 0, 1  # enum nl80211_cqm_rssi_threshold_event
KEYTYPE_GROUP, KEYTYPE_PAIRWISE = 0, 1
MFP_REQUIRED, MFP_OPTIONAL = 1, 2  # enum nl80211_mfp
FC_ACTION = 0x00D0  # frame control of a management frame of subtype Action, as it goes on the air (le16)
MGMT_HEADER_LEN = 24
SA_QUERY_CATEGORY, SA_QUERY_RESPONSE = 8, 1
BIP_CMAC_128 = 0x000FAC06
SCAN_TIMEOUT = 30.0  # seconds; a scan of all channels takes a few, much longer under emulation
CONNECT_TIMEOUT = 20.0
AUTH_FRAME_FIXED = 24 + 6  # the header, then Authentication Algorithm, Transaction Sequence, Status Code


class AuthAnswer:
    """An Authentication frame of the AP's, as the kernel hands it on (NL80211_CMD_AUTHENTICATE, NL80211_ATTR_FRAME)."""

    __slots__ = ("auth_type", "transaction", "status", "ies")

    def __init__(self, auth_type: int, transaction: int, status: int, ies: bytes) -> None:
        self.auth_type, self.transaction, self.status, self.ies = auth_type, transaction, status, ies

    @classmethod
    def read(cls, frame: bytes) -> AuthAnswer | None:
        """None for what is not one (an authentication that timed out carries no frame)."""
        if len(frame) < AUTH_FRAME_FIXED or frame[0] & 0xFC != 0xB0:  # management, subtype 11
            return None
        return cls(*struct.unpack_from("<HHH", frame, 24), frame[AUTH_FRAME_FIXED:])


def _u32_array(values: tuple[int, ...]) -> bytes:
    return b"".join(struct.pack("<I", v) for v in values)


class Nl80211Driver(Driver):
    name = "nl80211"
    can_scan = True

    def __init__(self, ifname: str) -> None:
        super().__init__(ifname)
        self._addr = b""
        self._permanent = b""  # the address at start: given back at stop when mac_addr changed it
        self.ifindex = 0
        self._cmd: AsyncGenericNetlinkSocket | None = None
        self._events: AsyncGenericNetlinkSocket | None = None
        self._reader: asyncio.Task | None = None
        self._eapol: EapolSocket | None = None
        self._found_down = False  # it was down when we started: down again when we stop
        self._link: KernelLink | None = None
        self._rfkill: RfkillWatch | None = None
        self._scan_done: asyncio.Future[bool] | None = None
        self._connect_done: asyncio.Future[int] | None = None
        # the connect under way: the AP's answer to its authentication (NL80211_CMD_AUTHENTICATE) and whom to tell
        self._auth_answer: AuthAnswer | None = None
        self._on_authenticated: Callable[[], None] | None = None
        self._sme = True  # the wiphy takes NL80211_CMD_AUTHENTICATE (mac80211 does), until read otherwise
        self._triggering = False  # a TRIGGER_SCAN request not answered yet
        self._abort_wanted = False
        self.bssid: bytes | None = None  # the BSS we are connected to
        self._resp_ies = b""  # the elements of its association response
        self._last_bssid: bytes | None = None  # for the DISCONNECT event of a disconnect() we asked for
        self._ciphers: frozenset[int] = frozenset()  # the wiphy's cipher suites, once read (hw_modes, flags)
        self._mfp_optional = False  # the wiphy's NL80211_EXT_FEATURE_MFP_OPTIONAL, once read
        self._beacon_protection = False  # its NL80211_EXT_FEATURE_BEACON_PROTECTION(_CLIENT), once read
        self._frames: AsyncGenericNetlinkSocket | None = None  # registered for SA Query Responses, once needed
        self._frame_reader: asyncio.Task | None = None
        # The kernel runs one dump at a time per netlink socket and answers EBUSY to a second one: the command
        # socket's dumps (the wiphy for DRIVER_FLAGS and the radio's channels, scan results, a survey) take turns.
        self._dumping = asyncio.Lock()

    @property
    def own_addr(self) -> bytes:
        return self._addr

    @property
    def permanent_addr(self) -> bytes:
        return self._permanent

    @property
    def protects_management_frames(self) -> bool:
        return BIP_CMAC_128 in self._ciphers

    @property
    def authenticates_apart(self) -> bool:
        return self._sme

    @property
    def cipher_suites(self) -> frozenset[int]:
        return self._ciphers

    @property
    def protects_beacons(self) -> bool:
        return self._beacon_protection

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._addr = self._permanent = read_mac(self.ifname)  # DriverError when the interface does not exist
        self.ifindex = socket.if_nametoindex(self.ifname)
        try:
            self._cmd = await self._open_socket()
            self._events = await self._open_socket()
            for group in ("scan", "mlme"):
                self._events.add_membership(group)
            iftype = await self._interface_type()
        except NetlinkError as e:
            await self.stop()
            raise DriverError(f"nl80211 on {self.ifname}: {e}") from None
        if iftype != IFTYPE_STATION:
            try:
                await self._switch_to_station(iftype)
            except DriverError:
                await self.stop()
                raise
        self._rfkill = RfkillWatch(self.ifname, self._on_unblocked)
        self._found_down = not interface_is_up(self.ifname)
        if self._found_down:
            if self._rfkill.blocked:  # wpa_supplicant runs on, its interface disabled until the radio is unblocked
                log.info("%s: could not yet enable the interface: its radio is blocked (rfkill)", self.ifname)
            else:
                try:
                    self._set_up()
                except DriverError:
                    await self.stop()
                    raise
        self._rfkill.open()
        self._link = KernelLink(self.ifindex, self.ifname, self._on_up_changed)
        self._link.open()
        self._reader = asyncio.get_running_loop().create_task(self._read_events())
        self._eapol = EapolSocket(self.ifname, self._addr, self._on_frame, self._on_link_gone)

    async def stop(self) -> None:
        for task in (self._reader, self._frame_reader):
            if task is not None:
                task.cancel()
        self._reader = self._frame_reader = None
        if self.bssid is not None and self._cmd is not None:
            try:
                await self.disconnect()
            except DriverError:
                pass
        for sock in (self._cmd, self._events, self._frames):
            if sock is not None:
                sock.close()
        self._cmd = self._events = self._frames = None
        if self._eapol is not None:
            self._eapol.close()
            self._eapol = None
        if self._rfkill is not None:
            self._rfkill.close()
            self._rfkill = None
        if self._link is not None:
            self._link.close()
            self._link = None
        if self._found_down:
            self._found_down = False
            put_down_again(self.ifname)
        self._restore_permanent_addr()

    async def _open_socket(self) -> AsyncGenericNetlinkSocket:
        sock = AsyncGenericNetlinkSocket()
        try:
            await sock.bind("nl80211", Nl80211Msg)
        except NetlinkError as e:
            sock.close()
            if e.code == errno.ENOENT:
                raise DriverError("the kernel has no nl80211 (cfg80211 not loaded?)") from None
            raise
        return sock

    async def _interface_type(self) -> int:
        (reply,) = await self._request("GET_INTERFACE", ("NL80211_ATTR_IFINDEX", self.ifindex))
        return reply.get_attr("NL80211_ATTR_IFTYPE")

    async def _switch_to_station(self, iftype: int) -> None:
        """wpa_supplicant makes a station of the interface it is given, whatever its type (monitor, IBSS, P2P,
        AP, mesh). It keeps an AP or mesh interface as it is until it associates, for its own AP and mesh modes;
        pywps has neither and switches at once, so its scans are a station's. mac80211 refuses to change the type
        of a running interface: then down, switch, up again, as wpa_supplicant's set_mode does; its retries
        while the interface is still going down included."""
        was = _IFTYPE_NAMES.get(iftype, f"iftype {iftype}")
        log.info("%s: switching the interface from %s to station mode", self.ifname, was)
        code = await self._set_interface(("NL80211_ATTR_IFTYPE", IFTYPE_STATION))
        if code == errno.EBUSY and interface_is_up(self.ifname):
            try:
                set_interface_up(self.ifname, False)
            except OSError as e:
                code = e.errno
            else:
                for _ in range(10):
                    code = await self._set_interface(("NL80211_ATTR_IFTYPE", IFTYPE_STATION))
                    if code != errno.EBUSY:
                        break
                    await asyncio.sleep(0.1)
                self._set_up()
        if code:
            raise DriverError(f"cannot switch {self.ifname} from {was} to station mode: {os.strerror(code)}")

    async def _set_interface(self, attr: tuple[str, int]) -> int:
        """NL80211_CMD_SET_INTERFACE with one attribute (the type, 4-address mode); the errno the kernel
        answered, 0 for done."""
        try:
            await self._request("SET_INTERFACE", ("NL80211_ATTR_IFINDEX", self.ifindex), attr)
        except NetlinkError as e:
            return e.code
        return 0

    @property
    def assoc_resp_ies(self) -> bytes:
        return self._resp_ies

    async def set_mac_addr(self, addr: bytes | None) -> None:
        """Down, the address, up again (nl80211_set_mac_addr): the kernel takes a new address only while the
        interface is down. The two link notifications this makes are no news by the time they are read."""
        addr = addr or self._permanent
        try:
            set_interface_up(self.ifname, False)
            try:
                set_hw_address(self.ifname, addr)
            finally:
                set_interface_up(self.ifname, True)
        except OSError as e:
            raise DriverError(f"cannot give {self.ifname} the address {mac_str(addr)}: {e.strerror}") from None
        log.debug("%s: address %s", self.ifname, mac_str(addr))
        self._addr = addr
        if self._eapol is not None:
            self._eapol.own_addr = addr

    def _restore_permanent_addr(self) -> None:
        """At the stop, the permanent address again, the interface left down as wpa_supplicant leaves it
        (wpa_driver_nl80211_deinit)."""
        if self._addr == self._permanent:
            return
        try:
            set_interface_up(self.ifname, False)
            set_hw_address(self.ifname, self._permanent)
        except OSError as e:
            log.warning("cannot give %s its permanent address again: %s", self.ifname, e.strerror)

    async def set_4addr(self, on: bool) -> None:
        """NL80211_CMD_SET_INTERFACE with NL80211_ATTR_4ADDR, as wpa_supplicant's nl80211_set_4addr_mode."""
        code = await self._set_interface(("NL80211_ATTR_4ADDR", int(on)))
        if code:
            raise DriverError(f"cannot turn 4-address mode {'on' if on else 'off'}: {os.strerror(code)}")

    def _set_up(self) -> None:
        """wpa_supplicant brings its interface up itself, and down again when it stops if it found it down
        (driver_nl80211's start_iface_up); so do we. A missing radio says why not."""
        try:
            set_interface_up(self.ifname, True)
        except OSError as e:
            raise DriverError(f"cannot bring {self.ifname} up: {e.strerror}") from None

    def _on_unblocked(self) -> None:
        """The radio's rfkill switch is released: up again (the kernel took the interface down when it was
        blocked), as wpa_supplicant's rfkill handler does; KernelLink then says it is enabled."""
        try:
            set_interface_up(self.ifname, True)
        except OSError as e:
            log.warning("cannot bring %s up after the rfkill unblock: %s", self.ifname, e.strerror)

    @property
    def enabled(self) -> bool:
        return self._link is None or self._link.is_up

    def _on_up_changed(self, up: bool) -> None:
        self._emit(InterfaceToggled(up))

    def set_operstate(self, up: bool) -> None:
        if self._link is not None:
            self._link.set_operstate(up)

    async def _request(self, cmd: str, *attrs: tuple[str, object], dump: bool = False) -> list[Nl80211Msg]:
        if self._cmd is None:
            raise DriverError("driver not started")
        msg = request(cmd, *attrs)
        try:
            if dump:
                async with self._dumping:
                    return [m async for m in await self._cmd._do_dump(msg)]
            return await self._cmd._do_request(msg)
        except OSError as e:  # NetlinkError is not an OSError: it reaches the caller, which words it
            raise DriverError(f"nl80211 socket lost: {e}") from None

    # -- events ----------------------------------------------------------------------------------------

    async def _read_events(self) -> None:
        assert self._events is not None
        await self._read(self._events, self._on_event, "event", fatal=True)

    async def _read(self, sock: AsyncGenericNetlinkSocket, handle: Callable[[Nl80211Msg], None], what: str,
                    fatal: bool) -> None:
        """Hand every message of `sock` about our interface to `handle`, until cancelled. A lost socket is said
        in the log, and when the daemon cannot work without it (`fatal`), as DriverFailed."""
        try:
            while True:
                async for msg in sock.get():
                    if msg.get_attr("NL80211_ATTR_IFINDEX") == self.ifindex:
                        handle(msg)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.error("nl80211 %s socket on %s failed: %s", what, self.ifname, e)
            if fatal:
                self._emit(DriverFailed(str(e)))

    def _on_event(self, msg: Nl80211Msg) -> None:
        cmd = msg["cmd"]
        if cmd in (CMD["UNPROT_DEAUTHENTICATE"], CMD["UNPROT_DISASSOCIATE"]):
            frame = msg.get_attr("NL80211_ATTR_FRAME") or b""
            if len(frame) >= MGMT_HEADER_LEN + 2:  # the frame the kernel dropped: its source and reason code
                self._emit(UnprotectedDisconnect(frame[10:16], int.from_bytes(frame[24:26], "little")))
        elif cmd == CMD["UNPROT_BEACON"]:
            frame = msg.get_attr("NL80211_ATTR_FRAME") or b""
            if len(frame) >= MGMT_HEADER_LEN:
                self._emit(UnprotectedBeacon(frame[10:16]))
        elif cmd == CMD["TRIGGER_SCAN"]:
            self._emit(ScanStarted())
        elif cmd in (CMD["NEW_SCAN_RESULTS"], CMD["SCAN_ABORTED"]):
            ok = cmd == CMD["NEW_SCAN_RESULTS"]
            if self._scan_done is not None and not self._scan_done.done():
                self._scan_done.set_result(ok)
            elif not self._triggering:  # another program's scan (ours is refused with EBUSY while it runs)
                ssids = msg.get_attr("NL80211_ATTR_SCAN_SSIDS")
                self._emit(OthersScanEnded(
                    freqs=frequencies_of(msg.get_attr("NL80211_ATTR_SCAN_FREQUENCIES")),
                    ssids=tuple(value for _, value in ssids["attrs"]) if ssids is not None else (),
                    aborted=not ok,
                ))
        elif cmd == CMD["AUTHENTICATE"]:  # the AP's answer to the authentication of a connect (or its timeout)
            answer = AuthAnswer.read(msg.get_attr("NL80211_ATTR_FRAME") or b"")
            if self._connect_done is not None and answer is not None:
                self._auth_answer = answer
                if answer.status == 0 and self._on_authenticated is not None:
                    self._on_authenticated()
        elif cmd == CMD["CONNECT"]:
            status = msg.get_attr("NL80211_ATTR_STATUS_CODE")
            if msg.get_attr("NL80211_ATTR_TIMED_OUT"):
                status = -1
            status = 1 if status is None else status  # no status: unspecified failure
            bssid = msg.get_attr("NL80211_ATTR_MAC")
            if status == 0:
                self.bssid = self._last_bssid = bssid
                self._resp_ies = msg.get_attr("NL80211_ATTR_RESP_IE") or b""
                self._emit(LinkConnected(bssid))
            if self._connect_done is not None and not self._connect_done.done():
                self._connect_done.set_result(status)
        elif cmd == CMD["NOTIFY_CQM"]:
            cqm = msg.get_attr("NL80211_ATTR_CQM")
            crossed = cqm.get_attr("NL80211_ATTR_CQM_RSSI_THRESHOLD_EVENT") if cqm is not None else None
            if crossed in (CQM_RSSI_LOW, CQM_RSSI_HIGH):  # packet loss and beacon loss: wpa_supplicant's bgscan
                self._emit(SignalCrossed(above=crossed == CQM_RSSI_HIGH))  # acts on neither either
        elif cmd == CMD["DISCONNECT"]:
            bssid = msg.get_attr("NL80211_ATTR_MAC") or self.bssid or self._last_bssid
            self.bssid = None
            self._emit(LinkDisconnected(
                bssid=bssid, reason=msg.get_attr("NL80211_ATTR_REASON_CODE") or 0,
                locally_generated=not msg.get_attr("NL80211_ATTR_DISCONNECTED_BY_AP"),
            ))

    def _emit(self, event: DriverEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # the daemon's edge: one bad event must not end the netlink reader
                log.exception("driver event handler failed on %s", type(event).__name__)

    def _on_frame(self, src: bytes, pdu: bytes) -> None:
        if self.on_eapol is not None:
            self.on_eapol(src, pdu)

    def _on_link_gone(self, why: str) -> None:
        log.warning("%s went away: %s", self.ifname, why)
        self._emit(DriverFailed(why))

    # -- scanning --------------------------------------------------------------------------------------

    async def scan(self, params: ScanParams) -> ScanResults:
        attrs: list[tuple[str, object]] = [("NL80211_ATTR_IFINDEX", self.ifindex)]
        if params.ssids:  # none: a passive scan
            ssids = params.ssids[:MAX_SCAN_SSIDS]
            attrs.append(("NL80211_ATTR_SCAN_SSIDS", {"attrs": [(f"SSID{i}", s) for i, s in enumerate(ssids, 1)]}))
        if params.freqs:
            attrs.append(("NL80211_ATTR_SCAN_FREQUENCIES", scan_frequencies(params.freqs)))
        if params.extra_ies:
            attrs.append(("NL80211_ATTR_IE", params.extra_ies))
        if params.flush:
            attrs.append(("NL80211_ATTR_SCAN_FLAGS", SCAN_FLAG_FLUSH))
        if params.bssid is not None:  # and in NL80211_ATTR_MAC for kernels before 4.10, as wpa_supplicant does
            attrs += [("NL80211_ATTR_BSSID", params.bssid), ("NL80211_ATTR_MAC", params.bssid)]
        loop = asyncio.get_running_loop()
        self._scan_done = loop.create_future()
        self._abort_wanted = False
        self._triggering = True
        try:
            await self._request("TRIGGER_SCAN", *attrs)
        except NetlinkError as e:
            self._scan_done = None
            if e.code == errno.ENETDOWN:
                raise ScanRefused(f"{self.ifname} is down", e.code) from None
            raise ScanRefused(f"scan request refused: {e}", e.code) from None
        finally:
            self._triggering = False
        if self._abort_wanted:  # ABORT_SCAN came while the kernel was still taking the trigger
            await self.abort_scan()
        try:
            completed = await asyncio.wait_for(self._scan_done, SCAN_TIMEOUT)
        except asyncio.TimeoutError:
            raise DriverError("scan timed out") from None
        finally:
            self._scan_done = None
        if not completed:
            # as wpa_supplicant: an aborted scan (ABORT_SCAN, or the kernel's) still reports what it found
            log.debug("scan aborted on %s", self.ifname)
        return ScanResults(await self.scan_results(), aborted=not completed)

    async def abort_scan(self) -> None:
        if self._triggering:
            self._abort_wanted = True
            return
        try:
            await self._request("ABORT_SCAN", ("NL80211_ATTR_IFINDEX", self.ifindex))
        except NetlinkError as e:
            raise DriverError(f"abort scan refused: {e}") from None

    async def scan_results(self) -> list[ScanEntry]:
        now = asyncio.get_running_loop().time()
        try:
            replies = await self._request("GET_SCAN", ("NL80211_ATTR_IFINDEX", self.ifindex), dump=True)
        except NetlinkError as e:
            raise DriverError(f"reading scan results failed: {e}") from None
        noise = await self._channel_noise()
        entries = []
        for reply in replies:
            bss = reply.get_attr("NL80211_ATTR_BSS")
            if bss is None or bss.get_attr("NL80211_BSS_BSSID") is None:
                continue
            ies = bss.get_attr("NL80211_BSS_INFORMATION_ELEMENTS") or bss.get_attr("NL80211_BSS_BEACON_IES") or b""
            entries.append(ScanEntry(
                bssid=bss.get_attr("NL80211_BSS_BSSID"),
                freq=bss.get_attr("NL80211_BSS_FREQUENCY") or 0,
                signal_mbm=bss.get_attr("NL80211_BSS_SIGNAL_MBM") or 0,
                capability=bss.get_attr("NL80211_BSS_CAPABILITY") or 0,
                beacon_interval=bss.get_attr("NL80211_BSS_BEACON_INTERVAL") or 0,
                ies=ies,
                beacon_ies=bss.get_attr("NL80211_BSS_BEACON_IES") or b"",
                tsf=bss.get_attr("NL80211_BSS_TSF") or 0,
                age_ms=bss.get_attr("NL80211_BSS_SEEN_MS_AGO") or 0,
                seen_at=now,
                noise=noise.get(bss.get_attr("NL80211_BSS_FREQUENCY") or 0),
            ))
        return entries

    async def _channel_noise(self) -> dict[int, int]:
        """Noise by frequency from the channel survey: the kernel's scan results carry none, and
        wpa_supplicant reads the survey for them too (BSS noise=, snr=)."""
        try:
            surveys = await self._request("GET_SURVEY", ("NL80211_ATTR_IFINDEX", self.ifindex), dump=True)
        except (NetlinkError, DriverError) as e:
            log.debug("no channel survey: %s", e)
            return {}
        from . import nl80211_info

        return nl80211_info.survey_noises(m.get_attr("NL80211_ATTR_SURVEY_INFO") or b"" for m in surveys)

    # -- association -----------------------------------------------------------------------------------

    async def associate(self, bssid: bytes, ssid: bytes, freq: int, extra_ies: bytes = b"",
                        crypto: LinkCrypto | None = None, privacy: bool = False,
                        prev_bssid: bytes | None = None, on_authenticated: Callable[[], None] | None = None) -> None:
        attrs: list[tuple[str, object]] = [
            ("NL80211_ATTR_IFINDEX", self.ifindex),
            ("NL80211_ATTR_MAC", bssid),
            ("NL80211_ATTR_SSID", ssid),
            ("NL80211_ATTR_WIPHY_FREQ", freq),
            ("NL80211_ATTR_AUTH_TYPE", 0),  # open system
        ]
        if extra_ies:
            attrs.append(("NL80211_ATTR_IE", extra_ies))
        if prev_bssid is not None:
            # cfg80211 takes a CONNECT for the SSID it is connected to as a reassociation: it drops the link
            # (mac80211 as it authenticates with the new BSS, no frame to the old one) and says no DISCONNECT
            attrs.append(("NL80211_ATTR_PREV_BSSID", prev_bssid))
        if privacy or crypto is not None:
            # cfg80211 only looks at BSSes whose Privacy bit matches: a WPS run to a WPA2 AP sets it too
            attrs.append(("NL80211_ATTR_PRIVACY", True))
        if crypto is not None:
            attrs += [
                ("NL80211_ATTR_WPA_VERSIONS", crypto.wpa_versions),
                ("NL80211_ATTR_CIPHER_SUITES_PAIRWISE", _u32_array((crypto.pairwise,))),
                ("NL80211_ATTR_CIPHER_SUITE_GROUP", crypto.group),
                ("NL80211_ATTR_AKM_SUITES", _u32_array((crypto.akm,))),
                ("NL80211_ATTR_CONTROL_PORT", True),  # data frames wait until we authorize the port
            ]
            # as wpa_supplicant's driver: "optional" only to a driver that says it takes it
            if crypto.mfp == 2:
                attrs.append(("NL80211_ATTR_USE_MFP", MFP_REQUIRED))
            elif crypto.mfp == 1 and self._mfp_optional:
                attrs.append(("NL80211_ATTR_USE_MFP", MFP_OPTIONAL))
        loop = asyncio.get_running_loop()
        self._connect_done = loop.create_future()
        self._auth_answer, self._on_authenticated = None, on_authenticated
        try:
            await self._request("CONNECT", *attrs)
            status = await asyncio.wait_for(self._connect_done, CONNECT_TIMEOUT)
        except NetlinkError as e:
            raise DriverError(f"association with {mac_str(bssid)} refused by the kernel: {e}") from None
        except asyncio.TimeoutError:
            await self.disconnect()
            raise DriverError(f"association with {mac_str(bssid)} timed out") from None
        finally:
            self._connect_done = self._on_authenticated = None
        answer, self._auth_answer = self._auth_answer, None
        if status != 0 and answer is not None and answer.status != 0:
            raise AuthenticationRejected(bssid, answer.auth_type, answer.transaction, answer.status, answer.ies)
        if status > 0:  # the AP's answer to the association request (a timeout is -1)
            raise AssociationRejected(bssid, status)
        if status != 0:
            raise DriverError(f"association with {mac_str(bssid)} failed (status {status})")
        if self.bssid != bssid:
            # its DISCONNECT event was read before this call resumed: the link is already gone (the connection
            # policy takes a disconnect while associating for the previous link's)
            raise DriverError(f"association with {mac_str(bssid)} lost at once")

    async def disconnect(self, reason: int = 3) -> None:
        try:
            await self._request("DISCONNECT", ("NL80211_ATTR_IFINDEX", self.ifindex),
                                ("NL80211_ATTR_REASON_CODE", reason))
        except NetlinkError as e:
            if e.code != errno.ENOTCONN:
                raise DriverError(f"disconnect failed: {e}") from None
        self.bssid = None

    async def send_action(self, bssid: bytes, body: bytes) -> None:
        """NL80211_CMD_FRAME on the link's channel; mac80211 protects a robust action frame (SA Query) with the
        link's keys. The first call registers for SA Query Responses, as wpa_supplicant does at its start."""
        await self._listen_for_sa_query_responses()
        header = struct.pack("<HH", FC_ACTION, 0) + bssid + self._addr + bssid + b"\0\0"
        try:
            await self._request("FRAME", ("NL80211_ATTR_IFINDEX", self.ifindex), ("NL80211_ATTR_FRAME", header + body))
        except NetlinkError as e:
            raise DriverError(f"sending an action frame failed: {e}") from None

    async def _listen_for_sa_query_responses(self) -> None:
        # Registered frames go to the socket that registered them, as unicast messages: a socket of their own,
        # so that the request socket only ever reads its answers.
        if self._frames is not None:
            return
        try:
            self._frames = await self._open_socket()
            await self._frames._do_request(request(
                "REGISTER_FRAME", ("NL80211_ATTR_IFINDEX", self.ifindex), ("NL80211_ATTR_FRAME_TYPE", FC_ACTION),
                ("NL80211_ATTR_FRAME_MATCH", bytes([SA_QUERY_CATEGORY, SA_QUERY_RESPONSE]))))
        except (NetlinkError, OSError) as e:
            if self._frames is not None:
                self._frames.close()
                self._frames = None
            raise DriverError(f"registering for SA Query Responses failed: {e}") from None
        # without it, an SA Query goes unanswered and the link is left: not fatal
        self._frame_reader = asyncio.get_running_loop().create_task(
            self._read(self._frames, self._on_frame_registered, "frame", fatal=False))

    def _on_frame_registered(self, msg: Nl80211Msg) -> None:
        frame = msg.get_attr("NL80211_ATTR_FRAME") if msg["cmd"] == CMD["FRAME"] else None
        if frame is not None and len(frame) > MGMT_HEADER_LEN and frame[0] == FC_ACTION:
            self._emit(ActionReceived(frame[10:16], frame[MGMT_HEADER_LEN:]))

    async def set_country(self, alpha2: str) -> None:
        """NL80211_CMD_REQ_SET_REG, as wpa_supplicant's driver_nl80211 sends it: the kernel checks the letters
        and applies the domain from its database on its own time."""
        if not (alpha2.isascii() and len(alpha2) == 2):
            raise DriverError(f"country {alpha2!r}: two ASCII letters expected")
        try:
            await self._request("REQ_SET_REG", ("NL80211_ATTR_REG_ALPHA2", alpha2))
        except NetlinkError as e:
            raise DriverError(f"the kernel refused country {alpha2}: {e}") from None

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        if self._eapol is None:
            raise DriverError("driver not started")
        self._eapol.send(dst, pdu)

    # -- keys ------------------------------------------------------------------------------------------

    async def install_pairwise_key(self, bssid: bytes, key: bytes, cipher: int) -> None:
        await self._new_key(("NL80211_ATTR_MAC", bssid), key=key, index=0, cipher=cipher, key_type=KEYTYPE_PAIRWISE)

    async def install_group_key(self, index: int, key: bytes, cipher: int, rsc: bytes) -> None:
        await self._new_key(None, key=key, index=index, cipher=cipher, key_type=KEYTYPE_GROUP, seq=rsc)

    async def _new_key(self, mac: tuple[str, object] | None, *, key: bytes, index: int, cipher: int,
                       key_type: int, seq: bytes | None = None) -> None:
        nested: list[tuple[str, object]] = [
            ("NL80211_KEY_DATA", key), ("NL80211_KEY_IDX", index), ("NL80211_KEY_CIPHER", cipher),
            ("NL80211_KEY_TYPE", key_type),
        ]
        if seq is not None:
            nested.append(("NL80211_KEY_SEQ", seq))
        attrs: list[tuple[str, object]] = [("NL80211_ATTR_IFINDEX", self.ifindex)]
        if mac is not None:
            attrs.append(mac)
        attrs.append(("NL80211_ATTR_KEY", {"attrs": nested}))
        try:
            await self._request("NEW_KEY", *attrs)
        except NetlinkError as e:
            raise DriverError(f"installing a key failed: {e}") from None

    async def authorize_port(self, bssid: bytes) -> None:
        flags = struct.pack("<II", 1 << STA_FLAG_AUTHORIZED, 1 << STA_FLAG_AUTHORIZED)
        try:
            await self._request("SET_STATION", ("NL80211_ATTR_IFINDEX", self.ifindex),
                                ("NL80211_ATTR_MAC", bssid), ("NL80211_ATTR_STA_FLAGS2", flags))
        except NetlinkError as e:
            raise DriverError(f"authorizing the port failed: {e}") from None

    # -- what the radio and the link look like (SIGNAL_POLL, PKTCNT_POLL, GET_CAPABILITY, DRIVER_FLAGS) ---------

    async def _station(self) -> StationStats:
        """Our AP's entry in the kernel's station table; not associated is an error, as for wpa_supplicant."""
        if self.bssid is None:
            raise DriverError("not associated")
        try:
            (reply,) = await self._request("GET_STATION", ("NL80211_ATTR_IFINDEX", self.ifindex),
                                           ("NL80211_ATTR_MAC", self.bssid))
        except (NetlinkError, ValueError) as e:
            raise DriverError(f"reading the station failed: {e}") from None
        from . import nl80211_info

        return nl80211_info.parse_station(reply.get_attr("NL80211_ATTR_STA_INFO") or b"")

    async def signal_info(self) -> SignalInfo:
        from . import nl80211_info
        from .radio import SignalInfo

        sta = await self._station()
        try:
            (iface,) = await self._request("GET_INTERFACE", ("NL80211_ATTR_IFINDEX", self.ifindex))
            surveys = await self._request("GET_SURVEY", ("NL80211_ATTR_IFINDEX", self.ifindex), dump=True)
        except (NetlinkError, ValueError) as e:
            raise DriverError(f"reading the channel failed: {e}") from None
        freq = iface.get_attr("NL80211_ATTR_WIPHY_FREQ") or 0
        width = iface.get_attr("NL80211_ATTR_CHANNEL_WIDTH")
        return SignalInfo(
            signal=sta.signal, tx_rate_mbps=sta.tx_bitrate * 100 // 1000,  # 100 kbit/s units, as wpa_supplicant
            noise=nl80211_info.survey_noises(m.get_attr("NL80211_ATTR_SURVEY_INFO") or b"" for m in surveys).get(freq),
            freq=freq, width=_width(width),
            center_freq1=iface.get_attr("NL80211_ATTR_CENTER_FREQ1") or 0,
            center_freq2=iface.get_attr("NL80211_ATTR_CENTER_FREQ2") or 0,
            avg_signal=sta.signal_avg, avg_beacon_signal=sta.beacon_signal_avg, tx_rate_kbps=sta.tx_bitrate * 100,
        )

    async def set_signal_monitor(self, threshold: int, hysteresis: int) -> None:
        cqm = {"attrs": [["NL80211_ATTR_CQM_RSSI_THOLD", threshold], ["NL80211_ATTR_CQM_RSSI_HYST", hysteresis]]}
        try:
            await self._request("SET_CQM", ("NL80211_ATTR_IFINDEX", self.ifindex), ("NL80211_ATTR_CQM", cqm))
        except NetlinkError as e:
            raise DriverError(f"the signal monitor was refused: {e}") from None

    async def packet_counters(self) -> PacketCounters:
        from .radio import PacketCounters

        sta = await self._station()
        return PacketCounters(tx_packets=sta.tx_packets, tx_failed=sta.tx_failed, rx_packets=sta.rx_packets)

    async def _wiphy(self) -> dict[int, list[bytes]]:
        """The wiphy of our interface as a split dump (the kernel's only way to send all of a modern wiphy),
        each attribute pywps reads with its payload in every message that carried it."""
        try:
            replies = await self._request("GET_WIPHY", ("NL80211_ATTR_IFINDEX", self.ifindex),
                                          ("NL80211_ATTR_SPLIT_WIPHY_DUMP", True), dump=True)
        except (NetlinkError, ValueError) as e:
            raise DriverError(f"reading the wiphy failed: {e}") from None
        from . import nl80211_info

        wiphy: dict[int, list[bytes]] = {}
        for reply in replies:
            for attr in nl80211_info.Attr:
                value = reply.get_attr(f"NL80211_ATTR_{attr.name}")
                if value is not None:
                    wiphy.setdefault(attr, []).append(value)
        from .radio import DriverFlag, DriverFlag2

        self._ciphers = nl80211_info.cipher_suites(wiphy)
        flags = nl80211_info.driver_flags(wiphy)
        self._sme = DriverFlag.SME in flags
        self._mfp_optional = DriverFlag.MFP_OPTIONAL in flags
        self._beacon_protection = (DriverFlag.BEACON_PROTECTION in flags
                                   or DriverFlag2.BEACON_PROTECTION_CLIENT in nl80211_info.driver_flags2(wiphy))
        return wiphy

    async def read_ciphers(self) -> None:
        if not self._ciphers:
            await self._wiphy()

    async def hw_modes(self) -> list[HwMode]:
        from . import nl80211_info

        return nl80211_info.hw_modes(await self._wiphy())

    async def driver_flags(self) -> DriverFlag:
        from . import nl80211_info

        return nl80211_info.driver_flags(await self._wiphy())

    async def driver_flags2(self) -> DriverFlag2:
        from . import nl80211_info

        return nl80211_info.driver_flags2(await self._wiphy())


def _width(value: int | None) -> ChannelWidth | None:
    """NL80211_ATTR_CHANNEL_WIDTH as pywps knows it; None when absent or newer than pywps (320 MHz, S1G)."""
    from .radio import ChannelWidth

    try:
        return ChannelWidth(value) if value is not None else None
    except ValueError:
        return None
