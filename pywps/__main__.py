"""`pywps`: the daemon's command line, in wpa_supplicant's style so its command lines carry over.

    pywps -i IFACE -D wired|nl80211 -c CONF [-C CTRL_DIR] [-d|-dd] [-K] [-t] [-f LOGFILE] [-P PIDFILE] [--pcap FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from . import __version__
from .logs import log_format


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
    p.add_argument("-D", dest="driver", default="nl80211", choices=["nl80211", "wired"], help="driver (default nl80211)")
    p.add_argument("-c", dest="config", required=True, help="configuration file (wpa_supplicant.conf syntax)")
    p.add_argument("-C", dest="ctrl_dir", help="control socket directory (overrides ctrl_interface)")
    p.add_argument("-d", dest="debug", action="count", default=0, help="more debug output (-dd: even more)")
    p.add_argument("-K", dest="log_keys", action="store_true", help="include keys, PINs and credentials in debug output")
    p.add_argument("-t", dest="timestamps", action="store_true", help="timestamps in debug output")
    p.add_argument("-f", dest="logfile", help="log to this file instead of stderr")
    p.add_argument("-P", dest="pidfile", help="write the process id to this file")
    p.add_argument("--pcap", dest="pcap", help="record every EAPOL frame sent and received to this pcap file")
    p.add_argument("--walk-time", type=float, default=120.0, help=argparse.SUPPRESS)  # tests shorten it
    p.add_argument("-v", "--version", action="version", version=f"pywps {__version__}")
    return p.parse_args(argv)


def setup_logging(args: argparse.Namespace) -> None:
    level = logging.INFO if args.debug == 0 else logging.DEBUG
    # backslashreplace: a control request's bytes that are not UTF-8 (NOTE, a refused value) still log
    handler: logging.Handler = (logging.FileHandler(args.logfile, errors="backslashreplace") if args.logfile
                                else logging.StreamHandler())
    handler.setFormatter(log_format(args.timestamps))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if args.debug < 2:
        # pyroute2's debug output (every netlink message, in full) only with -dd. A level on its logger does not
        # hold: importing pyroute2 (with the nl80211 driver, after this) resets it to NOTSET, and -d then logged
        # it all, which costs seconds per run under emulation. The handler's filter holds.
        handler.addFilter(lambda record: record.levelno >= logging.WARNING or not record.name.startswith("pyroute2"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_logging(args)
    from .config import ConfigFileError
    from .daemon import Daemon, Options
    from .driver.base import DriverError

    log = logging.getLogger("pywps")
    options = Options(
        ifname=args.ifname, driver=args.driver, config_path=args.config, ctrl_dir=args.ctrl_dir,
        log_keys=args.log_keys, pcap_path=args.pcap, pidfile=args.pidfile, walk_time=args.walk_time,
        debug=args.debug, timestamps=args.timestamps,
    )

    async def run() -> None:
        daemon = Daemon(options)
        await daemon.serve()

    try:
        asyncio.run(run())
    except ConfigFileError as e:
        log.error("configuration error: %s", e)
        return 1
    except DriverError as e:
        log.error("interface %s: %s", args.ifname, e)
        return 1
    except OSError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
