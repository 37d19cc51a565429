"""One pywps daemon, many WPS runs: is its memory flat? On the wired lab (tests/netlab.py: a veth pair, Debian
hostapd as the WPS AP), one `pywps -D wired` runs WPS_PIN -> WPS-SUCCESS N times; each run gets a fresh hostapd,
because hostapd's 802.1X port holds an enrollee's MAC for 60 s after the EAP-Failure that ends every run.

Prints the daemon's RSS after start, after the first run (everything a run needs is loaded by then), at a few
points between, and at the end; the verdict compares the end with the first run's figure.

    sudo .venv/bin/python bench/soak.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from netlab import Monitor, WiredLab, lab_skip_reason  # noqa: E402
from wired import Daemon, compile_bytecode  # noqa: E402

# Runs after which the RSS is printed (with the last one, whatever --runs is).
CHECKPOINTS = (1, 10, 100, 300, 1000, 3000, 10000)


def one_run(daemon: Daemon) -> float:
    """WPS_PIN -> WPS-SUCCESS, then the run's end (the AP's EAP-Failure) before its hostapd goes, so that each
    run is a whole one (a WPS_PIN before it would replace the finishing run)."""
    monitor = Monitor(daemon.path)
    try:
        t0 = time.perf_counter()
        daemon.request("WPS_PIN any 12345670")
        monitor.wait(r"^WPS-SUCCESS", timeout=20)
        elapsed = time.perf_counter() - t0
        monitor.wait(r"^CTRL-EVENT-EAP-FAILURE", timeout=5)
        return elapsed
    finally:
        monitor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="memory of one pywps daemon over many WPS runs")
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    if reason := lab_skip_reason():
        raise SystemExit(f"bench/soak.py: {reason}")
    compile_bytecode()
    with WiredLab() as lab:
        daemon = Daemon(lab, "pywps")
        try:
            time.sleep(1.0)  # the warm-up after READY is done
            rss = {0: daemon.rss_kib()}
            print(f"after start (idle, warmed up)   RSS {rss[0] / 1024:6.2f} MiB", flush=True)
            durations = []
            failures = 0
            t0 = time.monotonic()
            for run in range(1, args.runs + 1):
                hapd = lab.hostapd()
                try:
                    hapd.cli("wps_pin", "any", "12345670")
                    durations.append(one_run(daemon))
                except AssertionError as e:  # counted and shown, not fatal: a soak is about the long run
                    failures += 1
                    daemon.request("WPS_CANCEL")
                    if failures <= 3:
                        print(f"run {run} failed: {e}\nhostapd's log ends:\n{hapd.log_text()[-3000:]}", flush=True)
                finally:
                    hapd.stop()
                    lab._procs.remove(hapd)
                    shutil.rmtree(hapd.dir, ignore_errors=True)
                if run in CHECKPOINTS or run == args.runs:
                    rss[run] = daemon.rss_kib()
                    print(f"after {run:5d} runs ({time.monotonic() - t0:6.0f} s)   RSS {rss[run] / 1024:6.2f} MiB, "
                          f"WPS_PIN -> WPS-SUCCESS median so far {statistics.median(durations) * 1000:.1f} ms",
                          flush=True)
        finally:
            daemon.stop()
    first, last = rss[1], rss[args.runs]
    print(f"RSS over {args.runs} daemon WPS runs ({failures} failed): {first / 1024:.2f} MiB after the first, "
          f"{last / 1024:.2f} MiB after the last ({(last - first) / 1024:+.2f} MiB)")


if __name__ == "__main__":
    main()
