"""wpa_supplicant's background scans while connected (`bgscan=` of the network, else the global one): the
"simple" module of wpa_supplicant 2.10 (bgscan_simple.c), sans-IO. Its scans' results are chosen from as any
scan's (roaming: connection.py), so these scans are how the link finds a better BSS of its network.

    simple:<short interval>:<signal threshold>:<long interval>

A scan every `short` seconds while the signal is below the threshold, every `long` seconds above it, told by the
kernel's signal monitor (a threshold crossed, with 4 dB of hysteresis: CTRL-EVENT-SIGNAL-CHANGE); after
long/short + 1 short scans in a row it backs off to the long interval. Without a threshold, every `short`
seconds. Read as bgscan_init and bgscan_simple_init read it: the module is the first whose name starts with the
text before the first `:`, the numbers are C's atoi, an interval of 0 or less is 30, and a threshold without a
long interval is refused (no background scans). Not done: wpa_supplicant's "learn" module (it keeps a file of
the channels each BSS was heard on); pywps makes no background scans for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cnumbers import c_atoi

MODULES = ("simple", "learn")  # bgscan_modules' order in Debian's build: an empty name matches the first
DEFAULT_INTERVAL = 30
HYSTERESIS = 4  # dB: the signal monitor's, as bgscan_simple_init asks for it
RECENT_SCAN = 1.0  # a scan less than this long ago is not repeated when the signal drops below the threshold
LOWER_AGAIN_WAIT = 10.0  # the signal fell further: scan again if the last was longer ago than this


@dataclass
class BgscanSimple:
    short_interval: int
    signal_threshold: int  # dBm; 0: no signal monitor, every short interval
    long_interval: int
    scan_interval: int = 0
    short_scans: int = 0  # scans in a row at the short interval
    last_scan: float = 0.0  # when the last background scan was started

    @property
    def max_short_scans(self) -> int:
        return self.long_interval // self.short_interval + 1

    def start(self, signal: int | None, now: float) -> float:
        """Begin on a link whose signal (dBm, None: unknown) the kernel reports now; the first scan's time."""
        above = self.signal_threshold and signal is not None and signal >= self.signal_threshold
        self.scan_interval = self.long_interval if above else self.short_interval
        self.last_scan = now  # just after an association: a scan was made lately
        return now + self.scan_interval

    def scan_started(self, now: float) -> None:
        """A background scan went out: count it against the short interval's budget (bgscan_simple_timeout)."""
        if self.scan_interval == self.short_interval:
            self.short_scans += 1
            if self.short_scans >= self.max_short_scans:
                self.scan_interval = self.long_interval  # backing off
        elif self.short_scans > 0:
            self.short_scans -= 1  # a long interval without a drop earns one short scan back
        self.last_scan = now

    def next_scan(self, now: float) -> float:
        """Any scan's results came (or a background scan could not start): the next one's time."""
        return now + self.scan_interval

    def signal_changed(self, above: bool, now: float, scheduled: float | None) -> float | None:
        """The signal crossed the threshold (or fell further below it); the next scan's time, if it moves
        (`now`: at once), else None: `scheduled` stands."""
        if self.short_interval == self.long_interval or not self.signal_threshold:
            return None
        if self.scan_interval == self.long_interval and not above:
            self.scan_interval = self.short_interval
            if now > self.last_scan + RECENT_SCAN and self.short_scans <= self.max_short_scans:
                return now
            if self.last_scan + self.long_interval > now + self.scan_interval:
                return now + self.scan_interval  # the scan planned is too far off
            return None
        if self.scan_interval == self.short_interval and above:
            self.scan_interval = self.long_interval
            return now + self.scan_interval
        if not above and now > self.last_scan + LOWER_AGAIN_WAIT:
            return now
        return None


def parse_bgscan(spec: str) -> BgscanSimple | None:
    """The module a `bgscan=` text asks for, or None: no module of that name, pywps lacks it (learn), or its
    parameters are refused."""
    name, colon, params = spec.partition(":")
    module = next((m for m in MODULES if m.startswith(name)), None)  # os_strncmp(name, module, strlen(name))
    if module != "simple":
        return None
    short = c_atoi(params)
    threshold = long = 0
    _, colon, rest = params.partition(":")
    if colon:
        threshold = c_atoi(rest)
        _, colon, rest = rest.partition(":")
        if not colon:
            return None  # "Missing scan interval for high signal"
        long = c_atoi(rest)
    short = short if short > 0 else DEFAULT_INTERVAL
    long = long if long > 0 else DEFAULT_INTERVAL
    return BgscanSimple(short, threshold, long, scan_interval=short)
