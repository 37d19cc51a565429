"""Control commands of the radio: scans and the BSS table (SCAN, SCAN_RESULTS, BSS with wpa_supplicant's texts,
BSS_FLUSH, BSS_EXPIRE_*, BSSID_IGNORE), and the link (DISCONNECT, RECONNECT, REASSOCIATE, REATTACH, AP_SCAN,
STA_AUTOCONNECT, FLUSH). On a wired link there is no radio: these answer as wpa_supplicant -Dwired answers."""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..cnumbers import c_atoi
from ..driver.base import WILDCARD_SSID, DriverError, mac_bytes, mac_str
from ..station.freqranges import channel_list
from ..station.types import ScanOptions
from .commands import BadArguments, CommandFailed, Handler, Reply, from_driver, ok
from .scan_texts import SCAN_RESULTS_HEADER, bss_text, scan_results_text

if TYPE_CHECKING:
    from ..driver.radio import HwMode
    from ..services import Services
    from ..station.station import Station

log = logging.getLogger("pywps.ctrl")

# -- handlers ----------------------------------------------------------------------------------------------


def cmd_scan(ctx: Services, raw: str | None) -> Reply:
    """Start a scan and reply at once (FAIL-BUSY when one is running; the scan's id for use_id=1), as
    wpa_supplicant does; a wired link has nothing to scan and answers as wpa_supplicant -Dwired does."""
    request = parse_scan_request(raw or "")
    station = ctx.station
    if station is None:
        if request.freq_ranges is not None:
            raise CommandFailed("no channels to scan on a wired link")  # wpa_supplicant has no hw modes there
        return f"{next_scan_id(ctx)}\n" if request.use_id else ok()
    refuse_while_disabled(ctx)  # FAIL, not FAIL-BUSY
    if station.scanning:
        return _scan_unless_running(ctx, station, request)
    if request.freq_ranges is not None:
        return _scan_channels(ctx, station, request)
    return _start(ctx, station, (), request)


async def _scan_unless_running(ctx: Services, station: Station, request: ScanRequest) -> str:
    """FAIL-BUSY once the kernel took the scan under way; a scan it refused is no scan (as wpa_supplicant
    sees it, having waited for the kernel's answer), so this one starts."""
    if await station.scan_running() or station.scanning:  # or another one started meanwhile
        return "FAIL-BUSY\n"
    if request.freq_ranges is not None:
        return await _scan_channels(ctx, station, request)
    return _start(ctx, station, (), request)


async def _scan_channels(ctx: Services, station: Station, request: ScanRequest) -> str:
    """SCAN freq=2412,5180-5240: the radio's enabled channels in those ranges (wpa_supplicant's
    freq_range_to_channel_list); FAIL when none is."""
    assert request.freq_ranges is not None
    try:
        modes = await station.read_radio_modes()
    except DriverError as e:
        raise CommandFailed(f"the radio's channels: {e}") from None
    freqs = channel_list(request.freq_ranges, modes)
    if not freqs:
        raise CommandFailed(f"no channel of the radio in freq={request.freq_ranges}")
    if station.scanning:  # one came while the channels were read
        return "FAIL-BUSY\n"
    return _start(ctx, station, freqs, request)


def _start(ctx: Services, station: Station, freqs: Sequence[int], request: ScanRequest) -> str:
    scan_id = next_scan_id(ctx) if request.use_id else None
    ssids = request.ssids + _scan_id_ssids(ctx, request.scan_ids)
    options = ScanOptions(ssids=ssids or (() if request.passive else (WILDCARD_SSID,)), bssid=request.bssid,
                          only_new=request.only_new, scan_id=scan_id, manual=True, select=not request.type_only)
    ctx.spawn(_scan(ctx, station.start_scan(freqs, options=options), options))  # busy from now on
    return ok() if scan_id is None else f"{scan_id}\n"


def next_scan_id(ctx: Services) -> int:
    ctx.scan_ids += 1
    return ctx.scan_ids


def _scan_id_ssids(ctx: Services, network_ids: Sequence[int]) -> tuple[bytes, ...]:
    """scan_id=: the SSIDs of those networks that have scan_ssid=1 (hidden ones), with the wildcard, as
    wpa_set_scan_ssids adds them."""
    ssids = []
    for network_id in network_ids:
        try:
            network = ctx.config.network(network_id)
        except KeyError:
            continue
        if network.hidden and network.ssid not in ssids:
            ssids.append(network.ssid)
    return (*ssids, WILDCARD_SSID) if ssids else ()


@dataclass(frozen=True)
class ScanRequest:
    """SCAN's arguments, read as wpa_supplicant's wpas_ctrl_scan reads them: each `key=` found anywhere, but
    TYPE=ONLY (results without a network selection) only first, in any case."""

    type_only: bool = False
    freq_ranges: str | None = None
    passive: bool = False
    use_id: bool = False
    only_new: bool = False
    bssid: bytes | None = None
    scan_ids: tuple[int, ...] = ()
    ssids: tuple[bytes, ...] = ()


MAX_SCAN_IDS = 16  # wpa_supplicant's MAX_SCAN_ID
MAX_SSID_LEN = 32


def parse_scan_request(text: str) -> ScanRequest:
    """BadArguments where wpa_supplicant answers FAIL: more than 16 scan_id= ids, a bssid= that is not a
    MAC address, an `ssid` that is not the hex of at most 32 bytes."""
    passive, use_id = _after(text, "passive="), _after(text, "use_id=")
    return ScanRequest(
        type_only=text[:9].upper() == "TYPE=ONLY",
        freq_ranges=_after(text, "freq="),
        passive=passive is not None and c_atoi(passive) != 0,
        use_id=use_id is not None and c_atoi(use_id) != 0,
        only_new="only_new=1" in text,
        bssid=_scan_bssid(_after(text, "bssid=")),
        scan_ids=_scan_ids(_after(text, "scan_id=")),
        ssids=_scan_ssids(text),
    )


def _after(text: str, key: str) -> str | None:
    """What follows the first `key` in `text` (wpa_supplicant's os_strstr of a parameter), or None."""
    at = text.find(key)
    return None if at < 0 else text[at + len(key):]


def _scan_bssid(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:  # hwaddr_aton: the address may have text after it
        return mac_bytes(text[:17])
    except ValueError:
        raise BadArguments(f"bssid={text[:17]!r} is not a MAC address") from None


def _scan_ids(text: str | None) -> tuple[int, ...]:
    """scan_id_list_parse: atoi of each comma-separated item, up to the first space."""
    ids: list[int] = []
    while text and text[0] != " ":
        if len(ids) == MAX_SCAN_IDS:
            raise BadArguments(f"more than {MAX_SCAN_IDS} scan_id= networks")
        ids.append(c_atoi(text))
        comma = text.find(",")
        text = text[comma + 1:] if comma >= 0 else ""
    return tuple(ids)


def _scan_ssids(text: str) -> tuple[bytes, ...]:
    """Each `ssid <hex>` among the space-separated words."""
    ssids = []
    words = text.split(" ")
    for word, value in zip(words, words[1:]):
        if word != "ssid":
            continue
        if len(value) % 2 or len(value) > 2 * MAX_SSID_LEN or not all(c in string.hexdigits for c in value):
            raise BadArguments(f"ssid {value[:70]!r} is not the hex of an SSID")
        ssids.append(bytes.fromhex(value))
    return tuple(ssids)


async def _scan(ctx: Services, scan: Coroutine[Any, Any, None], options: ScanOptions) -> None:
    try:
        await scan
    except DriverError as e:
        log.info("scan failed: %s", e)
        return
    if options.select and ctx.connector is not None:
        ctx.connector.manual_scan_done()  # wpa_supplicant chooses from its SCAN commands' results too


def cmd_abort_scan(ctx: Services, raw: str) -> Reply:
    """Abort our running scan, whose results still come (CTRL-EVENT-SCAN-RESULTS); FAIL with none running: as
    Debian wpa_supplicant 2.10 answers on a radio (tests/vm/guest/test_hwsim_ctrl_diff.py) and a wire."""
    if ctx.station is None or not ctx.station.scanning:
        raise CommandFailed("no scan pywps can abort")
    return from_driver(ctx.driver.abort_scan, ok)


def cmd_scan_results(ctx: Services, raw: str) -> Reply:
    if ctx.station is None:
        return SCAN_RESULTS_HEADER + "\n"
    return scan_results_text(ctx.station.table, ctx.driver.own_addr)


def cmd_bss(ctx: Services, raw: str) -> Reply:
    station, driver = ctx.station, ctx.driver
    if station is None:
        return ""

    def text(modes: list[HwMode]) -> str:
        return bss_text(station.table, raw, driver.own_addr, asyncio.get_running_loop().time(), modes)

    if station.radio_modes is not None:
        return text(station.radio_modes)

    async def first() -> str:
        try:
            modes = await station.read_radio_modes()
        except DriverError:
            modes = []  # est_throughput from the legacy rates alone, this time
        return text(modes)

    return first()


def _number(raw: str, low: int, high: int | None = None) -> int:
    try:
        value = int(raw.split()[0])
    except (ValueError, IndexError):
        raise BadArguments(f"not a number: {raw[:20]!r}") from None
    if value < low or (high is not None and value > high):
        raise CommandFailed(f"{value} out of range")
    return value


def cmd_bss_flush(ctx: Services, raw: str) -> Reply:
    age = max(0, c_atoi(raw))  # anything but a number is 0: flush all
    station = ctx.station
    if station is not None:
        station.flush_table(age, station.associated.bssid if station.associated is not None else None)
    return ok()


# BSS_EXPIRE_AGE / BSS_EXPIRE_COUNT set the globals bss_expiration_*, as wpa_supplicant does (GET, DUMP and
# SAVE_CONFIG see them); a handler's docstring would be its row in the README's command table.
def cmd_bss_expire_age(ctx: Services, raw: str) -> Reply:
    return _set_bss_expiration(ctx, "bss_expiration_age", _number(raw, 10))  # it refuses less than 10 s


def cmd_bss_expire_count(ctx: Services, raw: str) -> Reply:
    return _set_bss_expiration(ctx, "bss_expiration_scan_count", _number(raw, 1))


def _set_bss_expiration(ctx: Services, key: str, value: int) -> Reply:
    ctx.config.set(key, str(value))
    ctx.global_changed(key)
    return ok()


def cmd_scan_interval(ctx: Services, raw: str) -> Reply:
    seconds = c_atoi(raw)  # wpa_supplicant_update_scan_int(atoi()): only a negative one is refused
    if seconds < 0:
        raise CommandFailed(f"{seconds} out of range")
    if ctx.connector is not None:
        ctx.connector.policy.rescan_interval = float(seconds or 1)  # 0 would mean a tight loop
    return ok()


def cmd_autoscan(ctx: Services, raw: str) -> Reply:
    """AUTOSCAN <module>:<parameters> (`exponential:3:300`, `periodic:30`): the waits between scans while no
    network is found, begun again; `AUTOSCAN ` alone: none. Kept as `autoscan=`. OK even for a spec no module
    takes, as wpa_supplicant, which logs that and goes on without; FAIL for control characters, which the file
    could not hold (wpa_supplicant would write them into it)."""
    if raw:
        try:
            ctx.config.set("autoscan", raw)
        except ValueError as e:
            raise CommandFailed(f"autoscan: {e}") from None
    else:
        ctx.config.unset("autoscan")
    if ctx.connector is not None:
        ctx.connector.policy.autoscan_changed()
    return ok()


def cmd_bssid_ignore(ctx: Services, raw: str) -> Reply:
    """BSSID_IGNORE (BLACKLIST): list, add one BSSID, or `clear`. As in wpa_supplicant, an AP added is counted
    twice in its ignore list: not chosen for 10 s while another AP of the networks will do, nor for a WPS run."""
    ignored, now = ctx.ignored_bssids, asyncio.get_running_loop().time()
    if not raw:  # a prefix command: raw is what follows the name's letters, its space too
        return "".join(f"{mac_str(b)}\n" for b in ignored.listed(now))  # newest first, as wpa_supplicant
    arg = raw[1:]  # wpa_supplicant skips one character, whatever it is: `BSSID_IGNORE ` alone is FAIL
    if arg.startswith("clear"):
        ignored.clear()
        return ok()
    try:
        bssid = mac_bytes(arg[:17])  # hwaddr_aton reads 17 characters and ignores the rest
    except ValueError:
        raise BadArguments(f"not a BSSID: {arg[:20]!r}") from None
    ignored.add(bssid, now)
    ignored.add(bssid, now)  # "so its count will be 2, causing it to be skipped when processing scan results"
    return ok()


def cmd_ap_scan(ctx: Services, raw: str) -> Reply:
    ap_scan = c_atoi(raw)  # `AP_SCAN ` alone is 0
    if ap_scan not in (0, 1, 2):
        raise CommandFailed("AP_SCAN takes 0, 1 or 2")
    ctx.config.set("ap_scan", str(ap_scan))
    return ok()


def cmd_sta_autoconnect(ctx: Services, raw: str) -> Reply:
    enabled = c_atoi(raw) != 0
    if ctx.connector is not None:
        ctx.connector.policy.autoconnect = enabled
    return ok()


def cmd_disconnect(ctx: Services, raw: str) -> Reply:
    if ctx.connector is not None:
        ctx.connector.disconnect()
    elif ctx.wired_port is not None:
        ctx.wired_port.user_off = True
        ctx.wired_port.leave()
    return ok()


def refuse_while_disabled(ctx: Services) -> None:
    """SCAN, RECONNECT, REASSOCIATE and REATTACH are FAIL while the interface is disabled, as in wpa_supplicant."""
    if ctx.station is not None and not ctx.station.enabled:
        raise CommandFailed("the interface is disabled")


def cmd_reconnect(ctx: Services, raw: str) -> Reply:
    refuse_while_disabled(ctx)
    if ctx.connector is not None:
        ctx.connector.reconnect()
    elif ctx.wired_port is not None and ctx.wired_port.user_off:  # only after DISCONNECT, as on a radio
        ctx.wired_port.user_off = False
        ctx.join(asked=True)
    return ok()


def cmd_reassociate(ctx: Services, raw: str) -> Reply:
    refuse_while_disabled(ctx)
    if ctx.connector is not None:
        ctx.connector.reassociate()
    return ok()


def cmd_reattach(ctx: Services, raw: str) -> Reply:
    """REASSOCIATE whose scan, if one is needed, covers the link's channel alone: only when there is a link."""
    refuse_while_disabled(ctx)
    if ctx.connector is None or ctx.connector.joined is None:
        raise CommandFailed("not associated")
    ctx.connector.reassociate(reattach=True)
    return ok()


def cmd_signal_poll(ctx: Services, raw: str) -> Reply:
    """The link's signal, rate and channel from the kernel (station entry, interface, survey); FAIL when not
    associated and on a wire: as Debian wpa_supplicant 2.10 (tests/vm/guest/test_hwsim_ctrl_diff.py)."""
    if ctx.station is None:
        raise CommandFailed("no radio")  # wpa_supplicant -Dwired has no signal_poll either
    from .radio_texts import signal_poll_text

    return from_driver(ctx.driver.signal_info, signal_poll_text)


def cmd_pktcnt_poll(ctx: Services, raw: str) -> Reply:
    """The kernel's frame counters of the link to the AP; FAIL when not associated and on a wire: as Debian
    wpa_supplicant 2.10 (tests/vm/guest/test_hwsim_ctrl_diff.py)."""
    if ctx.station is None:
        raise CommandFailed("no radio")
    return from_driver(ctx.driver.packet_counters,
                       lambda c: f"TXGOOD={c.tx_packets}\nTXBAD={c.tx_failed}\nRXGOOD={c.rx_packets}\n")


def cmd_roam(ctx: Services, raw: str) -> Reply:
    """ROAM <BSSID>: reassociate with that BSS of the network the link is on (the BSS table's, with the
    network's SSID), as wpa_supplicant does, even with the BSS the link is with; FAIL without a link or such a
    BSS, and on a wire (tests/vm/guest/test_hwsim_roam.py compares both programs)."""
    try:
        bssid = mac_bytes(raw[:17])  # hwaddr_aton reads 17 characters and ignores the rest
    except ValueError:
        raise BadArguments(f"not a BSSID: {raw[:20]!r}") from None
    if ctx.connector is None or not ctx.connector.roam(bssid):
        raise CommandFailed(f"no link to roam from, or no BSS {mac_str(bssid)} of its network")
    return ok()


def cmd_signal_monitor(ctx: Services, raw: str) -> Reply:
    """SIGNAL_MONITOR THRESHOLD=<dBm> HYSTERESIS=<dB>: the kernel reports the link's signal crossing the
    threshold (CTRL-EVENT-SIGNAL-CHANGE); 0 turns it off. FAIL while background scans (bgscan=) hold the
    monitor, when the kernel refuses, and on a wire, as wpa_supplicant answers."""
    if ctx.station is None or ctx.connector is None:
        raise CommandFailed("no radio")
    if ctx.connector.policy.bgscan_active:
        raise CommandFailed("bgscan is active")

    def after(key: str) -> int:
        value = _after(raw, key)  # then atoi
        return 0 if value is None else c_atoi(value)

    threshold, hysteresis = after("THRESHOLD="), after("HYSTERESIS=")
    return from_driver(lambda: ctx.driver.set_signal_monitor(threshold, hysteresis), ok)


def cmd_unavailable(ctx: Services, raw: str) -> Reply:
    """Radio features pywps does not have, answered as wpa_supplicant answers when it cannot do them:
    MAC_RAND_SCAN, GET_PREF_FREQ_LIST, NEIGHBOR_REP_REQUEST."""
    raise CommandFailed("not available in pywps")


def cmd_radio_work(ctx: Services, raw: str) -> Reply:
    if raw.split()[:1] == ["show"]:
        return ""  # pywps queues no radio work
    raise CommandFailed("RADIO_WORK add/done: no radio work queue in pywps")


def cmd_erp_flush(ctx: Services, raw: str) -> Reply:
    return ok()  # no EAP re-authentication keys are ever kept


def cmd_bssid(ctx: Services, raw: str) -> Reply:
    """BSSID <network id> <bssid|00:00:00:00:00:00>: pin a network to one AP (or release it)."""
    words = raw.split()
    if len(words) != 2:
        raise BadArguments("BSSID <network id> <BSSID>")
    try:
        network = ctx.config.network(int(words[0]))
        value = "any" if mac_bytes(words[1]) == bytes(6) else words[1]
        network.set("bssid", value)
    except (ValueError, KeyError) as e:
        raise CommandFailed(f"BSSID: {e}") from None
    return ok()


def cmd_flush(ctx: Services, raw: str) -> Reply:
    """Back to a clean state, as wpa_supplicant's FLUSH: no WPS run, no networks, no BSS table, no ignore list;
    the permanent address again where the global mac_addr is 0 (a random one left by preassoc_mac_addr)."""
    ctx.wps.cancel()
    ctx.flush_networks()
    ctx.ignored_bssids.clear()
    if ctx.station is not None:
        ctx.station.flush_table(0)
        if ctx.station.addresses.changed and ctx.config.int_value("mac_addr") == 0:
            return _permanent_address_again(ctx.station)
    return ok()


async def _permanent_address_again(station: Station) -> str:
    try:
        await station.permanent_address_again()
    except DriverError as e:  # wpa_supplicant's FLUSH says OK all the same
        log.info("%s", e)
    return ok()


COMMANDS: dict[str, Handler] = {
    "SCAN": cmd_scan,
    "ABORT_SCAN": cmd_abort_scan,
    "SCAN_RESULTS": cmd_scan_results,
    "BSS": cmd_bss,
    "BSS_FLUSH": cmd_bss_flush,
    "BSS_EXPIRE_AGE": cmd_bss_expire_age,
    "BSS_EXPIRE_COUNT": cmd_bss_expire_count,
    "SCAN_INTERVAL": cmd_scan_interval,
    "AUTOSCAN": cmd_autoscan,
    "BSSID_IGNORE": cmd_bssid_ignore,
    "BLACKLIST": cmd_bssid_ignore,  # wpa_supplicant's older name, still answered
    "AP_SCAN": cmd_ap_scan,
    "STA_AUTOCONNECT": cmd_sta_autoconnect,
    "DISCONNECT": cmd_disconnect,
    "RECONNECT": cmd_reconnect,
    "REASSOCIATE": cmd_reassociate,
    "REATTACH": cmd_reattach,
    "SIGNAL_POLL": cmd_signal_poll,
    "PKTCNT_POLL": cmd_pktcnt_poll,
    "FLUSH": cmd_flush,
    "BSSID": cmd_bssid,
    "ROAM": cmd_roam,
    "SIGNAL_MONITOR": cmd_signal_monitor,
    "MAC_RAND_SCAN": cmd_unavailable,
    "GET_PREF_FREQ_LIST": cmd_unavailable,
    "NEIGHBOR_REP_REQUEST": cmd_unavailable,
    "RADIO_WORK": cmd_radio_work,
    "ERP_FLUSH": cmd_erp_flush,
}
