"""The daemon: one asyncio loop wiring driver <-> WPS runs <-> control socket <-> config file.

`Daemon` is also the control interface's backend: each control command lands on one of its methods, and
everything the daemon wants monitors to know goes out through `_event()`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from dataclasses import dataclass

from . import config as configfile
from .bss import SCAN_RESULTS_HEADER
from .ctrl import events as ev
from .ctrl.commands import CommandFailed
from .driver.base import Driver, DriverError, LinkEvent, mac_bytes, mac_str
from .wps.credential import Credential
from .wps.defs import WALK_TIME, AuthType, ConfigError, EncrType, MsgType
from .wps.device import DeviceInfo
from .wps.eap import EapFailureReceived, EapMethodProposed, EapStarted
from .wps.events import CredentialReceived, Failure, M2DReceived, Success, WpsEvent
from .wps.pin import PinError, generate_pin, has_valid_checksum, normalize_pin
from .pinguard import PinAttemptGuard
from .connection import Connector, LinkState
from .station import Busy, Station
from .wpsrun import PbcOverlapDetected, RunEnded, RunKind, RunLink, RunRequest, RunTimedOut, WpsRun

log = logging.getLogger("pywps")

EAPOL_KEY = 3  # EAPOL packet type of the WPA key handshakes; WPS runs get the EAP packets
LEVEL_INFO = 2
LEVEL_WARNING = 3

AUTH_NAMES = {"OPEN": AuthType.OPEN, "WPAPSK": AuthType.WPAPSK, "WPA2PSK": AuthType.WPA2PSK,
              "SHARED": AuthType.SHARED, "WPA": AuthType.WPA, "WPA2": AuthType.WPA2}
ENCR_NAMES = {"NONE": EncrType.NONE, "WEP": EncrType.WEP, "TKIP": EncrType.TKIP, "CCMP": EncrType.AES}


@dataclass
class Options:
    ifname: str
    driver: str
    config_path: str
    ctrl_dir: str | None = None  # -C overrides ctrl_interface from the file
    log_keys: bool = False
    pcap_path: str | None = None
    pidfile: str | None = None
    walk_time: float = WALK_TIME


def make_driver(name: str, ifname: str) -> Driver:
    if name == "wired":
        from .driver.wired import WiredDriver

        return WiredDriver(ifname)
    if name == "nl80211":
        from .driver.nl80211 import Nl80211Driver

        return Nl80211Driver(ifname)
    raise DriverError(f"unknown driver {name!r} (use wired or nl80211)")


def sd_notify(message: str) -> None:
    """Tell systemd (Type=notify) about our state; a no-op outside systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), address)
    except OSError as e:
        log.warning("sd_notify failed: %s", e)


class Daemon:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.config = configfile.load(options.config_path)  # raises ConfigError: the caller exits non-zero
        self.driver = make_driver(options.driver, options.ifname)
        self.run: WpsRun | None = None
        self.pin_guard = PinAttemptGuard()
        self._refused = False  # the current run's credential could not be stored
        self.last_outcome = "none"
        self.ctrl = None
        self.pcap = None
        self.station: Station | None = None  # scanning and AP choice, on drivers that can scan
        self.connector: Connector | None = None  # joins stored networks (WPA2/WPA-PSK), on the same drivers
        self._tasks: set[asyncio.Task] = set()
        self._stopped = asyncio.Event()

    # -- lifecycle -------------------------------------------------------------------------------------

    async def serve(self) -> None:
        from .ctrl.server import CtrlServer
        from .ctrl.commands import CommandTable

        if self.options.pcap_path:
            from .pcap import PcapRecorder  # scapy stays off the start path unless asked for

            self.pcap = PcapRecorder(self.options.pcap_path)
        self.driver.on_eapol = self._on_eapol
        self.driver.on_link_event = self._on_link_event
        await self.driver.start()
        if self.driver.can_scan:
            loop = asyncio.get_running_loop()
            self.station = Station(self.driver, self._event, self.device_info, loop.time)
            self.connector = Connector(self.driver, self.station, lambda: self.config, self._event)
        ctrl_dir = self.options.ctrl_dir or self.config.ctrl_dir or "/run/pywps"
        group = None if self.options.ctrl_dir else self.config.ctrl_group
        self.ctrl = CtrlServer(os.path.join(ctrl_dir, self.options.ifname), group, CommandTable(self).dispatch)
        await self.ctrl.start()
        self._write_pidfile()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._stopped.set)
        loop.add_signal_handler(signal.SIGINT, self._stopped.set)
        loop.add_signal_handler(signal.SIGHUP, self._reload)
        log.info("pywps on %s (%s driver), address %s, control socket %s", self.options.ifname,
                 self.options.driver, mac_str(self.driver.own_addr), os.path.join(ctrl_dir, self.options.ifname))
        sd_notify("READY=1")
        if self.connector is not None:
            self.connector.kick()  # join the best stored network, as wpa_supplicant does at start
        try:
            await self._stopped.wait()
        finally:
            sd_notify("STOPPING=1")
            await self.close()

    async def close(self) -> None:
        if self.run is not None:
            self.run.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self.connector is not None:
            await self.connector.stop()
        if self.station is not None:
            await self.station.detach()
        if self.ctrl is not None:
            await self.ctrl.close()
        await self.driver.stop()
        if self.pcap is not None:
            self.pcap.close()
        if self.options.pidfile:
            try:
                os.unlink(self.options.pidfile)
            except FileNotFoundError:
                pass

    def _write_pidfile(self) -> None:
        if self.options.pidfile:
            with open(self.options.pidfile, "w") as f:
                f.write(f"{os.getpid()}\n")

    def _reload(self) -> None:
        try:
            self.config = configfile.load(self.options.config_path)
            log.info("configuration re-read from %s", self.options.config_path)
        except configfile.ConfigError as e:
            log.error("keeping the old configuration: %s", e)

    # -- identity --------------------------------------------------------------------------------------

    @property
    def uuid(self) -> bytes:
        return self.config.uuid or configfile.uuid_from_mac(self.driver.own_addr)

    def device_info(self) -> DeviceInfo:
        d = self.config.device
        return DeviceInfo(
            uuid=self.uuid, mac_address=self.driver.own_addr, device_name=d.device_name,
            manufacturer=d.manufacturer, model_name=d.model_name, model_number=d.model_number,
            serial_number=d.serial_number, primary_device_type=d.device_type, os_version=d.os_version,
            config_methods=d.config_methods,
        )

    # -- frames and link events ---------------------------------------------------------------------------

    def _on_eapol(self, src: bytes, pdu: bytes) -> None:
        if self.pcap is not None:
            self.pcap.record("rx", src, self.driver.own_addr, pdu)
        if self.pin_guard.blocked_for(src, asyncio.get_running_loop().time()) > 0:
            log.debug("ignoring %s: backing off after repeated PIN failures", mac_str(src))
            return
        if self.connector is not None and len(pdu) > 1 and pdu[1] == EAPOL_KEY:
            self.connector.on_eapol_key(src, pdu)
            return
        if self.run is not None:
            try:
                self.run.on_eapol(src, pdu)
            except Exception:  # the daemon's edge: one bad frame must not take the daemon down
                log.exception("internal error on an EAPOL frame from %s; frame dropped", mac_str(src))

    def _on_link_event(self, event: LinkEvent) -> None:
        if event.kind == "scan-started":
            self._event(ev.SCAN_STARTED)
        elif event.kind == "disconnected":
            if self.station is not None:
                self.station.associated = None
            if self.connector is not None:
                self.connector.on_disconnected(event.locally_generated)
            self._event(ev.disconnected(mac_str(event.bssid or bytes(6)), event.reason, event.locally_generated))
        elif event.kind == "driver-failed":
            log.error("the %s driver failed on %s: %s", self.driver.name, self.options.ifname, event.extra.get("error"))

    def _spawn(self, coro) -> asyncio.Task:
        """A background task the daemon keeps a reference to (and cancels on exit)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _event(self, text: str, level: int = LEVEL_INFO) -> None:
        log.info("event: %s", text if self.options.log_keys or not text.startswith("WPS-CRED-RECEIVED") else "WPS-CRED-RECEIVED <credential>")
        if self.ctrl is not None:
            self.ctrl.publish(level, text)

    # -- WPS runs -------------------------------------------------------------------------------------------

    def _start_run(self, request: RunRequest) -> WpsRun:
        if self.run is not None:
            self.run.cancel()  # a new WPS command replaces the run in progress, as in wpa_supplicant
        link = None
        if self.station is not None:
            link = RunLink(self.station.attach, self.station.detach)
        if self.connector is not None:
            # WPS needs the radio: leave the current network until the run is over (wpa_supplicant does too)
            self.connector.user_disconnected = True
            self._spawn(self.connector.disconnect())
        run = WpsRun(request, self.device_info(), _RecordingDriver(self), self._on_run_event, self.options.walk_time,
                     link=link)
        self.run = run
        self._refused = False
        if request.kind is RunKind.PBC:
            self._event(ev.WPS_PBC_ACTIVE)
        elif request.kind is RunKind.PIN:
            self._event(ev.WPS_PIN_ACTIVE)
        run.start()
        return run

    def _on_run_event(self, event: WpsEvent, run: WpsRun) -> None:
        if run is not self.run:
            return
        if isinstance(event, EapStarted):
            self._event(ev.EAP_STARTED)
        elif isinstance(event, EapMethodProposed):
            self._event(ev.EAP_PROPOSED_WSC)
        elif isinstance(event, CredentialReceived):
            self._on_credential(event.credential)
        elif isinstance(event, M2DReceived):
            self._event(ev.wps_m2d(int(event.dev_password_id), int(event.config_error)))
        elif isinstance(event, Success) and self._refused:
            self.last_outcome = "failure"
        elif isinstance(event, Success):
            self.last_outcome = "success"
            if run.authenticator is not None:
                self.pin_guard.record_success(run.authenticator)
            self._event(ev.WPS_SUCCESS)
        elif isinstance(event, Failure):
            self.last_outcome = "failure"
            log.info("WPS run failed: %s", event.description)
            self._event(ev.wps_fail(int(event.msg), int(event.config_error), int(event.reason)))
            self._count_pin_failure(event, run)
        elif isinstance(event, EapFailureReceived):
            self._event(ev.EAP_FAILURE)
        elif isinstance(event, PbcOverlapDetected):
            self.last_outcome = "failure"
            self._event(ev.WPS_OVERLAP_DETECTED + "PBC session overlap")
        elif isinstance(event, RunTimedOut):
            self.last_outcome = "timeout"
            self._event(ev.WPS_TIMEOUT)
        elif isinstance(event, RunEnded):
            self.run = None
            if self.connector is not None:
                self._spawn(self._rejoin())

    async def _rejoin(self) -> None:
        """After a WPS run: leave its association first, then join the network just stored (or the old one)."""
        await self.station.detach()
        self.connector.reconnect()

    def _count_pin_failure(self, event: Failure, run: WpsRun) -> None:
        """A registrar that failed to prove our PIN (M4/M6) may be guessing it: back off past a threshold."""
        if run.request.kind is not RunKind.PIN or event.config_error != ConfigError.DEV_PASSWORD_AUTH_FAILURE:
            return
        if event.msg not in (MsgType.M4, MsgType.M6) or run.authenticator is None:
            return  # not our PIN that was tested (a NACK from the registrar about its own check)
        delay = self.pin_guard.record_failure(run.authenticator, asyncio.get_running_loop().time())
        if delay:
            log.warning("registrar %s failed the PIN proof %d times: possible brute force; ignoring it for %d s",
                        mac_str(run.authenticator), self.pin_guard.failures(run.authenticator), delay)

    def _on_credential(self, cred: Credential) -> None:
        processing = self.config.wps_cred_processing
        if processing in (1, 2):
            self._event(ev.wps_cred_received(cred.raw))
        if processing in (0, 2):
            try:
                network_id = self.config.add_credential(cred)
            except configfile.CredentialRejected as e:  # one the config file cannot hold safely
                log.warning("credential refused: %s", e)
                self._event(ev.wps_fail(int(MsgType.M8), 0, 0))
                self._refused = True  # the run's WPS-SUCCESS would be a lie now
                return
            log.info("stored network %d for SSID %r", network_id, cred.ssid)
            if self.config.update_config:
                try:
                    self.config.save()
                except OSError as e:
                    log.error("could not write %s: %s", self.options.config_path, e)

    # -- control commands (the ctrl backend) ------------------------------------------------------------------

    def ping(self) -> str:
        return "PONG"

    def status(self) -> dict[str, str]:
        run = self.run
        state = "SCANNING" if run is not None and run.active else "DISCONNECTED"
        if run is not None and run.peer is not None and run.peer.started and not run.peer.finished:
            state = "ASSOCIATED"  # the port is up and EAP is running
        info: dict[str, str] = {}
        bss = self.station.associated if self.station is not None else None
        if self.connector is not None and self.connector.state is not LinkState.DISCONNECTED:
            conn = self.connector.status()
            state = conn.pop("wpa_state")
            info.update(conn)
        elif bss is not None:
            state = "ASSOCIATED"
            info.update(bss.status_fields())
        info.update(wpa_state=state, address=mac_str(self.driver.own_addr), uuid=_uuid_text(self.uuid))
        if run is not None and run.active:
            info["wps_state"] = {RunKind.PIN: "PIN_ACTIVE", RunKind.PBC: "PBC_ACTIVE", RunKind.REG: "REG_ACTIVE"}[run.request.kind]
            info["wps_remaining"] = str(int(run.remaining()))
            if run.authenticator:
                info["bssid"] = mac_str(run.authenticator)
        else:
            info["wps_state"] = "IDLE"
        info["wps_last_result"] = self.last_outcome
        return info

    def check_pin(self, pin: str) -> str:
        cleaned = pin.replace(" ", "").replace("-", "")
        if not cleaned.isdigit() or len(cleaned) not in (4, 8):
            raise CommandFailed("PIN must be 4 or 8 digits")
        if len(cleaned) == 8 and not has_valid_checksum(cleaned):
            return "FAIL-CHECKSUM\n"
        return cleaned

    def generate_pin(self) -> str:
        return generate_pin()

    def wps_pin(self, bssid: str | None, pin: str | None) -> str:
        target = self._bssid(bssid)
        if pin is None:
            pin = generate_pin()
        else:
            try:
                pin = normalize_pin(pin, require_checksum=False)
            except PinError as e:
                raise CommandFailed(str(e)) from None
        self._start_run(RunRequest(RunKind.PIN, target, pin))
        return pin

    def wps_pbc(self, bssid: str | None) -> None:
        self._start_run(RunRequest(RunKind.PBC, self._bssid(bssid)))

    def wps_reg(self, bssid: str, pin: str, ssid_hex: str | None = None, auth: str | None = None,
                encr: str | None = None, key_hex: str | None = None) -> None:
        target = self._bssid(bssid)
        if target is None:
            raise CommandFailed("WPS_REG needs the AP's BSSID")
        try:
            pin = normalize_pin(pin, require_checksum=False)
        except PinError as e:
            raise CommandFailed(str(e)) from None
        new = None
        if ssid_hex is not None:
            try:
                new = Credential(bytes.fromhex(ssid_hex), AUTH_NAMES[auth.upper()], ENCR_NAMES[encr.upper()],
                                 bytes.fromhex(key_hex or ""))
                new.validate()
            except (KeyError, ValueError, AttributeError) as e:
                raise CommandFailed(f"bad new AP settings: {e}") from None
        self._start_run(RunRequest(RunKind.REG, target, pin, new))

    def wps_cancel(self) -> None:
        if self.run is None:
            raise CommandFailed("no WPS run in progress")
        self.run.cancel()
        self.run = None
        self._event(ev.WPS_CANCEL)

    def list_networks(self) -> list[tuple[int, str, str, str]]:
        return [(i, n.ssid_text(), n.bssid_text(), n.flags_text()) for i, n in enumerate(self.config.networks)]

    def save_config(self) -> None:
        if not self.config.update_config:
            raise CommandFailed("update_config=0: not writing the configuration")
        try:
            self.config.save()
        except OSError as e:
            raise CommandFailed(str(e)) from None

    def reconfigure(self) -> None:
        try:
            self.config = configfile.load(self.options.config_path)
        except configfile.ConfigError as e:
            raise CommandFailed(str(e)) from None

    def get(self, key: str) -> str:
        try:
            return self.config.get(key)
        except KeyError:
            raise CommandFailed(f"unknown key {key}") from None

    def set(self, key: str, value: str) -> None:
        try:
            self.config.set(key, value)
        except (KeyError, ValueError) as e:
            raise CommandFailed(str(e)) from None

    # -- network selection (DISCONNECT, RECONNECT, SELECT/ENABLE/DISABLE/REMOVE_NETWORK) -----------------------

    def _connector(self) -> Connector:
        if self.connector is None:
            raise CommandFailed(f"the {self.driver.name} driver does not connect to networks")
        return self.connector

    def _network_ids(self, arg: str) -> list[int]:
        count = len(self.config.networks)
        if arg == "all":
            return list(range(count))
        if not arg.isdigit() or int(arg) >= count:
            raise CommandFailed(f"no network {arg}")
        return [int(arg)]

    async def disconnect(self) -> None:
        await self._connector().disconnect()

    def reconnect(self) -> None:
        self._connector().reconnect()

    async def select_network(self, arg: str) -> None:
        conn = self._connector()
        if arg == "any":
            conn.selected = None
        else:
            (conn.selected,) = self._network_ids(arg)
            self.config.networks[conn.selected].set_field("disabled", None)
        conn.user_disconnected = False
        await conn.restart()

    async def enable_network(self, arg: str) -> None:
        for i in self._network_ids(arg):
            self.config.networks[i].set_field("disabled", None)
        if self.connector is not None and self.connector.state is not LinkState.COMPLETED:
            await self.connector.restart()

    async def disable_network(self, arg: str) -> None:
        ids = self._network_ids(arg)
        for i in ids:
            self.config.networks[i].set_field("disabled", "1")
        if self.connector is not None and self.connector.network_id in ids:
            await self.connector.restart()

    async def remove_network(self, arg: str) -> None:
        ids = self._network_ids(arg)
        current = self.connector.network_id if self.connector is not None else None
        for i in sorted(ids, reverse=True):
            self.config.remove_network(i)
        if self.connector is not None and current in ids:
            self.connector.network_id = None
            await self.connector.restart()

    def terminate(self) -> None:
        self._stopped.set()

    def scan(self) -> bool:
        """Start a scan and reply at once (True: one is already running: FAIL-BUSY), as wpa_supplicant does."""
        if self.station is None:
            raise CommandFailed("scanning is not available on this driver")
        if self.station.scanning:
            return True
        self._spawn(self._scan())
        return False

    async def _scan(self) -> None:
        try:
            await self.station.scan()
        except (DriverError, Busy) as e:
            log.info("scan failed: %s", e)

    def scan_results(self) -> str:
        if self.station is None:
            return SCAN_RESULTS_HEADER + "\n"
        return self.station.table.scan_results_text(self.driver.own_addr)

    def bss(self, arg: str) -> str:
        if self.station is None:
            return ""
        return self.station.table.bss_text(arg, self.driver.own_addr, asyncio.get_running_loop().time())

    @staticmethod
    def _bssid(text: str | None) -> bytes | None:
        if text is None or text == "any":
            return None
        try:
            return mac_bytes(text)
        except ValueError:
            raise CommandFailed(f"not a BSSID: {text!r}") from None


class _RecordingDriver:
    """The daemon's view of the driver for a run: sends also go to the pcap when one is recording."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        d = self._daemon
        if d.pcap is not None:
            d.pcap.record("tx", d.driver.own_addr, dst, pdu)
        await d.driver.send_eapol(dst, pdu)


def _uuid_text(uuid: bytes) -> str:
    h = uuid.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
