"""`pywps`: the daemon's command line, in wpa_supplicant's style so its command lines carry over.

    pywps -i IFACE [-D nl80211|wired|LIST] [-c CONF] [-C CTRL_DIR] [-B] [-P PIDFILE] [-d|-dd] [-q|-qq] [-K] [-t]
          [-f LOGFILE | -s] [-W] [--pcap FILE]

The forms Debian's units and ifupdown scripts use carry over as they are (`-c/etc/x.conf -Dnl80211 -i%I`,
`-s -B -P PIDFILE -i IFACE -D nl80211,wext -c CONF`): tests/test_diff_cli.py runs each against wpa_supplicant.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from . import __version__
from .logs import log_format, start_level, syslog_handler

# What wpa_supplicant exits with when it cannot start (its -1): a bad configuration, no such interface or driver.
EXIT_FAILURE = 255


class HelpFormatter(argparse.HelpFormatter):
    """argparse's, sized to the terminal without `shutil`: argparse imports it (and with it zlib, bz2 and lzma,
    ~3 ms) for the width the moment a parser gets its first argument, though nothing is printed on a start."""

    def __init__(self, prog: str) -> None:
        try:
            columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 80
        super().__init__(prog, width=columns - 2)  # argparse's own margin


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="pywps",
        description="Wi-Fi Protected Setup daemon (Enrollee and external Registrar), wpa_ctrl-compatible.",
        formatter_class=HelpFormatter,
    )
    p.add_argument("-i", dest="ifname", required=True, help="interface name")
    p.add_argument("-D", dest="driver", default="nl80211",
                   help="driver: nl80211 (the default) or wired, or a comma-separated list tried in order "
                        "(names pywps does not have, such as wext, are passed over)")
    p.add_argument("-c", dest="config", help="configuration file (wpa_supplicant.conf syntax)")
    p.add_argument("-C", dest="ctrl_dir", help="control socket directory (overrides ctrl_interface; without -c: "
                                               "no file, networks live in memory only)")
    p.add_argument("-B", dest="background", action="store_true",
                   help="run in the background once the control socket is up")
    p.add_argument("-d", dest="debug", action="count", default=0, help="more debug output (-dd: even more)")
    p.add_argument("-q", dest="quiet", action="count", default=0, help="less output (-qq: errors only)")
    p.add_argument("-K", dest="log_keys", action="store_true", help="include keys, PINs and credentials in debug output")
    p.add_argument("-t", dest="timestamps", action="store_true", help="timestamps in debug output")
    p.add_argument("-f", dest="logfile", help="log to this file instead of stderr")
    p.add_argument("-s", dest="syslog", action="store_true", help="log to syslog instead of stderr")
    p.add_argument("-P", dest="pidfile", help="write the process id to this file")
    p.add_argument("-W", dest="wait_for_monitor", action="store_true",
                   help="wait for a control interface monitor (ATTACH) before joining a network")
    p.add_argument("--pcap", dest="pcap", help="record every EAPOL frame sent and received to this pcap file")
    p.add_argument("--walk-time", type=float, default=120.0, help=argparse.SUPPRESS)  # tests shorten it
    p.add_argument("-v", "--version", action="version", version=f"pywps {__version__}")
    args = p.parse_args(argv)
    # Absolute, as wpa_supplicant makes them: -B leaves the working directory, and a reload or SAVE_CONFIG
    # later must still find the file.
    for name in ("config", "pidfile", "logfile", "pcap"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    return args


def setup_logging(args: argparse.Namespace) -> None:
    handler: logging.Handler
    if args.syslog:  # before -f, as in wpa_supplicant: with -s the file gets nothing
        handler = syslog_handler()
    elif args.logfile:
        # backslashreplace: a control request's bytes that are not UTF-8 (NOTE, a refused value) still log
        handler = logging.FileHandler(args.logfile, errors="backslashreplace")
    else:
        handler = logging.StreamHandler()
    if not args.syslog:
        handler.setFormatter(log_format(args.timestamps))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(start_level(args.debug, args.quiet)[1])
    if args.debug < 2:
        # pyroute2's debug output (every netlink message, in full) only with -dd. A level on its logger does not
        # hold: importing pyroute2 (with the nl80211 driver, after this) resets it to NOTSET, and -d then logged
        # it all, which costs seconds per run under emulation. The handler's filter holds.
        handler.addFilter(lambda record: record.levelno >= logging.WARNING or not record.name.startswith("pyroute2"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.config is None and args.ctrl_dir is None:
        print("pywps: -c CONFIG or -C CTRL_DIR is needed (wpa_supplicant's rule)", file=sys.stderr)
        return EXIT_FAILURE
    up = None
    if args.background:  # first: the parent must not have read the config or made threads
        from .detach import detach

        up = detach()
    setup_logging(args)
    from .config import ConfigFileError
    from .daemon import Daemon, Options
    from .driver.base import DriverError

    log = logging.getLogger("pywps")
    options = Options(
        ifname=args.ifname, driver=args.driver, config_path=args.config, ctrl_dir=args.ctrl_dir,
        log_keys=args.log_keys, pcap_path=args.pcap, pidfile=args.pidfile, walk_time=args.walk_time,
        debug=args.debug, quiet=args.quiet, timestamps=args.timestamps,
        wait_for_monitor=args.wait_for_monitor,
    )

    async def run() -> None:
        daemon = Daemon(options)
        await daemon.serve(on_ready=up)

    try:
        asyncio.run(run())
    except ConfigFileError as e:
        log.error("configuration error: %s", e)
        return EXIT_FAILURE
    except DriverError as e:
        log.error("interface %s: %s", args.ifname, e)
        return EXIT_FAILURE
    except OSError as e:
        log.error("%s", e)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
