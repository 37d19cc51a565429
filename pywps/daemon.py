"""The daemon's lifecycle: start, signals, reload, close; and the two routes everything takes.

A frame's way: driver -> link tap (802.1X counters, --pcap) -> EAPOL-Key frames to the connector, the rest to the WPS service. An event's
way: any service -> `_publish` -> `pywps.ctrl.events` (the text, keys hidden from logs) -> monitors.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import config as configfile
from .ctrl.events import event_level, event_texts, log_texts
from .driver import driver_names, make_driver
from .driver.base import (
    ActionReceived,
    Driver,
    DriverError,
    DriverFailed,
    InterfaceToggled,
    LinkDisconnected,
    OthersScanEnded,
    ScanStarted,
    SignalCrossed,
    UnprotectedBeacon,
    UnprotectedDisconnect,
    mac_str,
)
from .link import LinkTap
from .services import Options, Services
from .station.wired import joinable

if TYPE_CHECKING:
    from .ctrl.commands import CommandTable, Reply

__all__ = ["Daemon", "Options"]

log = logging.getLogger("pywps")

EAPOL_KEY = 3  # EAPOL packet type of the WPA key handshakes; WPS runs get the EAP packets


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


def write_pidfile(path: str) -> None:
    """Atomically, so a reader never sees an empty or half-written pidfile."""
    configfile.write_atomically(path, f"{os.getpid()}\n")


def warm_up() -> None:
    """After readiness: load what the start path leaves out, in the order a first WPS_PIN needs it (the command
    backends, the event texts and vocabularies, the WPS service, the protocol core: the WPS run, Enrollee,
    Registrar; on a radio the driver's parsers a scan's results need; crypto; on a radio the WPA code), so the
    daemon answers its first PING without them and the first WPS run (or join) does not pay for them. Runs in a
    worker thread (imports are thread-safe; a command that needs a module meanwhile waits for that module only)."""
    try:
        importlib.import_module("pywps.ctrl.commands").command_table()
        importlib.import_module("pywps.ctrl.events").text_table()
        importlib.import_module("pywps.wpsservice")
        importlib.import_module("pywps.station.wpsrun")
        if "pywps.driver.nl80211" in sys.modules:  # a scan's results read the channel survey with them
            importlib.import_module("pywps.driver.nl80211_info")
        importlib.import_module("pywps.wps.crypto").warm_up()  # cryptography's DH and AES load on first use
        if "pywps.station.connector" in sys.modules:  # a radio's: the WPA code a join uses, and its crypto
            importlib.import_module("pywps.station.security")
            importlib.import_module("pywps.wpa.supplicant")
            importlib.import_module("pywps.wpa.keys").warm_up()
    except Exception:  # the first run then loads them itself, and fails there with its own error
        log.exception("warm-up failed")


class Daemon:
    def __init__(self, options: Options, driver: Driver | None = None) -> None:
        self.options = options
        # Read here so a bad file ends start-up before anything opens (ConfigFileError: the caller exits non-zero);
        # from start() on the services own it (SIGHUP replaces theirs), so the daemon keeps no copy.
        if options.config_path is None:  # -C alone: wpa_supplicant's configuration of nothing but that directory
            self._config: configfile.Config | None = configfile.parse(f"ctrl_interface={options.ctrl_dir}\n", "-C")
        else:
            self._config = configfile.load(options.config_path)
            for name in configfile.remove_stale_temp_files(options.config_path):
                log.info("removed %s, left by a save that was interrupted", name)
        names = [] if driver else driver_names(options.driver)
        self.driver = driver or make_driver(names[0], options.ifname)
        self._other_drivers = names[1:]  # -D's next names, tried in turn if this one does not start
        self.link: LinkTap | None = None  # what the services send through: the driver with its tap
        self.services: Services | None = None
        self._first_join: asyncio.TimerHandle | None = None
        self._wired_join = False  # a wire joins at start: a network was enabled when it started
        self.ctrl = None
        self._commands: CommandTable | None = None  # what the control socket's requests reach
        self._stopped = asyncio.Event()

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        from .ctrl.commands import CommandTable
        from .ctrl.server import CtrlServer

        recorder = None
        if self.options.pcap_path:
            from .pcap import PcapRecorder  # scapy stays off the start path unless asked for

            recorder = PcapRecorder(self.options.pcap_path)
        await self._start_driver(recorder)
        config, self._config = self._config, None
        assert config is not None, "start() runs once"
        # the frame and event routes see the services only once they are whole: a frame or a link event while
        # start() awaits (a radio's cached results, its first scan) must not make the WPS service before the
        # connector it holds exists
        services = Services(self.options, config, self.link, self._publish, self._stopped.set)
        await services.start()
        self.services = services
        # wpa_supplicant_driver_init asks for a wire's first "scan" (with ap_scan=0: the association, and EAPOL
        # with it) 100 ms after start, and only when a network may be joined then, before its control socket
        # exists: a client that attaches at once hears "Associated with"; one that adds and enables a network
        # meanwhile does not get it joined; a slow pidfile write does not hold the join back
        self._wired_join = self.services.wired_port is not None and any(joinable(n) for n in config.networks)
        if self._wired_join and not self.options.wait_for_monitor:
            self._join_at_start()
        self._commands = CommandTable(self.services)
        self.ctrl = CtrlServer(*self._ctrl_address(config), self._on_request)
        await self.ctrl.start()
        services.on_reloaded = self._ctrl_follows_config
        if self.options.pidfile:
            await asyncio.to_thread(write_pidfile, self.options.pidfile)
        log.info("pywps on %s (%s driver), address %s, control socket %s", self.options.ifname,
                 self.driver.name, mac_str(self.driver.own_addr), self.ctrl.path)
        if self.services.wired_port is None and not self.options.wait_for_monitor:
            self._join_at_start()

    def _ctrl_address(self, config: configfile.Config) -> tuple[str, str | None]:
        """The control socket's path and group: -C's directory, else the file's ctrl_interface."""
        ctrl_dir = self.options.ctrl_dir or config.ctrl_dir or "/run/pywps"
        group = None if self.options.ctrl_dir else config.ctrl_group
        return os.path.join(ctrl_dir, self.options.ifname), group

    def _ctrl_follows_config(self) -> None:
        """A reload whose file names another ctrl_interface: wpa_supplicant makes its control socket there (the
        monitors of the old one are detached), and so does pywps, after the reply to a RECONFIGURE that asked
        for it (wpa_supplicant's has none: it closed the socket the request came on)."""
        assert self.services is not None
        self.services.spawn(self._move_ctrl())

    async def _move_ctrl(self) -> None:
        old = self.ctrl
        assert old is not None and self.services is not None
        path, group = self._ctrl_address(self.services.config)  # the last reload's, if two came at once
        if (path, group) == (old.path, old.group):
            return  # the same ctrl_interface: the socket stays
        from .ctrl.server import CtrlServer

        new = CtrlServer(path, group, old.handler)
        try:
            await new.start()
        except OSError as e:  # a group that does not exist too (CtrlGroupUnknown)
            log.error("control socket stays at %s: %s", old.path, e)
            return
        self.ctrl = new
        await old.close()
        log.info("control socket moved to %s", path)

    async def _start_driver(self, recorder) -> None:
        """Start the driver, or -D's next one when it fails, as wpa_supplicant's wpas_init_driver goes on through
        its list ("Failed to initialize driver"): `-D nl80211,wired` on a wire starts wired."""
        while True:
            self.link = LinkTap(self.driver, recorder)
            self.link.on_eapol = self._on_eapol
            self.driver.on_event = self._on_driver_event
            try:
                await self.driver.start()
                return
            except DriverError as e:
                if not self._other_drivers:
                    raise
                log.warning("Failed to initialize driver '%s': %s", self.driver.name, e)
            await self.driver.stop()
            self.driver = make_driver(self._other_drivers.pop(0), self.options.ifname)

    async def serve(self, on_ready: Callable[[], None] | None = None) -> None:
        """Start, say so (systemd's READY=1; `on_ready`, which -B's parent waits for), run until told to stop."""
        # Signals first: once the control socket answers, a client may send SIGHUP at once.
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._stopped.set)
        loop.add_signal_handler(signal.SIGINT, self._stopped.set)
        loop.add_signal_handler(signal.SIGHUP, self._reload)
        await self.start()
        sd_notify("READY=1")
        if on_ready is not None:
            on_ready()
        # Beside the loop, not on it: ~100 ms of imports (10x that under emulation) would otherwise hold back the
        # answer to a client's first request, which often comes the moment the socket exists.
        loop.run_in_executor(None, warm_up).add_done_callback(lambda _: self._warm_up_radio())
        try:
            if self.options.wait_for_monitor:
                await self._join_after_first_monitor()
            await self._stopped.wait()
        finally:
            sd_notify("STOPPING=1")
            await self.close()

    def _warm_up_radio(self) -> None:
        """After the warm-up's imports (on the loop, well after the first PONG): the radio's own reads."""
        services = self.services
        if services is not None and services.station is not None and not self._stopped.is_set():
            services.spawn(services.station.warm_up())

    async def _join_after_first_monitor(self) -> None:
        """-W: wpa_supplicant runs its event loop only once a monitor has attached (after -B has returned), so
        that monitor (ifupdown's `wpa_cli -a` action script) hears everything from the first join on."""
        assert self.ctrl is not None and self.services is not None
        attached = asyncio.ensure_future(self.ctrl.first_monitor())
        stopped = asyncio.ensure_future(self._stopped.wait())
        await asyncio.wait((attached, stopped), return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not attached.done():
            attached.cancel()  # told to stop first
        else:
            self._join_at_start()

    def _join_at_start(self) -> None:
        """The join wpa_supplicant asks for at start: a wire's 100 ms on, when a network could be joined at start;
        a radio's best stored network at once."""
        assert self.services is not None
        if self._wired_join:
            self._first_join = asyncio.get_running_loop().call_later(0.1, self.services.join)
        elif self.services.wired_port is None:
            self.services.join()

    async def close(self) -> None:
        """Leave cleanly: the run's EAPOL-Logoff and the disconnect reach the link, monitors hear
        CTRL-EVENT-TERMINATING, then the socket, the driver and the files close."""
        if self._first_join is not None:
            self._first_join.cancel()
        if self.services is not None:
            await self.services.close()
        from .events import Terminating  # the shell's events are not on the start path

        self._publish(Terminating())
        if self.ctrl is not None:
            await self.ctrl.close()
        await self.driver.stop()
        if self.link is not None and self.link.recorder is not None:
            await asyncio.to_thread(self.link.recorder.close)
        if self.options.pidfile:
            try:
                os.unlink(self.options.pidfile)
            except FileNotFoundError:
                pass

    def _reload(self) -> None:
        if self.services is None:
            return  # still starting: the file was read a moment ago
        self.services.spawn(self._reload_signalled())

    async def _reload_signalled(self) -> None:
        assert self.services is not None
        try:
            await self.services.reload(signalled=True)
        except configfile.ConfigFileError as e:
            log.error("keeping the old configuration: %s", e)

    # -- the three routes --------------------------------------------------------------------------------

    def _on_request(self, request: str) -> Reply:
        """wpa_supplicant writes a received credential before it reads the next request. pywps writes it off the
        loop, so a request that comes meanwhile waits for the write and for the run's events held with it (a
        WPS_PBC at WPS-CRED-RECEIVED replaced the run before its WPS-SUCCESS was said, and so dropped it)."""
        assert self.services is not None and self._commands is not None
        saving = self.services.credential_saving
        if saving is None:
            return self._commands.dispatch(request)
        return self._after_save(saving, request)

    async def _after_save(self, saving: asyncio.Task, request: str) -> str:
        await asyncio.wait([saving])
        reply = self._on_request(request)
        return reply if isinstance(reply, str) else await reply

    def _on_eapol(self, src: bytes, pdu: bytes) -> None:
        services = self.services
        if services is None:
            return
        try:
            if services.connector is not None and len(pdu) > 1 and pdu[1] == EAPOL_KEY:
                services.connector.eapol_key(src, pdu)
            else:
                services.wps.on_eapol(src, pdu)
        except Exception:  # the daemon's edge: one bad frame must not take the daemon down
            log.exception("internal error on an EAPOL frame from %s; frame dropped", mac_str(src))

    def _on_driver_event(self, event: object) -> None:
        services = self.services
        station = services.station if services is not None else None
        if isinstance(event, ScanStarted) and station is not None:
            station.scan_began()  # it tells monitors, with our scan's id
            return
        if isinstance(event, OthersScanEnded) and station is not None:
            station.others_scan_ended(event)
            return
        if isinstance(event, LinkDisconnected) and services is not None:
            if station is not None and not station.link_lost(event):
                return  # a BSS we left: told when we left it (Station.leave)
            services.wps.link_lost()
            # told before what the connector makes of it (a suspected wrong passphrase, the network's backoff), as
            # wpa_supplicant's wpas_event_disconnect says them
            self._publish(event)
            if services.connector is not None:
                services.connector.link_lost(event.reason, event.locally_generated)
            return
        if isinstance(event, InterfaceToggled) and station is not None:
            log.info("%s: interface %s", self.options.ifname, "enabled" if event.enabled else "disabled")
            station.set_enabled(event.enabled)
            if services is not None and services.connector is not None:
                if event.enabled:
                    services.connector.interface_enabled()
                else:
                    services.connector.interface_disabled()
        elif isinstance(event, SignalCrossed) and services is not None and services.connector is not None:
            services.connector.signal_changed(event.above)
        elif isinstance(event, UnprotectedDisconnect) and services is not None and services.connector is not None:
            services.connector.unprotected_disconnect(event.sa, event.reason)
        elif isinstance(event, UnprotectedBeacon) and services is not None and services.connector is not None:
            services.connector.unprotected_beacon(event.sa)
        elif isinstance(event, ActionReceived) and services is not None and services.connector is not None:
            services.connector.action_received(event.sa, event.body)
        elif isinstance(event, DriverFailed):
            log.error("the %s driver failed on %s: %s", self.driver.name, self.options.ifname, event.error)
        self._publish(event)

    def _publish(self, event: object) -> None:
        for logged in log_texts(event, self.options.log_keys):
            log.info("%s: %s", self.options.ifname, logged)  # as wpa_supplicant logs its events
        if self.ctrl is not None:
            level = event_level(event)
            for text in event_texts(event):
                self.ctrl.publish(level, text)
