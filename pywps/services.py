"""The daemon's services as the control commands see them: the configuration, the station, the connector, WPS.

Each service owns its state; the command backends (pywps/ctrl/*_commands.py) are thin adapters onto these
methods. `Services` also owns the configuration's life: reading it again (SIGHUP, RECONFIGURE) and saving it
off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import config as configfile
from .config import Config, decode_string
from .driver.base import Driver, DriverError
from .link import EapolCounters
from .logs import set_timestamps, start_level
from .netblock import scan_freqs
from .station.ignorelist import IgnoreList
from .station.wired import WiredPort
from .wps.defs import WALK_TIME, AuthType, EncrType

if TYPE_CHECKING:
    from .er.service import ErService
    from .netevents import NetworkEvent, NetworkSelected
    from .station.connector import Connector
    from .station.station import Station
    from .wps.credential import Credential
    from .wps.device import DeviceInfo
    from .wpsservice import WpsService

log = logging.getLogger("pywps")


@dataclass
class Options:
    """What the command line sets for one daemon (wpa_supplicant's -i -D -c -C -K -P -d -q -t -W, and --pcap)."""

    ifname: str
    driver: str
    config_path: str | None  # None: -C without -c, no file (SAVE_CONFIG and RECONFIGURE fail, as wpa_supplicant's)
    ctrl_dir: str | None = None  # -C overrides ctrl_interface from the file
    log_keys: bool = False
    pcap_path: str | None = None
    pidfile: str | None = None
    walk_time: float = WALK_TIME
    debug: int = 0  # -d, -dd
    quiet: int = 0  # -q, -qq
    timestamps: bool = False  # -t
    wait_for_monitor: bool = False  # -W: no join, and no request but ATTACH, until a monitor attaches


class Services:
    def __init__(self, options: Options, config: Config, driver: Driver, publish: Callable[[object], None],
                 terminate: Callable[[], None]) -> None:
        self.options = options
        self.config = config
        self.driver = driver
        self.publish = publish
        self.terminate = terminate
        self._random_uuid: bytes | None = None  # auto_uuid=1
        self.station: Station | None = None  # a radio's, made by start()
        self.connector: Connector | None = None
        # wpa_supplicant -Dwired "associates" a selected network with the PAE group address at once
        self.wired_port = WiredPort(publish) if not driver.can_scan else None
        self._wps: WpsService | None = None
        self._save_lock = asyncio.Lock()
        # BSSID_IGNORE: a list of its own on a wire; on a radio start() puts the station's here (its AP choices
        # weigh it)
        self.ignored_bssids = IgnoreList()
        self.scan_ids = 0  # the last id a `SCAN use_id=1` got (wpa_supplicant's manual_scan_id)
        self.log_level = start_level(options.debug, options.quiet)[0]  # wpa_supplicant's name (LOG_LEVEL)
        self.log_timestamps = options.timestamps
        self._tasks: set[asyncio.Task] = set()
        self._er: ErService | None = None
        self.on_reloaded: Callable[[], None] | None = None  # the daemon's: the control socket follows the file

    async def start(self) -> None:
        """A radio's station and connector (a wired daemon never loads them). With a network enabled that the
        kernel's cached results have not seen lately, the station's first scan is asked for before the connector
        loads: the radio scans while the rest of the daemon (the connector's WPA machinery, the control socket)
        loads, and the connector takes that scan's results. Under emulation that load is seconds of a cold start."""
        # the regulatory domain before the first scan; a refusal ends the start, as in wpa_supplicant's set-up
        if (alpha2 := self.config.country()) is not None:
            await self.driver.set_country(alpha2)
        if not self.driver.can_scan:
            return
        from .station import station

        clock = asyncio.get_running_loop().time
        self.station = station.Station(self.driver, self.publish, self.device_info, clock, self._hidden_ssids,
                                       lambda: self.connector is not None and self.connector.policy.user_off,
                                       self._network_found, lambda: self._wps is not None and self._wps.run is not None,
                                       lambda: self.config.freq_list(),
                                       lambda: (self.config.int_value("preassoc_mac_addr"),
                                                self.config.int_value("rand_addr_lifetime")))
        self.global_changed("bss_expiration_age")  # the file's ageing of the BSS table
        self.ignored_bssids = self.station.ignored
        wanted = {network.ssid for network in self.config.networks if not network.disabled and "ssid" in network.fields}
        if wanted and not await self._recently_seen(wanted, clock()):
            self.spawn(self._first_scan(self.station.start_scan(scan_freqs(self.config.networks))))
            # the task's first step reaches the driver's trigger request and sends it (start_scan and the driver
            # await nothing before that); nothing here waits for the answer
            await asyncio.sleep(0)
        from .station import connector

        self.connector = connector.Connector(self.driver, self.station, lambda: self.config, self.publish)

    def _network_found(self) -> bool | None:
        if self.connector is None:
            return None
        return self.connector.policy.finds_a_network(asyncio.get_running_loop().time())

    def _hidden_ssids(self) -> list[bytes]:
        return [n.ssid for n in self.config.networks if not n.disabled and n.hidden and n.ssid]

    async def _recently_seen(self, ssids: set[bytes], now: float) -> bool:
        """Whether the kernel's cached results saw one of these SSIDs lately: the connector then joins from
        them without a scan (wpa_supplicant, which has no results of its own at start, always scans)."""
        assert self.station is not None
        return await self.station.take_kernel_cache() and self.station.table.seen_lately(ssids, now)

    @staticmethod
    async def _first_scan(scan: Coroutine[Any, Any, None]) -> None:
        try:
            await scan
        except DriverError as e:  # the connector scans again when it needs to
            log.debug("first scan failed: %s", e)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a command's background work (SCAN) in a task we hold and cancel on close."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:  # the daemon's edge: logged, never lost
            log.error("internal error in background work", exc_info=task.exception())

    @property
    def eapol_counters(self) -> EapolCounters:
        counters = getattr(self.driver, "counters", None)
        return counters if counters is not None else EapolCounters()

    def set_log_level(self, name: str, level: int, timestamps: bool) -> None:
        """LOG_LEVEL: the daemon's log threshold and timestamps, from now on."""
        self.log_level = name
        logging.getLogger().setLevel(level)
        if timestamps != self.log_timestamps:
            self.log_timestamps = timestamps
            set_timestamps(timestamps)

    # -- WPS runs, made on first use --------------------------------------------------------------------------

    @property
    def wps(self) -> WpsService:
        """Made by the first thing that needs it (a command, an EAPOL frame, a join of the wired port), not at
        start: the service and the runs' event vocabulary then load after the first PONG (the daemon's warm-up
        imports them), not before it."""
        if self._wps is None:
            from .wpsservice import WpsService

            self._wps = WpsService(self.driver, self.station, self.connector, self.device_info, lambda: self.config,
                                   self.save_config, self.publish, self.options.walk_time, self.wired_port,
                                   spawn=self.spawn)
        return self._wps

    # -- the External Registrar, made on the first WPS_ER_* command -----------------------------------------

    @property
    def er(self) -> ErService:
        if self._er is None:
            from .er import make_er_service  # pywps.er loads UPnP only on WPS_ER_START

            self._er = make_er_service(self.device_info, self._on_er_event, self.network_credential,
                                       ifname=self.options.ifname)
        return self._er

    def _on_er_event(self, event: object) -> None:
        self.publish(event)
        if type(event).__name__ == "ErCredentialReceived":
            self.spawn(self._store_er_credential(event.credential))  # type: ignore[attr-defined]

    async def _store_er_credential(self, credential: Credential) -> None:
        """WPS_ER_CONFIG's new settings become a stored network too, as wpa_supplicant stores them."""
        if self.config.wps_cred_processing not in (0, 2):
            return
        try:
            stored = self.config.store_credentials([credential])
        except configfile.CredentialRejected as e:
            log.warning("ER credential not stored: %s", e)
            return
        for event in stored.events:
            self.publish(event)
        if self.config.update_config:
            try:
                await self.save_config()
            except OSError as e:
                log.error("could not write %s: %s", self.options.config_path, e)

    def network_credential(self, network_id: int) -> Credential | None:
        """WPS_ER_SET_CONFIG: a stored network as the credential an AP would get, by wpa_supplicant's rules."""
        from .wps.credential import Credential  # loaded by then, with the ER

        try:
            network = self.config.network(network_id)
            ssid = network.ssid
        except (KeyError, ValueError):
            return None
        if not ssid:
            return None
        if "WPA-PSK" not in (network.value("key_mgmt") or "").split():
            return Credential(ssid, AuthType.OPEN, EncrType.NONE)
        psk = network.fields.get("psk", "")
        key = decode_string(psk) if psk.startswith('"') else psk.encode("ascii")
        auth = AuthType.WPA2PSK if "RSN" in (network.value("proto") or "").split() else AuthType.WPAPSK
        encr = EncrType.AES if "CCMP" in (network.value("pairwise") or "").split() else EncrType.TKIP
        return Credential(ssid, auth, encr, key)

    # -- identity ----------------------------------------------------------------------------------------

    @property
    def uuid(self) -> bytes:
        """The configured UUID; else with auto_uuid=1 a random one, made once and kept for the process's life
        (wpa_supplicant's uuid_random); else the one hostap derives from the MAC address."""
        if self.config.uuid:
            return self.config.uuid
        if self.config.auto_uuid:
            if self._random_uuid is None:
                raw = bytearray(os.urandom(16))
                raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
                raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
                self._random_uuid = bytes(raw)
            return self._random_uuid
        return configfile.uuid_from_mac(self.driver.permanent_addr)  # not mac_addr's random one

    def device_info(self) -> DeviceInfo:
        # for a WPS run, the ER or a radio's probe requests, not for a start
        from .wps.device import DeviceInfo

        d = self.config.device
        return DeviceInfo(
            uuid=self.uuid, mac_address=self.driver.own_addr, device_name=d.device_name,
            manufacturer=d.manufacturer, model_name=d.model_name, model_number=d.model_number,
            serial_number=d.serial_number, primary_device_type=d.device_type, os_version=d.os_version,
            config_methods=d.config_methods,
        )

    # -- the configuration's life ----------------------------------------------------------------------------

    @property
    def credential_saving(self) -> asyncio.Task | None:
        """A received credential's save, while it is written (the run's events wait for it)."""
        return self._wps.saving if self._wps is not None else None

    async def reload(self, signalled: bool = False) -> None:
        """Read the file again (RECONFIGURE; SIGHUP: `signalled`); ConfigFileError keeps the old configuration,
        and a file that cannot be read is told to monitors as wpa_supplicant tells it. The file's networks are
        numbered afresh, as wpa_supplicant does, so nothing may keep an old id: a WPS run ends.
        The saves asked for first are written first, a credential's too: wpa_supplicant writes before it reads
        another request, so its reload reads what they wrote (reading the file in the middle of a save here lost
        the stored credential from the list, and the run's WPS-SUCCESS with the run)."""
        while True:
            async with self._save_lock:  # FIFO: a SAVE_CONFIG asked for before is done
                saving = self.credential_saving
                if saving is None:  # nothing stored waits for its write: read now, without a pause
                    self._read_again(signalled)
                    return
            await asyncio.wait([saving])  # its held events (WPS-SUCCESS) are told before it is done

    def _read_again(self, signalled: bool) -> None:
        path = self.options.config_path
        if path is None:
            raise configfile.ConfigFileError("-C", 0, "no configuration file to read")
        try:
            config = configfile.load(path)
        except configfile.ConfigFileError:
            from .events import ConfigUnreadable

            self.publish(ConfigUnreadable(path, "keeping the old configuration" if signalled else "exiting"))
            raise
        self.config = config
        log.info("configuration re-read from %s", path)
        for key in ("country", "bss_expiration_age"):  # the country asked again, as wpa_supplicant's reload does
            self.global_changed(key)
        if self._wps is not None:
            self._wps.networks_replaced()
        if self.connector is not None:
            self.connector.networks_renumbered()
        elif self.wired_port is not None:  # deauthenticated, then associated again as wpa_supplicant's ap_scan=0
            self.wired_port.leave()
            self.wired_port.rejoin(self.config.networks)
        if self.on_reloaded is not None:
            self.on_reloaded()

    def global_changed(self, key: str) -> None:
        """SET, BSS_EXPIRE_* or a reload changed a global: the kernel's regulatory domain follows `country` (a
        refusal is logged, the setting stays: wpa_supplicant answers SET with OK all the same), the BSS table's
        ageing the bss_expiration keys."""
        if key == "country" and (alpha2 := self.config.country()) is not None:
            self.spawn(self._set_country(alpha2))
        elif key in ("bss_expiration_age", "bss_expiration_scan_count") and self.station is not None:
            self.station.table.expiration_age = float(self.config.get("bss_expiration_age"))
            self.station.table.expiration_scans = int(self.config.get("bss_expiration_scan_count"))

    async def _set_country(self, alpha2: str) -> None:
        try:
            await self.driver.set_country(alpha2)
        except DriverError as e:
            log.error("failed to set country code %r: %s", alpha2, e)

    async def save_config(self) -> None:
        """Write the file atomically, off the event loop (fsync can take long); OSError when it cannot."""
        path = self.options.config_path
        if path is None:
            raise OSError("no configuration file for writing (started with -C alone)")
        async with self._save_lock:
            text = self.config.serialize()  # on the loop: nobody changes the config while it is read
            await asyncio.to_thread(configfile.write_atomically, path, text)

    def join(self, asked: bool = False) -> None:
        """Join the best stored network, as wpa_supplicant does at start and after a change of networks
        (`asked`: a client asked to connect, ENABLE_NETWORK, SELECT_NETWORK or RECONNECT)."""
        if self.connector is not None:
            self.connector.kick()
        elif self.wired_port is not None and not self.wps.command_running:  # a configured network's run may change
            self.wired_port.rejoin(self.config.networks, asked)

    def networks_changed(self, event: NetworkEvent) -> None:
        """A network command (or a stored credential) changed the networks: tell monitors, and let the
        connector choose again where its choice may have changed."""
        # the caller made the event, so its module is loaded by now; the daemon's start path goes without it
        from .netevents import (
            NetworkChanged,
            NetworkDisabled,
            NetworkEnabled,
            NetworkRemoved,
            NetworkSelected,
        )

        self.publish(event)
        if isinstance(event, NetworkEnabled) and not event.connect:
            return  # ENABLE_NETWORK <id> no-connect
        connector = self.connector
        if connector is None:
            if isinstance(event, NetworkSelected) and self.wired_port is not None:
                self.wired_port.user_off = False
            # as the connector: adding a network (it starts disabled) or setting a field chooses nothing again;
            # wpa_supplicant with ap_scan=0 does not associate on SET_NETWORK either. Finding nothing to join
            # shows INACTIVE after a command that looks for a network: one that enables or selects, and one that
            # removes the current network or disables it with `all` (not DISABLE_NETWORK <id>: DISCONNECTED)
            if isinstance(event, NetworkSelected | NetworkEnabled | NetworkRemoved | NetworkDisabled):
                dropped = self.wired_port is not None and self.wired_port.network_id is not None and (
                    isinstance(event, NetworkRemoved) or isinstance(event, NetworkDisabled) and event.every)
                self.join(asked=isinstance(event, NetworkSelected | NetworkEnabled) or dropped)
            return
        current = self.current_network_id()
        if isinstance(event, NetworkSelected):
            self._select(connector, event)
        elif isinstance(event, NetworkRemoved) and event.id == current:
            connector.restart()
        elif isinstance(event, NetworkDisabled) and current in event.ids:
            connector.restart()
        elif isinstance(event, NetworkEnabled):
            connector.enable(event.were_disabled)
        elif isinstance(event, NetworkChanged) and event.field == "bgscan" and event.id == current:
            connector.bgscan_changed()

    def _select(self, connector: Connector, event: NetworkSelected) -> None:
        """SELECT_NETWORK for the connector; `freq=` names the next scan's channels among the radio's, whose
        modes the warm-up has read by now (else they are read first)."""
        from .station.freqranges import channel_list

        station = self.station
        if event.freq_ranges is None or station is None:
            connector.select(event.id)
        elif station.radio_modes is not None:
            connector.select(event.id, channel_list(event.freq_ranges, station.radio_modes))
        else:
            async def with_modes() -> None:
                try:
                    modes = await station.read_radio_modes()
                except DriverError as e:
                    log.debug("the radio's channels for SELECT_NETWORK freq=: %s", e)
                    modes = []
                connector.select(event.id, channel_list(event.freq_ranges, modes))

            self.spawn(with_modes())

    def flush_networks(self) -> None:
        """FLUSH: every network removed, each with its event."""
        from .netevents import NetworkRemoved  # loaded with the FLUSH command's backend

        for network in list(self.config.networks):
            self.config.remove_network(network.id)
            self.networks_changed(NetworkRemoved(network.id))

    def current_network_id(self) -> int | None:
        """The network being joined or held (LIST_NETWORKS marks it [CURRENT]): the WPS run's own while one
        runs on a wire or is associated on a radio, as in wpa_supplicant."""
        if self.wired_port is not None:
            return self.wired_port.network_id
        joined = self.connector.joined if self.connector is not None else None
        if joined is not None:
            return joined[0]
        if self.station is not None and self.station.associated is not None and self.wps.run is not None:
            return self.wps.network_id  # associated for WPS: the run's network, as wpa_supplicant marks it
        return None

    def network_temp_disabled(self, network_id: int) -> bool:
        if self.connector is None:
            return False
        try:
            ssid = self.config.network(network_id).ssid
        except (KeyError, ValueError):
            return False
        return self.connector.policy.backoffs.disabled(ssid, asyncio.get_running_loop().time())

    async def close(self) -> None:
        """Stop as wpa_supplicant's interface deinit does, which monitors hear before CTRL-EVENT-TERMINATING:
        the run stops and the link is left (CTRL-EVENT-DISCONNECTED when associated), then every network in the
        list goes, each with CTRL-EVENT-NETWORK-REMOVED in the list's order (the run's own network among them),
        and every BSS leaves the table (CTRL-EVENT-BSS-REMOVED). The networks are only said to go: nothing is
        saved after this, and the process ends."""
        for task in list(self._tasks):
            task.cancel()
        if self._er is not None and self._er.running:
            await self._er.stop()
        if self._wps is not None:
            await self._wps.close()
        if self.connector is not None:
            await self.connector.close()
        if self.wired_port is not None:
            self.wired_port.leave()
        if self.config.networks:
            from .netevents import NetworkRemoved

            for network in self.config.networks:
                self.publish(NetworkRemoved(network.id))
        if self.station is not None:
            self.station.close()
            self.station.flush_table(0)
