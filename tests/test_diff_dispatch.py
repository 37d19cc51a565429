"""How a request reaches a command, side by side: every command name in pywps's table (and the names
wpa_supplicant's socket layer answers itself: ATTACH, DETACH, LEVEL), sent bare, with one trailing space and
nothing after it, and with its letters followed by `X`, to Debian wpa_supplicant 2.10 -Dwired and to pywps -D wired
with the same config and a network 0 and credential 0 in place. pywps's reply must be wpa_supplicant's.

wpa_supplicant_ctrl_iface_process (wpa_supplicant/ctrl_iface.c) compares some names whole (`os_strcmp`: a
trailing space makes the request unknown), some with their space (`os_strncmp(buf, "NAME ", n)`: the bare name is
unknown, the space alone is an empty argument, so `REMOVE_NETWORK ` removes network atoi("") = 0), some both ways,
and a few by their letters alone (`STATUSX` is STATUS). pywps keeps that table in ctrl/commands.py (match_of); this
test is its proof. Comparison as in test_diff_survey.py: the same bytes, except STATUS (pywps's wps_* extras) and
MIB (the same keys: pywps has no pre-authentication).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from difflab import KINDS, PYWPS, WPAS, CtrlClient, Station, conf_text, describe, requires_diff
from netlab import WiredLab
from test_diff_survey import Case, differences, survey_both

from pywps.ctrl.commands import PREFIX, command_table

SOCKET_LAYER = ("ATTACH", "DETACH", "LEVEL")  # answered by the socket code before the command table
SETUP = ("ADD_NETWORK", 'SET_NETWORK 0 ssid "dispatch"', "ADD_CRED")
# requests that change the daemon beyond what the survey's clean-up undoes (or end it) get a daemon of their own
FRESH = {"TERMINATE", "WPS_PBC", "WPS_PIN", "WPS_REG", "WPS_ER_START", "RECONFIGURE", "SAVE_CONFIG", "FLUSH", "SUSPEND",
         "AP_SCAN", "SCAN_INTERVAL", "STA_AUTOCONNECT", "LOG_LEVEL", "BSSID_IGNORE", "BLACKLIST", "LOGON", "LOGOFF",
         "DISCONNECT", "REASSOCIATE", "RECONNECT", "REATTACH", "SET", "BSS_EXPIRE_AGE", "BSS_EXPIRE_COUNT",
         "MAC_RAND_SCAN", "SCAN", "AUTOSCAN"}


def _how(name: str) -> str:
    if name.startswith("STATUS"):
        return "status"
    return "keys" if name == "MIB" else "exact"


def _cases() -> list[Case]:
    names = sorted({*command_table(), *SOCKET_LAYER})
    cases = []
    for name in names:
        forms = {"space": f"{name} ", "bare": name, "letters": f"{name}X"}
        if name == "TERMINATE":
            del forms["bare"]  # the survey's terminate case has it
        for form, request in forms.items():
            if form == "letters" and name not in PREFIX:
                continue  # an unknown name: only the prefix commands' letters can catch it
            base = name.split("-")[0] if name.startswith("STATUS-") else name
            cases.append(Case(f"{name}-{form}", request, SETUP, how=_how(name), fresh=base in FRESH))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def results(request) -> dict[str, dict[str, bytes | None]]:
    selected = {item.callspec.params["case"].id for item in request.session.items
                if item.module.__name__ == __name__ and hasattr(item, "callspec")}
    return survey_both([case for case in CASES if case.id in selected])


@requires_diff
@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_request_reaches_the_command_wpa_supplicant_runs(case: Case, results):
    wpas, pywps = results[WPAS][case.id], results[PYWPS][case.id]
    assert wpas is not None, f"wpa_supplicant did not answer {case.command!r}"
    assert not differences(case, wpas, pywps), (
        f"{case.command!r}: wpa_supplicant {describe(wpas)}, pywps {describe(pywps)}: "
        + "; ".join(differences(case, wpas, pywps)))


def test_every_command_is_sent():
    """The table is the whole command table: a command added later is compared without anyone listing it."""
    sent = {case.id.rsplit("-", 1)[0] for case in CASES}
    assert set(command_table()) <= sent


# Requests a client sends before it reads their replies (pywpas, for one, sends SET_NETWORK and SAVE_CONFIG and
# never reads their replies, so its next read takes the oldest queued one): wpa_supplicant takes them one at a time,
# so each comes after the ones before it, reply and effect. pywps answered a request whose reply waits on I/O
# (SAVE_CONFIG's write, RECONFIGURE) after the ones behind it, which also ran first: LIST_NETWORKS after
# RECONFIGURE still showed the network the reload drops.
BURSTS = [
    ["SAVE_CONFIG", "PING", "LIST_NETWORKS"],
    ["ADD_NETWORK", "RECONFIGURE", "LIST_NETWORKS"],
    ["SAVE_CONFIG", "ADD_NETWORK", "RECONFIGURE", "LIST_NETWORKS", "PING", "GET_NETWORK 0 ssid"],
]
SAVED = ("ADD_NETWORK", 'SET_NETWORK 0 ssid "kept"', "SET_NETWORK 0 key_mgmt NONE")  # a block SAVE_CONFIG writes


def replies_to_bursts(kind: str) -> list[list[bytes]]:
    with WiredLab() as lab:
        sta = Station(lab, kind, conf_text()).wait_ready()
        for request in SAVED:
            sta.request(request)
        client = CtrlClient(sta.socket)
        try:
            out = []
            for burst in BURSTS:
                for request in burst:
                    client.sock.send(request.encode())
                client.sock.settimeout(5)
                out.append([client.sock.recv(4096) for _ in burst])
            return out
        finally:
            client.close()


@requires_diff
def test_requests_sent_before_their_replies_are_read_are_answered_in_order():
    with ThreadPoolExecutor(max_workers=2) as pool:
        seen = dict(zip(KINDS, pool.map(replies_to_bursts, KINDS)))
    assert seen[PYWPS] == seen[WPAS]
    assert seen[WPAS][1] == [b"1\n", b"OK\n", b"network id / ssid / bssid / flags\n0\tkept\tany\t[DISABLED]\n"]
