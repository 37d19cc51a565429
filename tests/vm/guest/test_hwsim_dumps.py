"""Commands that each read the wiphy (a netlink dump), sent at once from three wpa_cli processes, 15 times, to
Debian wpa_supplicant and to pywps on wlan1: every answer is the program's answer to that command alone. The kernel
refuses a second dump on a netlink socket while one is under way (EBUSY): pywps's command socket lets its dumps
take turns (tests/test_nl80211_dumps.py), where it answered FAIL twice in 45 before."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hwlab import sta_conf

COMMANDS = (("driver_flags",), ("get_capability", "channels"), ("driver_flags2",))


def test_commands_that_read_the_wiphy_at_once(lab):
    answers: dict[str, set[tuple[str, str]]] = {}
    for program in ("wpa_supplicant", "pywps"):
        sta = lab.station(sta_conf(), program)
        alone = {args: sta.cli(*args) for args in COMMANDS}
        with ThreadPoolExecutor(len(COMMANDS)) as pool:
            at_once = [pool.map(lambda args: (args, sta.cli(*args)), COMMANDS) for _ in range(15)]
            answers[program] = {(" ".join(args), "same" if out == alone[args] else out) for round_ in at_once
                                for args, out in round_}
        sta.stop()
    assert answers["wpa_supplicant"] == {(" ".join(args), "same") for args in COMMANDS}, answers
    assert answers["pywps"] == answers["wpa_supplicant"], answers
