"""The shell's sans-IO policies with a fake clock (plain numbers): the WPS run (pywps/station/wpsrun.py) and the
connection to stored networks (pywps/station/connection.py). Every row of each transition table is driven, then
the runs a user sees (success, M2D and retry, wrong key, link loss) end to end against in-process peers."""

from __future__ import annotations

import pytest

from pywps.config import parse
from pywps.driver.base import PAE_GROUP_ADDR, ScanEntry
from pywps.events import (AuthTimedOut, Connected, GroupRekeyCompleted, KeyNegotiated, NetworkNotFound, SsidReenabled,
                          SsidTempDisabled, WrongKey)
from pywps.runevents import PbcOverlapDetected, RunEnded, RunTimedOut
from pywps.station import connection as conn
from pywps.station import wpsrun
from pywps.station.bss import BssTable
from pywps.station.early import EARLY_FRAME_MAX_AGE
from pywps.station.types import RunKind, RunRequest
from pywps.wpa.events import InstallGroupKey, InstallPairwiseKey, SendEapol
from pywps.wpa.rsn import Akm, Cipher, build_rsn_ie
from pywps.wps.device import DeviceInfo
from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, DevicePasswordId, EncrType
from pywps.wps.eap import EXPANDED_NAK
from pywps.wps.eap import EapFailureReceived
from pywps.wps.events import EapMethodRefused, Failure, Success
from shellfakes import AP, PASSPHRASE, PIN, RSN_CCMP, SSID, STA, FakeAp, WscAp, beacon, is_eap_failure, is_logoff

DEVICE = DeviceInfo(uuid=bytes(16), mac_address=STA)
RS, RI = wpsrun.RunState, wpsrun.RunInput


def new_run(wireless: bool = False, kind: RunKind = RunKind.PIN, bssid: bytes | None = None) -> wpsrun.WpsRun:
    return wpsrun.WpsRun(RunRequest(kind, bssid, PIN), DEVICE, 0.0, wireless=wireless, walk_time=120.0)


def drain(policy) -> tuple[list, list]:
    actions, events = [], []
    while (a := policy.next_action()) is not None:
        actions.append(a)
    while (e := policy.next_event()) is not None:
        events.append(e)
    return actions, events


def shuttle(run: wpsrun.WpsRun, ap: WscAp, now: float = 1.0, rounds: int = 50,
            sent: list[wpsrun.SendFrames] | None = None, interloper: bytes | None = None,
            others: list | None = None) -> list:
    """Carry the run's frames to the AP and back until nothing moves; the run's events. `sent` collects what the
    run sent, `others` its other actions; an `interloper` (a second authenticator on the link) follows each of
    the AP's replies with an Identity request of its own."""
    events = []
    for _ in range(rounds):
        actions, evs = drain(run)
        events += evs
        sends = [a for a in actions if isinstance(a, wpsrun.SendFrames)]
        if sent is not None:
            sent += sends
        if others is not None:
            others += [a for a in actions if not isinstance(a, wpsrun.SendFrames)]
        replies = [r for a in sends for f in a.frames for r in ap.receive(f)]
        if not replies:
            return events
        for reply in replies:
            run.receive(AP, reply, now)
            if interloper is not None:
                run.receive(interloper, WscAp().begin()[0], now)
    return events


# -- the WPS run: every row of its table ------------------------------------------------------------------


@pytest.mark.parametrize("state,what", [(s, i) for s, row in wpsrun.TRANSITIONS.items() for i in row])
def test_every_run_transition_lands_where_the_table_says(state, what):
    run = new_run(wireless=True)
    run.link_up(AP, 2412, 0.5)  # a run with a peer and a link, then put in the state under test
    run.state = state
    run._fire(what, 1.0)
    assert run.state is wpsrun.TRANSITIONS[state][what]
    assert (run.get_timer() is None) == (run.state is RS.ENDED)  # walk time runs until the run ends


@pytest.mark.parametrize("state", list(RS))
def test_inputs_a_state_does_not_list_change_nothing(state):
    for what in RI:
        if what in wpsrun.TRANSITIONS[state]:
            continue
        run = new_run()
        run.state = state
        run._fire(what, 1.0)
        assert run.state is state


def test_wired_run_sends_eapol_start_to_the_pae_group_and_again_every_5_s():
    run = new_run()
    actions, _ = drain(run)
    assert run.state is RS.STARTING and actions[0].dst == PAE_GROUP_ADDR and actions[0].frames[0][1] == 1
    assert run.get_timer() == wpsrun.EAPOL_START_INTERVAL
    run.handle_timer(5.0)
    actions, _ = drain(run)
    assert run.state is RS.STARTING and len(actions) == 1 and run.attempts == 1  # the same conversation
    run.handle_timer(120.0)
    _, events = drain(run)
    assert run.ended and events == [RunTimedOut(), RunEnded(False)]


def test_wired_run_sends_every_frame_to_the_pae_group_and_hears_only_the_first_authenticator():
    """wpa_supplicant -Dwired sends all its EAPOL to the PAE group address (tests/test_diff_m1.py compares the
    captured frames); the authenticator that answered first is still the only one the run listens to."""
    run = new_run()
    sent: list[wpsrun.SendFrames] = []
    shuttle(run, WscAp(), sent=sent, interloper=bytes.fromhex("02000000bb02"))
    assert run.succeeded and run.authenticator == AP
    assert len(sent) > 5 and {a.dst for a in sent} == {PAE_GROUP_ADDR}


def test_a_run_sends_the_configured_eapol_version():
    run = wpsrun.WpsRun(RunRequest(RunKind.PIN, None, PIN), DEVICE, 0.0, wireless=False, eapol_version=2)
    sent: list[wpsrun.SendFrames] = []
    shuttle(run, WscAp(), sent=sent)
    versions = [frame[0] for a in sent for frame in a.frames]
    assert run.succeeded and len(versions) > 5 and set(versions) == {2}


def test_success_then_eap_failure_ends_the_run():
    run = new_run()
    events = shuttle(run, WscAp())
    assert any(isinstance(e, Success) for e in events) and events[-1] == RunEnded(True)
    assert run.ended and run.succeeded


def test_m2d_pauses_then_a_new_attempt_with_fresh_keys():
    run = new_run()
    shuttle(run, WscAp(pin=None))
    assert run.state is RS.PAUSED and run.get_timer() == 1.0 + wpsrun.RETRY_DELAY
    first_peer = run.peer
    run.handle_timer(6.0)
    assert run.state is RS.STARTING and run.attempts == 2 and run.peer is not first_peer


def test_wrong_pin_ends_without_retrying():
    run = new_run()
    events = shuttle(run, WscAp(pin="87654325"))
    assert run.ended and events[-1] == RunEnded(False)


def linked_run(kind: RunKind = RunKind.PIN) -> wpsrun.WpsRun:
    run = new_run(wireless=True, kind=kind)
    drain(run)
    run.link_up(AP, 2412, 0.5)
    return run


def cleared_run() -> wpsrun.WpsRun:
    """A wrong PIN's run on a radio at 2.0, its EAP-Failure in: CLEARING."""
    run, ap = linked_run(), WscAp(pin="87654325")
    for frame in ap.begin():
        run.receive(AP, frame, 2.0)
    others: list = []
    events = shuttle(run, ap, now=2.0, others=others)
    assert [type(e) for e in events if isinstance(e, (Failure, EapFailureReceived))] == [Failure, EapFailureReceived]
    assert run.state is RS.CLEARING and others == [wpsrun.ReleaseLink(), wpsrun.ScanForNext(run.request)]
    return run


@pytest.mark.parametrize("begun", [2.05, 2.0 + wpsrun.CLEAR_WAIT])
def test_a_wrong_pin_on_a_radio_leaves_the_ap_and_scans_then_ends_when_wpa_supplicant_clears_the_network(begun):
    """wpas_wps_eapol_cb: a PIN enrollee's EAP-Failure after WPS-FAIL leaves the link and asks for a scan for the
    next AP; once that scan has begun, the run ends CLEAR_WAIT after the failure (wpas_wps_clear_timeout), before
    the scan's results."""
    run = cleared_run()
    run.next_scan_begun(begun)
    assert run.get_timer() == 2.0 + wpsrun.CLEAR_WAIT
    run.handle_timer(2.0 + wpsrun.CLEAR_WAIT)
    actions, events = drain(run)
    assert run.ended and actions == [] and events == [RunEnded(False)]  # the link was left already


def test_a_scan_that_begins_past_the_clearing_time_ends_the_run_then():
    """wpa_supplicant's trigger is synchronous: after an EAP-Failure in time, its CTRL-EVENT-SCAN-STARTED comes
    before the removal 0.1 s after WPS-FAIL. Ours awaits the kernel, so the run waits for that answer rather than
    end (and remove its network) in between."""
    run = cleared_run()
    assert run.get_timer() == 2.0 + wpsrun.SCAN_START_WAIT
    run.handle_timer(2.0 + wpsrun.CLEAR_WAIT)
    assert run.state is RS.CLEARING
    run.next_scan_begun(2.3)
    assert run.get_timer() == 2.3
    run.handle_timer(2.3)
    assert run.ended and drain(run) == ([], [RunEnded(False)])


def test_a_scan_that_never_begins_ends_the_run_scan_start_wait_after_the_eap_failure():
    run = cleared_run()
    run.handle_timer(2.0 + wpsrun.SCAN_START_WAIT)
    assert run.ended and drain(run) == ([], [RunEnded(False)])
    run.next_scan_begun(4.0)  # too late: nothing
    assert run.ended and run.get_timer() is None


def test_clearing_asks_to_leave_the_link_then_to_scan_once():
    run = linked_run()
    run.state = RS.FINISHING
    run._fire(RI.TRY_ON, 3.0)
    assert drain(run) == ([wpsrun.ReleaseLink(), wpsrun.ScanForNext(run.request)], [])


class NoEapFailure(WscAp):
    """An AP whose EAP-Failure never comes."""

    def receive(self, pdu: bytes) -> list[bytes]:
        return [frame for frame in super().receive(pdu) if not is_eap_failure(frame)]


@pytest.mark.parametrize("wireless", [False, True])
def test_without_the_eap_failure_a_failed_run_ends_clear_wait_after_the_failure(wireless):
    run, ap = (linked_run() if wireless else new_run()), NoEapFailure(pin="87654325")
    for frame in ap.begin() if wireless else ():
        run.receive(AP, frame, 2.0)
    events = shuttle(run, ap, now=2.0)
    assert any(isinstance(e, Failure) for e in events) and run.state is RS.FINISHING
    assert run.get_timer() == 2.0 + wpsrun.CLEAR_WAIT
    run.handle_timer(2.0 + wpsrun.CLEAR_WAIT)
    actions, events = drain(run)
    assert run.ended and actions == ([wpsrun.ReleaseLink()] if wireless else [])
    assert events == [RunEnded(False, leaves_link=wireless)]  # the shell ends the run once the link is left


def test_a_failed_run_whose_network_a_credential_replaced_waits_for_the_eap_failure_as_after_a_success():
    """WPS_REG learning the AP's settings: they replace the run's network and the run fails at M7. wpa_supplicant's
    clear 0.1 s after WPS-FAIL then has no WPS network to remove: a later EAP-Failure still ends the run."""
    run, ap = new_run(), NoEapFailure(pin="87654325")
    shuttle(run, ap, now=2.0)
    assert run.state is RS.FINISHING and run.get_timer() == 2.0 + wpsrun.CLEAR_WAIT
    run.network_replaced(2.0)
    assert run.get_timer() == 2.0 + wpsrun.FINISH_WAIT
    run.handle_timer(2.0 + wpsrun.CLEAR_WAIT)
    assert run.state is RS.FINISHING


def test_a_succeeded_runs_end_is_not_moved_by_its_stored_network():
    run, ap = new_run(), NoEapFailure()
    shuttle(run, ap, now=2.0)
    assert run.succeeded and run.get_timer() == 2.0 + wpsrun.FINISH_WAIT
    run.network_replaced(2.5)
    assert run.get_timer() == 2.0 + wpsrun.FINISH_WAIT


def test_cancel_in_the_middle_sends_eapol_logoff():
    run = new_run()
    ap = WscAp()
    ap.mute_after_identity_request = True
    shuttle(run, ap)
    assert run.state is RS.EXCHANGING
    run.cancel(2.0)
    actions, events = drain(run)
    assert is_logoff(actions[-1].frames[-1]) and events == [RunEnded(False)]


def test_a_radio_runs_cancel_sends_its_logoff_then_leaves_and_says_so_in_its_end():
    """The EAPOL-Logoff, then ReleaseLink; RunEnded says the link is being left: the shell removes the run's
    network and says WPS-CANCEL after that, as wpas_wps_cancel deauthenticates first. A run still looking for an
    AP has no link to leave."""
    run, ap = linked_run(), WscAp()
    ap.mute_after_identity_request = True
    for frame in ap.begin():
        run.receive(AP, frame, 2.0)
    shuttle(run, ap, now=2.0)
    assert run.state is RS.EXCHANGING
    run.cancel(3.0)
    actions, events = drain(run)
    assert is_logoff(actions[-2].frames[-1]) and actions[-1] == wpsrun.ReleaseLink()
    assert events == [RunEnded(False, leaves_link=True)]
    run = new_run(wireless=True)
    drain(run)
    run.cancel(1.0)
    assert drain(run) == ([], [RunEnded(False)])


def test_wireless_run_asks_for_a_link_and_gets_a_new_one_after_link_loss():
    run = new_run(wireless=True)
    actions, _ = drain(run)
    assert actions == [wpsrun.RequestLink(run.request)] and run.state is RS.LINKING
    run.link_up(AP, 2412, 1.0)
    ap = WscAp()
    ap.mute_after_identity_request = True
    shuttle(run, ap)
    run.link_lost(2.0)
    actions, _ = drain(run)
    assert run.state is RS.PAUSED and actions == [wpsrun.ReleaseLink()]
    assert run.get_timer() == 2.0 + wpsrun.RELINK_DELAY  # the scan for the next association is the pause
    run.handle_timer(2.0 + wpsrun.RELINK_DELAY)
    actions, _ = drain(run)
    assert run.state is RS.LINKING and actions == [wpsrun.RequestLink(run.request)] and run.authenticator is None


def test_a_wireless_run_that_could_not_find_or_join_an_ap_waits_before_it_tries_again():
    run = new_run(wireless=True)
    drain(run)
    run.link_failed(1.0)
    assert run.state is RS.PAUSED and run.get_timer() == 1.0 + wpsrun.RETRY_DELAY


def eapol_types(actions) -> list[int]:
    return [frame[1] for a in actions if isinstance(a, wpsrun.SendFrames) for frame in a.frames]


def test_on_a_new_association_the_run_waits_for_the_ap_to_begin_eap():
    """As wpa_supplicant's SUPP_PAE CONNECTING: no EAPOL-Start right after the association (the AP begins EAP
    itself; a start would only restart it). The AP's Identity request is answered; the run's own EAPOL-Start
    goes after startWhen only if none came: 1 s for a WSC 1.0 AP, 2 s for a WSC 2.0 AP."""
    for wsc2, start_when in ((False, wpsrun.START_WHEN_WPS), (True, wpsrun.START_WHEN)):
        run = new_run(wireless=True)
        drain(run)
        run.link_up(AP, 2412, 1.0, wsc2_ap=wsc2)
        actions, _ = drain(run)
        assert run.state is RS.STARTING and eapol_types(actions) == [] and run.get_timer() == 1.0 + start_when
        run.handle_timer(1.0 + start_when)
        actions, _ = drain(run)
        assert eapol_types(actions) == [1] and run.state is RS.STARTING  # EAPOL-Start, to the AP
        assert actions[0].dst == AP

    run = new_run(wireless=True)
    drain(run)
    run.link_up(AP, 2412, 1.0, wsc2_ap=True)
    ap = WscAp()
    for request in ap.begin():
        run.receive(AP, request, 1.1)
    events = shuttle(run, ap, now=1.2)
    assert any(isinstance(e, Success) for e in events) and run.ended
    assert [pdu[1] for pdu in ap.received if pdu[1] != 0] == []  # EAP packets only: no EAPOL-Start


def test_the_aps_first_frame_ahead_of_the_association_event_is_kept():
    """Seen in the hwsim VM: hostapd's Identity request reached pywps before the kernel's association event (two
    sockets). As wpa_supplicant's pending_eapol_rx: the last frame received while linking is taken once linked,
    if it is from that AP and younger than EARLY_FRAME_MAX_AGE; so the run answers it and sends no EAPOL-Start."""
    for src, age, answered in ((AP, 0.05, True), (b"\x02" * 6, 0.05, False), (AP, EARLY_FRAME_MAX_AGE + 0.05, False)):
        run = new_run(wireless=True)
        drain(run)
        ap = WscAp()
        (identity_request,) = ap.begin()
        run.receive(src, identity_request, 1.0)
        run.link_up(AP, 2412, 1.0 + age, wsc2_ap=True)
        actions, _ = drain(run)
        if answered:
            assert run.state is RS.EXCHANGING and eapol_types(actions) == [0]  # the Identity response
        else:
            assert run.state is RS.STARTING and eapol_types(actions) == []  # waits for the AP (startWhen)


def test_a_disconnect_while_linking_is_not_the_runs_link():
    run = new_run(wireless=True)
    run.link_lost(1.0)
    assert run.state is RS.LINKING
    run.link_failed(1.0)  # but an error finding an AP pauses, then tries again
    assert run.state is RS.PAUSED


def test_pbc_overlap_ends_the_run():
    run = new_run(wireless=True, kind=RunKind.PBC)
    drain(run)
    run.overlap(1.0)
    _, events = drain(run)
    assert events == [PbcOverlapDetected(), RunEnded(False)]


def test_a_named_authenticator_is_the_only_one_heard_but_the_pae_group_names_none():
    for bssid, heard in ((AP, True), (b"\x02" * 6, False), (PAE_GROUP_ADDR, True)):
        run = new_run(bssid=bssid)
        events = shuttle(run, WscAp())
        assert (events[-1:] == [RunEnded(True)]) is heard


# -- a configured eap=WSC network's run (station/profile.py): no walk time, its own identity, a method that
# may refuse to start ------------------------------------------------------------------------------------------


def profile_run(**fields) -> wpsrun.WpsRun:
    """A configured network's run, past its first EAPOL-Start (at its start_when, which is also its clock)."""
    request = RunRequest(fields.pop("kind", RunKind.PIN), None, fields.pop("pin", PIN), network_id=0, **fields)
    run = wpsrun.WpsRun(request, DEVICE, 0.0, wireless=False, walk_time=None)
    run.handle_timer(run.get_timer())
    return run


def test_a_configured_network_waits_for_the_authenticator_before_its_eapol_start():
    for key_mgmt_wps, start_when in ((True, wpsrun.START_WHEN_WPS), (False, wpsrun.START_WHEN)):
        run = wpsrun.WpsRun(RunRequest(RunKind.PIN, None, PIN, network_id=0, key_mgmt_wps=key_mgmt_wps), DEVICE,
                            0.0, wireless=False, walk_time=None)
        assert drain(run) == ([], []) and run.state is RS.STARTING and run.get_timer() == start_when
        run.handle_timer(start_when)
        actions, _ = drain(run)
        assert [a.frames for a in actions] == [[bytes([1, 1, 0, 0])]]  # EAPOL-Start, then every 5 s
        assert run.get_timer() == start_when + wpsrun.EAPOL_START_INTERVAL


def sent_eap(actions) -> list[bytes]:
    """The EAP packets of EAPOL-Packet frames the run sent."""
    return [f[4:] for a in actions if isinstance(a, wpsrun.SendFrames) for f in a.frames if f[1] == 0]


def test_a_configured_network_has_no_walk_time():
    run = profile_run()
    drain(run)
    first = wpsrun.START_WHEN_WPS + wpsrun.EAPOL_START_INTERVAL
    assert run.get_timer() == first and run.remaining(500.0) == 0.0
    run.handle_timer(first)
    assert run.state is RS.STARTING and run.get_timer() == first + wpsrun.EAPOL_START_INTERVAL  # no WPS-TIMEOUT


def test_the_networks_identity_goes_out_even_an_unexpected_one():
    ap = WscAp()
    run = profile_run(identity=b"WFA-SimpleConfig-Enrollee-unexpected", refusal="unexpected identity")
    actions, _ = drain(run)
    for frame in (f for a in actions for f in a.frames):
        for reply in ap.receive(frame):  # EAP-Request/Identity
            run.receive(AP, reply, 1.0)
    actions, _ = drain(run)
    assert sent_eap(actions)[0][4:] == b"\x01WFA-SimpleConfig-Enrollee-unexpected"


def test_a_refused_method_naks_and_a_wps_run_ends_at_the_eap_failure():
    """WPS_REG-like settings the method cannot start with (hostap's eap_wsc_init fails): an expanded Nak naming
    no method, METHOD_REFUSED (EXCHANGING -> FINISHING), then the AP's EAP-Failure ends the run."""
    ap = WscAp()
    run = profile_run(kind=RunKind.REG, refusal="missing new_auth")
    events = shuttle(run, ap)
    refused = [e for e in events if isinstance(e, EapMethodRefused)]
    assert refused == [EapMethodRefused("missing new_auth")]
    assert run.ended and run.failed and events[-1] == RunEnded(False)
    nak = ap.received[-1][4:]
    assert nak[4:] == bytes([254]) + EXPANDED_NAK + bytes([254]) + bytes(7)  # vendor 0 type 0: no other method


def test_the_method_refused_row_moves_a_wps_run_to_finishing():
    run = profile_run(kind=RunKind.REG, refusal="missing new_auth")
    run.state = RS.EXCHANGING
    run._fire(RI.METHOD_REFUSED, 1.0)
    assert run.state is RS.FINISHING and run.get_timer() == 1.0 + wpsrun.FINISH_WAIT


def test_an_8021x_network_waits_out_the_held_period_after_a_refusal():
    """key_mgmt=IEEE8021X: no WPS bookkeeping; the EAP-Failure is an attempt without an outcome and EAPOL starts
    again after 802.1X's heldPeriod (60 s), not WPS's retry delay."""
    run = profile_run(refusal="phase1 not set", key_mgmt_wps=False)
    events = shuttle(run, WscAp(), now=wpsrun.START_WHEN)
    assert any(isinstance(e, EapMethodRefused) for e in events) and not run.failed
    assert run.state is RS.PAUSED and run.get_timer() == wpsrun.START_WHEN + wpsrun.HELD_PERIOD
    run.handle_timer(wpsrun.START_WHEN + wpsrun.HELD_PERIOD)
    assert run.state is RS.STARTING and run.attempts == 2


def test_wps_reg_with_wep_settings_is_refused_at_the_method_too():
    cred = Credential(b"wep", AuthType.OPEN, EncrType.WEP, b"12345")
    run = wpsrun.WpsRun(RunRequest(RunKind.REG, None, PIN, cred), DEVICE, 0.0, wireless=False, walk_time=120.0)
    events = shuttle(run, WscAp())
    assert [e for e in events if isinstance(e, EapMethodRefused)] and run.ended and not run.succeeded


def test_a_configured_pin_enrollee_with_a_password_id_sends_it_in_m1():
    ap = WscAp()
    run = profile_run(dev_password_id=int(DevicePasswordId.REGISTRAR_SPECIFIED))
    shuttle(run, ap)
    m1 = next(f for f in ap.received if b"\x10\x22\x00\x01\x04" in f)  # Message Type M1
    assert b"\x10\x12\x00\x02\x00\x05" in m1  # Device Password ID 5


# -- the connection: every row of its table --------------------------------------------------------------

CS, CI = conn.LinkState, conn.LinkInput
STORED = f'network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n}}\n'


def new_policy(conf: str = STORED, seen: bool = True) -> conn.ConnectionPolicy:
    config = parse(conf)
    table = BssTable()
    if seen:
        table.update([beacon()], 0.0)
    return conn.ConnectionPolicy(lambda: config, table, STA)


@pytest.mark.parametrize("state,what", [(s, i) for s, row in conn.TRANSITIONS.items() for i in row])
def test_every_connection_transition_lands_where_the_table_says(state, what):
    policy = new_policy()
    policy.target = policy._best(0.0, fresh_only=False)
    policy.state = state
    policy._fire(what, 1.0, choice=policy.target)
    expected = conn.TRANSITIONS[state][what]
    # SEARCH (asked for or not) and FOUND move on at once when the table offers a network (SCANNING -> ASSOCIATING)
    assert policy.state is expected or (what in (CI.SEARCH, CI.ASKED) and policy.state is CS.ASSOCIATING)


def test_start_without_results_asks_the_kernels_cache_then_scans_then_joins():
    policy = new_policy(seen=False)
    policy.kick(0.0)
    assert drain(policy)[0] == [conn.LoadCachedResults()] and policy.state is CS.SCANNING
    policy.scan_done(0.1, cached=True)
    assert drain(policy)[0] == [conn.Scan()]
    policy.scan_done(1.0)
    assert drain(policy)[0] == []  # still nothing: look again in RESCAN_INTERVAL
    assert policy.get_timer() == 1.0 + conn.RESCAN_INTERVAL
    policy.table.update([beacon()], 2.0)
    policy.handle_timer(6.0)
    assert drain(policy)[0] == [conn.Scan()]
    policy.scan_done(6.5)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and action.bss.bssid == AP and policy.state is CS.ASSOCIATING


ABSENT = 'network={\n\tssid="absent"\n\tkey_mgmt=NONE\n}\n'


def test_a_request_to_connect_says_network_not_found_from_recent_results_that_offer_nothing():
    """wpa_supplicant_fast_associate: on ENABLE_NETWORK, SELECT_NETWORK, RECONNECT (after DISCONNECT) or a
    back-off's end, results at most scan_res_valid_for_connect (5 s) old are chosen from first; when they offer
    nothing, CTRL-EVENT-NETWORK-NOT-FOUND at once, then a scan. Not when nobody asked (a start, a lost link), not
    from older results or results a BSS_FLUSH took away, and not while every enabled network is held back."""
    def asked(policy: conn.ConnectionPolicy, now: float, how=lambda p, now: p.kick(now, asked=True)) -> tuple:
        how(policy, now)
        return drain(policy)

    policy = new_policy(ABSENT)  # the table holds the last results (t=0): our AP, not the network
    assert asked(policy, 4.9) == ([conn.Scan()], [NetworkNotFound()])
    policy = new_policy(ABSENT)
    assert asked(policy, 5.1) == ([conn.Scan()], [])  # older than 5 s
    policy = new_policy(ABSENT)
    assert asked(policy, 1.0, lambda p, now: p.kick(now)) == ([conn.Scan()], [])  # nobody asked
    policy = new_policy(ABSENT)
    policy.table.flush(0, 0.5)
    assert asked(policy, 1.0)[1] == []
    policy = new_policy(ABSENT)
    policy.disconnect(0.5)
    assert asked(policy, 1.0, lambda p, now: p.kick(now, asked=True)) == ([], [])  # DISCONNECT holds
    assert asked(policy, 1.0, lambda p, now: p.reconnect(now)) == ([conn.Scan()], [NetworkNotFound()])
    assert asked(policy, 1.5, lambda p, now: p.reconnect(now)) == ([], [])  # RECONNECT without DISCONNECT
    policy = new_policy(ABSENT)
    assert asked(policy, 1.0, lambda p, now: p.select(None, now)) == ([conn.Scan()], [NetworkNotFound()])
    policy = new_policy(ABSENT)
    policy.backoffs.failed(b"absent", 0, 0.0)
    assert asked(policy, 1.0) == ([], [])  # held back: the selection waits for it
    policy = new_policy("")  # no network at all: wpa_supplicant's selection finds nothing too
    assert asked(policy, 1.0) == ([], [NetworkNotFound()]) and policy.state is CS.DISCONNECTED
    policy = new_policy()  # the network is in the results: joined from them, nothing said
    (action,), events = asked(policy, 1.0)
    assert isinstance(action, conn.Associate) and events == []


OPEN_NET = 'network={\n\tssid="open"\n\tkey_mgmt=NONE\n}\n'


def open_beacon(privacy: bool = False, rsn: bool = False) -> ScanEntry:
    ies = bytes([0, 4]) + b"open" + (bytes([48, 20, 1, 0, 0, 0x0F, 0xAC, 4, 1, 0, 0, 0x0F, 0xAC, 4, 1, 0, 0, 0x0F,
                                            0xAC, 2, 0, 0]) if rsn else b"")
    return ScanEntry(AP, 2412, -3000, 0x0401 | (0x10 if privacy else 0), 100, ies)


def test_an_open_network_is_joined_on_association_without_a_handshake():
    """key_mgmt=NONE: a BSS without Privacy and WPA/RSN elements is associated with no element and no crypto,
    and the link is up at once (COMPLETED, CTRL-EVENT-CONNECTED); an EAPOL-Key frame then is nobody's."""
    policy = new_policy(OPEN_NET, seen=False)
    policy.table.update([open_beacon()], 0.0)
    policy.kick(1.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and action.ies == b"" and action.crypto is None
    policy.associated(1.1)
    assert policy.state is CS.COMPLETED and policy.get_timer() is None
    assert drain(policy) == ([conn.SetOperState(True)], [Connected(AP, 0, "")])
    policy.eapol_key(AP, bytes(99), 1.2)
    assert drain(policy) == ([], []) and policy.state is CS.COMPLETED
    for entry in (open_beacon(privacy=True), open_beacon(rsn=True)):  # not open after all: not this network
        policy = new_policy(OPEN_NET, seen=False)
        policy.table.update([entry], 0.0)
        policy.kick(1.0)
        assert drain(policy)[0] == [conn.Scan()]
    policy = new_policy(STORED.replace("pywps-test", "open"), seen=False)  # a WPA-PSK network: not an open BSS
    policy.table.update([open_beacon()], 0.0)
    policy.kick(1.0)
    assert drain(policy)[0] == [conn.Scan()]


def test_the_choice_is_the_first_bss_of_the_last_results_in_the_highest_priority_group():
    """wpa_supplicant_pick_network: networks by priority, highest first; in the first group with a match, the first
    BSS of the last results, in the order the station folded them (wpa_scan_result_compar: a 5 GHz BSS before
    a slightly stronger 2.4 GHz one), not the strongest signal; a BSS only older results saw is not chosen."""
    five, two = bytes.fromhex("020000000005"), bytes.fromhex("020000000002")
    in_order = [beacon(five, signal=-3400, freq=5180), beacon(two, signal=-3000, freq=2412)]
    policy = new_policy(seen=False)
    policy.table.update(in_order, 0.0)
    policy.kick(1.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and action.bss.bssid == five
    other = STORED.replace(SSID.decode(), "other").replace("}", "\tpriority=1\n}")
    policy = new_policy(STORED + other, seen=False)
    policy.table.update([*in_order, beacon(AP, ssid=b"other", signal=-7000)], 0.0)
    policy.kick(1.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and action.bss.bssid == AP  # priority 1 first, however weak
    policy = new_policy(seen=False)
    policy.table.update(in_order, 0.0)
    policy.table.update([beacon(b"\x02" * 6, ssid=b"elsewhere")], 0.5)  # a later scan that saw neither
    assert policy.finds_a_network(0.5) is False
    policy.kick(1.0)
    assert drain(policy)[0] == [conn.Scan()]


def test_a_scan_commands_results_are_chosen_from_as_the_policys_own():
    """wpa_supplicant chooses from the results of every scan of its own, a SCAN command's too: a network that
    appears in them is joined at once, not at the next scan of the policy's; with nothing in them, the policy's
    next scan waits SCAN_INTERVAL from then. A scan of the policy's under way answers for itself."""
    policy = new_policy(seen=False)
    policy.kick(0.0)
    assert drain(policy)[0] == [conn.LoadCachedResults()]
    policy.scan_done(0.0, cached=True)
    assert drain(policy)[0] == [conn.Scan()]
    policy.manual_scan_done(0.5)  # the policy's scan is under way: it will answer scan_done()
    assert drain(policy)[0] == [] and policy.get_timer() is None
    policy.scan_done(1.0)
    assert policy.get_timer() == 1.0 + conn.RESCAN_INTERVAL
    policy.manual_scan_done(3.0)  # a SCAN command's, which heard nothing either
    assert drain(policy)[0] == [] and policy.get_timer() == 3.0 + conn.RESCAN_INTERVAL
    policy.table.update([beacon()], 4.0)  # then one that hears the network
    policy.manual_scan_done(4.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and policy.state is CS.ASSOCIATING


def test_select_network_freq_names_the_next_scans_channels_once():
    """SELECT_NETWORK <id> freq=: the next scan that has no channels of its own covers those (wpa_supplicant's
    select_network_scan_freqs), the ones after it every channel; the networks' scan_freq come first, and the
    channels wait for a scan that has none."""
    policy = new_policy(ABSENT, seen=False)
    policy.table.update([beacon(b"\x02" * 6, ssid=b"elsewhere")], 0.0)
    policy.select(0, 0.0, freqs=(2437, 2462))
    assert drain(policy) == ([conn.Scan((2437, 2462))], [NetworkNotFound()])  # the last results: nothing
    policy.scan_done(1.0)
    policy.handle_timer(policy.get_timer())
    assert drain(policy)[0] == [conn.Scan()]
    policy = new_policy(ABSENT.replace("}", "\tscan_freq=2412\n}"), seen=False)
    policy.table.update([beacon(b"\x02" * 6, ssid=b"elsewhere")], 0.0)
    policy.select(0, 0.0, freqs=(2437,))
    assert drain(policy)[0] == [conn.Scan((2412,))]
    policy.config().network(0).set("scan_freq", "x")  # then the next scan has none of its own
    policy.scan_done(1.0)
    policy.handle_timer(policy.get_timer())
    assert drain(policy)[0] == [conn.Scan((2437,))]


def test_a_scan_that_could_not_start_is_tried_again_a_second_later():
    """wpas_trigger_scan_cb: a scan the kernel refused is asked for again in 1 s (not SCAN_INTERVAL), however
    often; one that runs and finds nothing waits SCAN_INTERVAL as before."""
    policy = new_policy(ABSENT, seen=False)
    policy.table.update([beacon(b"\x02" * 6, ssid=b"elsewhere")], 0.0)
    policy.kick(0.0)
    now = 0.0
    for _ in range(3):
        assert drain(policy)[0] == [conn.Scan()]
        policy.scan_failed(now)
        assert policy.state is CS.SCANNING and policy.get_timer() == now + conn.SCAN_FAILED_RETRY
        now = policy.get_timer()
        policy.handle_timer(now)
    assert drain(policy)[0] == [conn.Scan()]
    policy.scan_done(now)
    assert policy.get_timer() == now + conn.RESCAN_INTERVAL


def test_a_network_with_a_bssid_joins_that_bss_alone_and_a_scan_without_it_finds_nothing():
    """wpa_scan_res_match: `bssid=` locks a network to one BSS, however strong the others of its SSID; after a
    scan whose results hold its SSID only elsewhere, or only with a security it cannot use, the selection finds
    nothing (CTRL-EVENT-NETWORK-NOT-FOUND)."""
    other = bytes.fromhex("020000000200")
    locked = STORED.replace("}", f"\tbssid={other.hex(':')}\n}}")
    policy = new_policy(locked, seen=False)
    policy.table.update([beacon(signal=-2000), beacon(other, signal=-6000)], 0.0)
    assert policy.finds_a_network(0.0) is True
    policy.kick(1.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Associate) and action.bss.bssid == other
    policy = new_policy(locked, seen=False)
    policy.table.update([beacon()], 0.0)
    assert policy.finds_a_network(0.0) is False
    policy.kick(1.0)
    assert drain(policy)[0] == [conn.Scan()]
    policy = new_policy(OPEN_NET, seen=False)
    policy.table.update([open_beacon(rsn=True, privacy=True)], 0.0)
    assert policy.finds_a_network(0.0) is False
    policy.table.update([open_beacon()], 1.0)
    assert policy.finds_a_network(1.0) is True


@pytest.mark.parametrize("conf,found", [("", False), (STORED, True),
                                        (STORED.replace(SSID.decode(), "elsewhere"), False)])
def test_a_selection_that_finds_nothing_past_the_ignore_list_clears_it(conf, found):
    """wpa_supplicant_pick_network after a scan of its own, with the AP in the ignore list: no network, or none
    of the AP's, finds nothing and clears the list; the AP's own network (the only one enabled: any count skips)
    is found once the list is cleared (test_hwsim_wps_ignore compares the SCAN case with wpa_supplicant)."""
    policy = new_policy(conf)
    policy.ignored.add(AP, 0.0)
    assert policy.finds_a_network(0.5) is found and not policy.ignored


@pytest.mark.parametrize("limit,joined", [
    ("", "02:00:00:00:00:01"),  # none: the first of the results (here the strongest, too)
    ("bssid_ignore=02:00:00:00:00:01", "02:00:00:00:00:02"),
    ("bssid_ignore=02:00:00:00:00:00/ff:ff:ff:ff:ff:00", None),  # the mask covers all three
    ("bssid_blacklist=02:00:00:00:00:01 02:00:00:00:00:02", "02:00:00:00:00:03"),  # the older name
    ("bssid_accept=02:00:00:00:00:03", "02:00:00:00:00:03"),
    ("bssid_accept=02:00:00:00:00:02/ff:ff:ff:ff:ff:fe", "02:00:00:00:00:02"),  # 02 and 03: 02 is stronger
    ("bssid_whitelist=02:00:00:00:00:09", None),
    ("freq_list=2437 5180", "02:00:00:00:00:02"),
    ("freq_list=5180", None),
    ("freq_list=2412 2462\n\tbssid_ignore=02:00:00:00:00:01", "02:00:00:00:00:03"),
    ("bssid_hint=02:00:00:00:00:03", "02:00:00:00:00:01"),  # a hint for drivers that choose: no limit
    ("scan_freq=2462", "02:00:00:00:00:01"),  # where to scan, not what to join
])
def test_a_networks_bssid_and_channel_limits_choose_among_the_aps_of_its_ssid(limit, joined):
    """wpa_scan_res_ok: bssid_ignore and bssid_accept (addresses under masks) and freq_list leave a network only
    the BSSs they allow; with none left, the selection finds nothing (CTRL-EVENT-NETWORK-NOT-FOUND)."""
    aps = [(bytes.fromhex(f"02000000000{i}"), freq, signal)
           for i, freq, signal in ((1, 2412, -2000), (2, 2437, -3000), (3, 2462, -4000))]
    policy = new_policy(STORED.replace("}", f"\t{limit}\n}}"), seen=False)
    policy.table.update([beacon(bssid, freq=freq, signal=signal) for bssid, freq, signal in aps], 0.0)
    assert policy.finds_a_network(0.0) is (joined is not None)
    policy.kick(1.0)
    (action,), _ = drain(policy)
    if joined is None:
        assert action == conn.Scan()
    else:
        assert isinstance(action, conn.Associate) and action.bss.bssid.hex(":") == joined


MFPC, MFPR = 0x0080, 0x0040


@pytest.mark.parametrize("bip,pmf,ieee80211w,capabilities,element,use_mfp", [
    # unset: the global pmf's, 0
    (True, "", "", 0, 0, 0), (True, "", "", MFPC, 0, 0), (True, "", "", MFPC | MFPR, None, None),
    (True, "", "ieee80211w=0", MFPC | MFPR, None, None),  # an AP that requires MFP is not joined without it
    # optional: our element says MFPC whatever the AP says; with an AP capable of it, it is used (and required of
    # the kernel); with one that is not, the kernel is asked for "optional" only if it says it takes that
    (True, "", "ieee80211w=1", 0, MFPC, 1), (True, "", "ieee80211w=1", MFPC, MFPC, 2),
    (True, "", "ieee80211w=1", MFPC | MFPR, MFPC, 2),
    (True, "", "ieee80211w=2", 0, None, None), (True, "", "ieee80211w=2", MFPC, MFPC | MFPR, 2),
    (True, "pmf=1", "", MFPC, MFPC, 2),  # the global setting for a network that leaves ieee80211w unset
    (True, "pmf=2", "", MFPC, MFPC | MFPR, 2), (True, "pmf=2", "", 0, None, None),
    (True, "pmf=2", "ieee80211w=1", 0, MFPC, 1),  # but not for one that sets it
    # a radio without BIP: wpa_supplicant takes the global pmf=1 as none; pywps also joins an optional network
    # without protection (wpa_supplicant would try and fail at the IGTK) and no network that requires it
    (False, "pmf=1", "", MFPC, 0, 0), (False, "", "ieee80211w=1", MFPC, 0, 0),
    (False, "", "ieee80211w=1", MFPC | MFPR, None, None), (False, "", "ieee80211w=2", MFPC, None, None),
])
def test_management_frame_protection_decides_which_aps_a_network_joins(bip, pmf, ieee80211w, capabilities,
                                                                        element, use_mfp):
    """wpa_supplicant_ssid_bss_match's MFP checks (the RSN capabilities' MFPC and MFPR against the network's
    ieee80211w or the global pmf: wpas_get_ssid_pmf), the capabilities of our RSN element (rsn_supp_capab), its
    management group suite when both sides protect (wpas_set_mgmt_group_cipher) and what the kernel is asked
    for (wpas_start_assoc_cb's mgmt_frame_protection). `element`: our element's capabilities, None: not joined."""
    rsn = SSID_ELEMENT + RSN_CCMP[:-2] + capabilities.to_bytes(2, "little")
    policy = new_policy(f"{pmf}\n" + STORED.replace("}", f"\t{ieee80211w}\n}}"), seen=False)
    policy.bip = lambda: bip
    policy.table.update([ScanEntry(AP, 2412, -3000, 0x0411, 100, rsn)], 0.0)
    assert policy.finds_a_network(0.0) is (element is not None)
    if element is not None:
        policy.kick(1.0)
        (action,), _ = drain(policy)
        protected = bool(element) and bool(capabilities & MFPC)
        expected = build_rsn_ie(Cipher.CCMP, Cipher.CCMP, Akm.PSK, element, Cipher.BIP_CMAC_128 if protected else None)
        assert isinstance(action, conn.Associate) and action.ies == expected
        assert action.crypto is not None and action.crypto.mfp == use_mfp


SSID_ELEMENT = bytes([0, len(SSID)]) + SSID


@pytest.mark.parametrize("mode,joined", [("", True), ("mode=0", True), ("mode=1", False), ("mode=2", False),
                                         ("mode=5", False), ("mode=-1", False)])
def test_only_an_infrastructure_network_is_joined(mode, joined):
    """mode=0 (the default) is a station in a BSS; wpa_supplicant would start an IBSS, an AP, a P2P group or a
    mesh for the other modes, which pywps cannot: such a network is stored, saved and never joined."""
    policy = new_policy(STORED.replace("}", f"\t{mode}\n}}"), seen=False)
    policy.table.update([beacon(AP)], 0.0)
    assert policy.finds_a_network(0.0) is joined


def test_the_global_pmf_leaves_open_networks_alone():
    policy = new_policy("pmf=2\n" + OPEN_NET, seen=False)
    policy.table.update([open_beacon()], 0.0)
    assert policy.finds_a_network(0.0) is True


def test_scans_for_stored_networks_cover_their_scan_freq_when_each_enabled_one_has_one():
    """wpa_supplicant_scan: when every enabled network has a scan_freq, a scan for them covers the union of those
    channels (sorted, once each), before the after-WPS channel; one enabled network without one (or a union past
    ~100 channels) means every channel. A disabled network does not count."""
    def first_scan(conf: str, wps_freq: int | None = None) -> conn.Scan:
        policy = new_policy(conf, seen=False)
        policy.table.update([beacon(b"\x02" * 6, ssid=b"elsewhere")], 0.0)  # results, none of ours: a scan
        if wps_freq:
            policy.suspend(0.0)
            drain(policy)
            policy.resume(0.0, wps_freq=wps_freq)
        else:
            policy.kick(0.0)
        (action,), _ = drain(policy)
        return action

    two = STORED.replace("}", "\tscan_freq=2462 2412\n}") + ABSENT.replace("}", "\tscan_freq=2412 5180\n}")
    assert first_scan(two) == conn.Scan((2412, 2462, 5180))
    assert first_scan(two, wps_freq=2437) == conn.Scan((2412, 2462, 5180))
    assert first_scan(STORED + ABSENT.replace("}", "\tscan_freq=5180\n}")) == conn.Scan()
    assert first_scan(STORED.replace("}", "\tscan_freq=2437\n}") + ABSENT.replace("}", "\tdisabled=1\n}")) == \
        conn.Scan((2437,))
    def many(count: int) -> str:  # networks of 4 channels each, the same 4
        return "".join(ABSENT.replace("absent", f"n{i}").replace("}", "\tscan_freq=2412 2417 2422 2427\n}")
                       for i in range(count))

    assert first_scan(many(25)) == conn.Scan((2412, 2417, 2422, 2427))  # 96 gathered before the last: added
    assert first_scan(many(26)) == conn.Scan()  # 100 gathered (duplicates count) before the last: every channel
    assert first_scan(ABSENT, wps_freq=2437) == conn.Scan((2437,))


def test_after_a_wps_credential_the_runs_channel_is_scanned_five_times_quickly_and_quietly():
    """wpa_supplicant's after_wps: once a run stored a credential, the next 5 scans cover only the run's channel;
    while more of them are left, they come half a second apart and say no CTRL-EVENT-NETWORK-NOT-FOUND; the last
    one does (its count is spent), and then every channel is scanned, every SCAN_INTERVAL."""
    policy = new_policy(ABSENT)
    policy.suspend(0.0)
    drain(policy)
    policy.resume(0.0, wps_freq=2437)
    now = 0.0
    for left in reversed(range(conn.AFTER_WPS_SCANS)):
        assert drain(policy)[0] == [conn.Scan((2437,))]
        policy.table.update([beacon()], now)
        assert policy.finds_a_network(now) is (False if left == 0 else None)  # None: no NETWORK-NOT-FOUND
        policy.scan_done(now)
        assert policy.get_timer() == now + (conn.RESCAN_INTERVAL if left == 0 else conn.AFTER_WPS_RESCAN)
        now = policy.get_timer()
        policy.handle_timer(now)
    assert drain(policy)[0] == [conn.Scan()]
    policy = new_policy(ABSENT)  # a request to connect during the after-WPS scans says nothing either
    policy.suspend(0.0)
    policy.resume(0.0, wps_freq=2437)
    policy.select(None, 0.1)
    assert drain(policy) == ([conn.Scan((2437,))], [])  # the scan asked for on resume; no NETWORK-NOT-FOUND
    policy = new_policy()  # the credential's network is on the air: joined at once, and no more after-WPS scans
    policy.suspend(0.0)
    policy.resume(0.0, wps_freq=2437)
    handshake_to_completion(policy, FakeAp())
    policy.port_authorized(1.5)
    assert policy.state is CS.COMPLETED
    policy.disconnect(2.0)
    drain(policy)
    policy.reconnect(20.0)  # the results are old by now: a scan, of every channel
    assert drain(policy)[0] == [conn.Scan()]


def handshake_to_completion(policy: conn.ConnectionPolicy, ap: FakeAp, now: float = 1.0) -> list:
    policy.kick(now)
    (association,), _ = drain(policy)
    policy.associated(now)
    assert policy.state is CS.FOUR_WAY_HANDSHAKE and policy.get_timer() == now + conn.HANDSHAKE_TIMEOUT
    actions = []
    pending = ap.associated(association.crypto, ies=association.ies)
    while pending:
        frame = pending.pop(0)
        policy.eapol_key(AP, frame, now)
        new, _ = drain(policy)
        actions += new
        for a in new:
            if isinstance(a, SendEapol):
                pending += ap.receive(a.pdu) or []
    return actions


def connected_policy() -> tuple[conn.ConnectionPolicy, FakeAp]:
    """A policy whose link to a FakeAp is up, its events and actions taken."""
    policy = new_policy()
    ap = FakeAp()
    handshake_to_completion(policy, ap)
    policy.port_authorized(1.5)
    drain(policy)
    return policy, ap


def test_the_4way_handshake_steps_come_in_order_and_connected_comes_after_the_port():
    policy = new_policy()
    actions = handshake_to_completion(policy, FakeAp())
    kinds = [type(a) for a in actions]
    assert kinds == [SendEapol, SendEapol, InstallPairwiseKey, InstallGroupKey, conn.AuthorizePort]
    assert drain(policy)[1] == []
    policy.port_authorized(1.5)
    # wpa_supplicant's "WPA: Key negotiation completed with ..." comes just before CTRL-EVENT-CONNECTED
    assert policy.state is CS.COMPLETED and drain(policy)[1] == [KeyNegotiated(AP, "CCMP", "CCMP"),
                                                                 Connected(AP, 0, "")]


def test_rekeys_after_the_link_is_up_are_told_as_wpa_supplicant_tells_them():
    """A group rekey: "WPA: Group rekeying completed with ..."; a PTK rekey: "WPA: Key negotiation completed
    with ..." again (wpa_supplicant_key_neg_complete runs for it too)."""
    policy, ap = connected_policy()
    policy.eapol_key(AP, ap.wpa.group1(bytes([0x62]) * 16, 2), 2.0)
    actions, events = drain(policy)
    # said once the new key is in and the answer sent, as wpa_supplicant says it: a client that acts on the word
    # (the AP's next BIP-protected frame) meets the new keys (the events of the policy go out at once)
    assert [type(a) for a in actions] == [InstallGroupKey, SendEapol, conn.Announce] and events == []
    assert actions[-1].event == GroupRekeyCompleted(AP, "CCMP")
    policy.eapol_key(AP, ap.wpa.msg1(anonce=bytes([0xA1]) * 32), 3.0)
    (message2,), _ = drain(policy)
    ap.wpa.check_msg2(message2.pdu)
    policy.eapol_key(AP, ap.wpa.msg3(), 3.1)
    actions, events = drain(policy)
    assert [type(a) for a in actions] == [SendEapol, InstallPairwiseKey, conn.Announce]  # the same GTK: kept
    assert actions[-1].event == KeyNegotiated(AP, "CCMP", "CCMP") and events == [] and policy.state is CS.COMPLETED


def test_a_rekey_key_the_kernel_refuses_ends_the_link_with_reason_1_and_says_no_rekey():
    """wpa_supplicant_process_1_of_2 deauthenticates with WLAN_REASON_UNSPECIFIED when the GTK will not install
    (pywps said reason 3; a refusal can come when the AP's deauthentication has just ended the link)."""
    policy, ap = connected_policy()
    policy.eapol_key(AP, ap.wpa.group1(bytes([0x62]) * 16, 2), 2.0)
    install = policy.next_action()
    assert isinstance(install, InstallGroupKey)
    policy.action_failed(install, "No link", 2.1)
    actions, _ = drain(policy)
    leave = next(a for a in actions if isinstance(a, conn.Leave))
    assert leave.reason == conn.REASON_UNSPECIFIED and policy.state is not CS.COMPLETED


def test_an_eapol_key_frame_dropped_is_said_to_monitors_as_wpa_supplicant_says_it():
    """A group message with a wrong MIC, then one replayed: "WPA: Invalid EAPOL-Key MIC - dropping packet" and
    "WPA: EAPOL-Key Replay Counter did not increase - dropping packet", both at MSG_WARNING; the link stays."""
    from pywps.ctrl.events import event_level, event_texts

    policy, ap = connected_policy()
    good = ap.wpa.group1(bytes([0x62]) * 16, 2)
    policy.eapol_key(AP, good[:81] + bytes(16) + good[97:], 2.0)
    policy.eapol_key(AP, ap.wpa.group1(bytes([0x62]) * 16, 2, replay=1), 2.1)
    actions, events = drain(policy)
    assert actions == [] and policy.state is CS.COMPLETED
    assert [(event_level(e), *event_texts(e)) for e in events] == [
        (4, "WPA: Invalid EAPOL-Key MIC - dropping packet"),
        (4, "WPA: EAPOL-Key Replay Counter did not increase - dropping packet")]
    policy.eapol_key(AP, good, 2.2)
    assert conn.Announce(GroupRekeyCompleted(AP, "CCMP")) in drain(policy)[0]


def test_the_handshake_sends_the_configured_eapol_version():
    """wpa_supplicant puts `eapol_version` (1 unless set) into every EAPOL frame it sends, key frames too."""
    for conf, version in ((STORED, 1), ("eapol_version=2\n" + STORED, 2)):
        actions = handshake_to_completion(new_policy(conf), FakeAp())
        assert [a.pdu[0] for a in actions if isinstance(a, SendEapol)] == [version, version]


def test_message_1_before_the_association_event_is_kept_for_it():
    # The AP's message 1 and the kernel's association event come on two sockets; when the frame wins, it is
    # used once the event comes (wpa_supplicant's pending_eapol_rx), not dropped until the AP's retry 1 s later.
    policy = new_policy()
    policy.kick(1.0)
    drain(policy)
    ap = FakeAp()
    (message1,) = ap.associated(crypto=True)
    policy.eapol_key(AP, message1, 1.0)
    assert drain(policy)[0] == [] and policy.state is CS.ASSOCIATING
    policy.associated(1.0 + EARLY_FRAME_MAX_AGE / 2)
    (message2,), _ = drain(policy)
    assert isinstance(message2, SendEapol) and ap.receive(message2.pdu)  # the AP takes it and answers


def test_a_disconnect_while_associating_is_the_previous_links_and_the_join_goes_on():
    # After WPS, hostapd deauthenticates us (reason 23) ~10 ms after its EAP-Failure; seen in the hwsim VM, that
    # event reached pywps after it had asked for the new association. The attempt under way reports its own
    # outcome: no scan and re-join after it, no second association.
    policy = new_policy()
    policy.resume(1.0)  # the WPS run is over: join the stored network from the results in hand
    (associate,), _ = drain(policy)
    assert isinstance(associate, conn.Associate) and policy.state is CS.ASSOCIATING
    policy.link_lost(3, False, 1.05)
    assert policy.state is CS.ASSOCIATING and drain(policy) == ([], []) and policy.get_timer() is None
    policy.associated(1.1)
    assert policy.state is CS.FOUR_WAY_HANDSHAKE
    ap = FakeAp()
    (message1,) = ap.associated(crypto=True)
    policy.eapol_key(AP, message1, 1.2)
    (message2,), _ = drain(policy)
    assert isinstance(message2, SendEapol) and ap.receive(message2.pdu)  # the handshake goes on with the AP


def test_a_disconnect_once_associated_is_a_lost_link():
    policy = new_policy()
    policy.kick(1.0)
    drain(policy)
    policy.associated(1.1)
    policy.link_lost(3, True, 1.2)
    assert policy.state is CS.DISCONNECTED and policy.get_timer() == 1.2 + conn.LOST_LINK_RESCAN


def test_an_early_message_1_older_than_wpa_supplicants_limit_is_dropped():
    policy = new_policy()
    policy.kick(1.0)
    drain(policy)
    (message1,) = FakeAp().associated(crypto=True)
    policy.eapol_key(AP, message1, 1.0)
    policy.associated(1.0 + EARLY_FRAME_MAX_AGE + 0.01)
    assert drain(policy)[0] == [] and policy.state is CS.FOUR_WAY_HANDSHAKE


def message_2_sent(policy: conn.ConnectionPolicy, now: float) -> None:
    """The association asked for is made, and the AP's message 1 answered: the 4-way handshake is under way."""
    drain(policy)
    assert policy.state is CS.ASSOCIATING
    security = policy.target.security
    policy.associated(now)
    (message_1,) = FakeAp().associated(security.link_crypto(), ies=security.own_ie)
    policy.eapol_key(AP, message_1, now)
    assert [type(a) for a in drain(policy)[0]] == [SendEapol]


@pytest.mark.parametrize("key_mgmt,said", [
    # wpas_auth_failed in wpa_supplicant 2.10: 10, 20, 30, then 60 s from the 4th failure, 90 from the 6th; from
    # the 4th wrong key in a row wpas_connection_failed counts another failure (CONN_FAILED), which says nothing
    # while its duration is not longer than the one running
    ("WPA-PSK", [[(1, 10, "WRONG_KEY")], [(2, 20, "WRONG_KEY")], [(3, 30, "WRONG_KEY")], [(4, 60, "WRONG_KEY")],
                 [(6, 90, "WRONG_KEY")], [(8, 90, "WRONG_KEY")]]),
    # the default key_mgmt has WPA-EAP: from the second failure on, up to 10 s a failure more at random (the
    # highest here; the VM's wpa_supplicant said duration=26 for a second failure), and CONN_FAILED's then outlasts
    (None, [[(1, 10, "WRONG_KEY")], [(2, 20 + 19, "WRONG_KEY")], [(3, 30 + 29, "WRONG_KEY")],
            [(4, 60 + 39, "WRONG_KEY"), (5, 60 + 49, "CONN_FAILED")],
            [(6, 90 + 59, "WRONG_KEY"), (7, 90 + 69, "CONN_FAILED")]]),
])
def test_wrong_key_backs_off_with_wpa_supplicants_durations_then_reenables(key_mgmt, said):
    from pywps.station.backoff import Backoffs

    stored = STORED if key_mgmt is None else STORED.replace("}", f"\tkey_mgmt={key_mgmt}\n}}")
    policy = new_policy(stored)
    policy.backoffs = Backoffs(randbelow=lambda n: n - 1)
    policy.kick(0.0)
    now = 0.0
    for disabled in said:
        assert policy.state is CS.ASSOCIATING
        message_2_sent(policy, now)
        policy.link_lost(3, False, now)  # the AP dropped us after message 2: our MIC was wrong
        _, events = drain(policy)
        assert events == [WrongKey(), *(SsidTempDisabled(0, SSID, *d) for d in disabled)]
        duration = disabled[-1][1]
        assert policy.backoffs.disabled(SSID, now + duration - 1) and not policy.backoffs.disabled(SSID, now + duration)
        assert policy.get_timer() == now + conn.LOST_LINK_RESCAN  # a scan all the same, as wpa_supplicant's
        policy.handle_timer(now + conn.LOST_LINK_RESCAN)
        assert drain(policy)[0] == [conn.Scan()]
        policy.table.update([beacon()], now + 0.5)
        policy.scan_done(now + 0.5)
        assert drain(policy) == ([], []) and policy.ignored.listed(now + 0.5) == [AP]  # no choice: the list stays
        policy.handle_timer(now + duration)
        assert SsidReenabled(0, SSID) in drain(policy)[1]  # and a scan: the results in hand are too old
        now += duration
        policy.table.update([beacon()], now)
        policy.scan_done(now)


def test_select_network_ends_its_back_off_and_forgets_its_failures():
    """wpa_supplicant_select_network clears the network's temporary disabling with its failures (wpas_clear_temp
    _disabled: CTRL-EVENT-SSID-REENABLED) and joins from the results in hand; the failures in a row of the
    connection attempts go on counting, so a fourth wrong key in a row says auth_failures=1 WRONG_KEY, then
    auth_failures=2 CONN_FAILED (as the VM's wpa_supplicant said it)."""
    policy = new_policy(STORED.replace("}", "\tkey_mgmt=WPA-PSK\n}"))
    policy.kick(0.0)
    for attempt in range(1, 5):
        now = 10.0 * attempt
        message_2_sent(policy, now)
        policy.link_lost(15, False, now + 4)
        _, events = drain(policy)
        conn_failed = [SsidTempDisabled(0, SSID, 2, 20, "CONN_FAILED")] if attempt == 4 else []
        assert events == [WrongKey(), SsidTempDisabled(0, SSID, 1, 10, "WRONG_KEY"), *conn_failed]
        policy.handle_timer(now + 4.1)
        assert drain(policy)[0] == [conn.Scan()]
        policy.table.update([beacon()], now + 4.2)
        policy.scan_done(now + 4.2)
        policy.select(0, now + 5)
        actions, events = drain(policy)
        assert events == [SsidReenabled(0, SSID)] and isinstance(actions[0], conn.Associate)


@pytest.mark.parametrize("was_disabled", [True, False])
def test_enable_network_ends_the_back_off_of_a_network_it_enables_alone(was_disabled):
    """wpa_supplicant_enable_one_network clears the temporary disabling of a network it enables (DISABLE_NETWORK,
    then ENABLE_NETWORK: CTRL-EVENT-SSID-REENABLED and a join from the results in hand); of one that was enabled
    already it does nothing, and the back-off runs on (test_hwsim_reenable compares the first with
    wpa_supplicant)."""
    policy = new_policy(STORED.replace("}", "\tkey_mgmt=WPA-PSK\n}"))
    policy.kick(0.0)
    message_2_sent(policy, 1.0)
    policy.link_lost(15, False, 5.0)
    assert SsidTempDisabled(0, SSID, 1, 10, "WRONG_KEY") in drain(policy)[1]
    policy.handle_timer(5.1)
    assert drain(policy)[0] == [conn.Scan()]  # the scan after a failure, whose results nothing is chosen from
    policy.table.update([beacon()], 5.5)
    policy.scan_done(5.5)
    policy.enable((0,) if was_disabled else (), 6.0)
    actions, events = drain(policy)
    if was_disabled:
        assert events == [SsidReenabled(0, SSID)] and isinstance(actions[0], conn.Associate)
        return
    assert events == [] and not any(isinstance(a, conn.Associate) for a in actions)
    # wpa_supplicant postpones its selection until the network comes back: SCANNING, with no scan, meanwhile
    while (when := policy.get_timer()) is not None and when < 15.0:
        policy.handle_timer(when)
        assert not any(isinstance(a, conn.Scan) for a in drain(policy)[0]) and policy.wpa_state == "SCANNING"
    assert policy.get_timer() == 15.0  # the back-off's end


@pytest.mark.parametrize("recent", [True, False])
def test_select_network_any_on_a_link_reassociates_without_leaving_it(recent):
    """wpa_supplicant_select_network(NULL): no deauthentication, reassociate=1: the choice from recent results
    (else from a scan made on the link) is joined by a reassociation, even with the BSS the link is on
    (test_hwsim_reassociate compares it with wpa_supplicant)."""
    policy, _ = connected_policy()
    now = 2.0 if recent else 2.0 + 5.1  # the table's results came at 0.0
    policy.select(None, now)
    actions, events = drain(policy)
    if not recent:
        assert actions == [conn.Scan()] and policy.state is CS.COMPLETED
        policy.table.update([beacon()], now + 1)
        policy.scan_done(now + 1)
        actions, events = drain(policy)
    assert not any(isinstance(a, conn.Leave) for a in actions) and events == []
    (association,) = [a for a in actions if isinstance(a, conn.Associate)]
    assert association.prev_bssid == AP and association.bss.bssid == AP and policy.state is CS.ASSOCIATING


@pytest.mark.parametrize("reattach", [False, True])
def test_reassociate_on_a_link_reassociates_without_leaving_it(reattach):
    """wpas_request_connection (REASSOCIATE, REATTACH): reassociate=1, as SELECT_NETWORK any; REATTACH's scan
    covers the link's channel alone."""
    policy, _ = connected_policy()
    policy.reassociate(2.0, reattach=reattach)
    actions, events = drain(policy)
    (association,) = [a for a in actions if isinstance(a, conn.Associate)]
    assert events == [] and association.prev_bssid == AP and not any(isinstance(a, conn.Leave) for a in actions)
    policy, _ = connected_policy()
    policy.reassociate(7.1, reattach=reattach)  # the results are older than 5 s
    assert drain(policy)[0] == [conn.Scan((2412,) if reattach else ())]


def test_select_network_of_the_network_the_link_is_with_leaves_the_link_alone():
    """wpa_supplicant_select_network: "Already associated with the selected network - do nothing"; another
    network's selection leaves the link first."""
    policy = new_policy(STORED + 'network={\n\tssid="other"\n\tpsk="12345678"\n}\n')
    handshake_to_completion(policy, FakeAp())
    policy.port_authorized(1.0)
    drain(policy)
    policy.select(0, 2.0)
    assert drain(policy) == ([], []) and policy.state is CS.COMPLETED
    policy.select(1, 3.0)
    assert drain(policy)[0][0] == conn.Leave() and policy.state is CS.SCANNING


def test_a_completed_link_the_ap_dropped_for_inactivity_is_joined_again_at_once():
    """wpa_supplicant's fast_reconnect: reason 4, 6 or 7 from the AP, not our own: the same BSS at once, without a
    scan (the VM's wpa_supplicant authenticates ~20 ms after CTRL-EVENT-DISCONNECTED reason=4); its own
    disconnect, or another reason, waits for the scan 0.1 s later."""
    for reason, locally_generated, at_once in ((4, False, True), (6, False, True), (7, False, True),
                                              (3, False, False), (4, True, False), (2, False, False)):
        policy = new_policy()
        handshake_to_completion(policy, FakeAp())
        policy.port_authorized(1.0)
        drain(policy)
        policy.link_lost(reason, locally_generated, 5.0)
        actions, _ = drain(policy)
        joins = [a for a in actions if isinstance(a, conn.Associate)]
        assert (joins[0].bss.bssid == AP and policy.state is CS.ASSOCIATING) if at_once else (
            joins == [] and policy.get_timer() == 5.0 + conn.LOST_LINK_RESCAN), (reason, locally_generated)


@pytest.mark.parametrize("message_1", [False, True])
def test_a_handshake_that_times_out_is_left_as_wpa_supplicant_leaves_it(message_1):
    """wpa_supplicant_timeout, 10 s after the association and again after the AP's first EAPOL frame: "Authentication
    with ... timed out.", the AP in the ignore list twice (there, and as a failed attempt), the link left with
    reason 3; a wrong key suspected (said after the disconnection) only once message 1 was taken. STATUS says
    ASSOCIATED before message 1, 4WAY_HANDSHAKE after."""
    policy = new_policy()
    policy.kick(0.0)
    (join,), _ = drain(policy)
    policy.associated(0.0)
    assert policy.wpa_state == "ASSOCIATED"
    deadline = conn.HANDSHAKE_TIMEOUT
    if message_1:
        (message,) = FakeAp().associated(join.crypto, ies=join.ies)
        policy.eapol_key(AP, message, 2.0)
        assert [type(a) for a in drain(policy)[0]] == [SendEapol] and policy.wpa_state == "4WAY_HANDSHAKE"
        deadline += 2.0
    assert policy.get_timer() == deadline
    policy.handle_timer(deadline)
    actions, events = drain(policy)
    (leave,) = [a for a in actions if isinstance(a, conn.Leave)]
    assert events == [AuthTimedOut(AP)] and leave.reason == conn.REASON_DEAUTH_LEAVING
    assert leave.then == ((WrongKey(), SsidTempDisabled(0, SSID, 1, 10)) if message_1 else ())
    assert policy.ignored.count(AP, deadline) == 2 and policy.get_timer() == deadline + conn.LOST_LINK_RESCAN


def test_the_link_is_operational_from_the_open_port_until_it_is_left():
    """wpa_supplicant's operstate: UP once the 4-Way Handshake has opened the port (not at association, when a
    DHCP client's frames would be dropped), DORMANT again when the link is left, after the deauthentication."""
    policy = new_policy()
    actions = handshake_to_completion(policy, FakeAp())
    assert not any(isinstance(a, conn.SetOperState) for a in actions)
    policy.port_authorized(1.5)
    assert drain(policy)[0] == [conn.SetOperState(True)]
    policy.disconnect(2.0)
    assert drain(policy)[0] == [conn.Leave(), conn.SetOperState(False)]
    policy.reconnect(3.0)
    policy.association_failed(3.1)  # never COMPLETED: nothing to say
    assert not any(isinstance(a, conn.SetOperState) for a in drain(policy)[0])


def test_a_disabled_interface_chooses_nothing_until_it_is_enabled():
    """INTERFACE_DISABLED: the lost link's rejoin, a kick and the rescan timer do nothing; enabled, it looks at
    once (wpa_supplicant's scan on EVENT_INTERFACE_ENABLED)."""
    policy = new_policy()
    handshake_to_completion(policy, FakeAp())
    policy.port_authorized(1.0)
    drain(policy)
    policy.interface_disabled(2.0)
    policy.link_lost(3, True, 2.0)
    drain(policy)
    for now in (3.5, 10.0, 20.0):
        policy.kick(now)
        policy.handle_timer(now)
        assert drain(policy)[0] == [] and policy.state is CS.DISCONNECTED
    policy.interface_enabled(30.0)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Scan)  # the results before are too old to join from


def test_an_interface_enabled_again_scans_before_it_joins_however_recent_its_results():
    """Down and up within a second, the results from before still fresh enough to join from: wpa_supplicant
    scans on EVENT_INTERFACE_ENABLED all the same (no fast associate there), and joins from that scan."""
    policy = new_policy()
    handshake_to_completion(policy, FakeAp())
    policy.port_authorized(1.0)
    policy.interface_disabled(1.5)
    policy.link_lost(3, True, 1.5)
    drain(policy)
    policy.interface_enabled(2.5)
    (action,), _ = drain(policy)
    assert isinstance(action, conn.Scan) and policy.table.last_results_valid(2.5)
    policy.table.update([beacon()], 3.0)
    policy.scan_done(3.0)
    assert isinstance(drain(policy)[0][0], conn.Associate)


def test_link_loss_when_completed_scans_at_once_and_joins_from_that_scan():
    """wpa_supplicant_event_disassoc_finish: a scan 0.1 s after the link went, even with results in hand; the AP
    is in the ignore list once (wpas_connection_failed), which a single network's choice clears to take it."""
    policy = new_policy()
    handshake_to_completion(policy, FakeAp())
    policy.port_authorized(1.0)
    drain(policy)
    policy.link_lost(3, False, 5.0)
    assert policy.state is CS.DISCONNECTED and policy.get_timer() == 5.0 + conn.LOST_LINK_RESCAN
    assert drain(policy)[0] == [conn.SetOperState(False)] and policy.ignored.count(AP, 5.0) == 1
    join = rescan_and_join(policy, 5.0 + conn.LOST_LINK_RESCAN)
    assert join.bss.bssid == AP and not policy.ignored


def test_disconnect_stays_off_until_reconnect_and_suspend_until_resume():
    policy = new_policy()
    handshake_to_completion(policy, FakeAp())
    policy.disconnect(2.0)
    assert drain(policy)[0] == [conn.Leave()] and policy.get_timer() is None
    policy.kick(3.0)
    assert policy.state is CS.DISCONNECTED
    policy.reconnect(4.0)
    assert policy.state is CS.ASSOCIATING
    policy.suspend(5.0)
    drain(policy)
    policy.kick(6.0)
    assert policy.state is CS.DISCONNECTED
    policy.resume(7.0)
    assert policy.state is CS.ASSOCIATING


def test_selected_network_only_and_a_reload_forgets_it():
    policy = new_policy(STORED + 'network={\n\tssid="other"\n\tpsk="12345678"\n}\n')
    policy.select(1, 0.0)
    assert policy.state is CS.SCANNING  # "other" is not on the air: only network 1 may be joined
    policy.networks_renumbered(1.0)
    # as wpa_supplicant's reload: a scan first (req_scan), not the results from before
    assert policy.selected is None and policy.state is CS.SCANNING
    assert not [action for action in drain(policy)[0] if isinstance(action, conn.Associate)]
    policy.table.update([beacon()], 1.5)
    policy.scan_done(1.5)
    assert policy.state is CS.ASSOCIATING


def test_no_enabled_network_means_disconnected_and_no_scan():
    policy = new_policy('network={\n\tssid="x"\n\tpsk="12345678"\n\tdisabled=1\n}\n')
    policy.kick(0.0)
    assert policy.state is CS.DISCONNECTED and drain(policy) == ([], [])


def test_a_backoff_shorter_than_the_one_running_is_not_said():
    """wpas_auth_failed: `now + duration <= disabled_until` leaves the network as it is, without an event."""
    from pywps.station.backoff import Backoffs

    backoffs = Backoffs(randbelow=lambda n: 0)
    assert backoffs.failed(SSID, 0, 0.0) == (1, 10)
    assert backoffs.failed(SSID, 0, 0.0) == (2, 20)
    backoffs.disable_for_good(SSID, 0)
    assert backoffs.failed(SSID, 0, 100.0) is None and backoffs.disabled(SSID, 10_000.0)


# -- connection attempts that fail (wpas_connection_failed) ------------------------------------------------------


def failed_attempt(policy: conn.ConnectionPolicy, now: float) -> tuple[float, list]:
    """The association under way fails at `now`: (the time of the scan that follows, the events said)."""
    assert policy.state is CS.ASSOCIATING
    policy.association_failed(now)
    actions, events = drain(policy)
    assert [type(a) for a in actions] == [conn.Leave] and policy.state is CS.DISCONNECTED
    return policy.get_timer(), events


def rescan_and_join(policy: conn.ConnectionPolicy, at: float, entries: list[ScanEntry] | None = None) -> conn.Associate:
    policy.handle_timer(at)
    (scan,), _ = drain(policy)
    assert isinstance(scan, conn.Scan)  # a scan first, not a choice from the results before
    policy.table.update(entries or [beacon()], at + 0.5)
    policy.scan_done(at + 0.5)
    (join,), _ = drain(policy)
    assert isinstance(join, conn.Associate)
    return join


def test_failed_attempts_scan_again_sooner_then_later_and_the_fourth_disables_the_network():
    """100 ms, 0.5 s, 1 s, 5 s, then 10 s to the next scan; from the fourth failure in a row on, the network is
    disabled for a while: CTRL-EVENT-SSID-TEMP-DISABLED ... reason=CONN_FAILED (the VM's wpa_supplicant said so
    after four association rejections, and duration=26 with auth_failures=2 after a fifth)."""
    policy = new_policy(STORED.replace("}", "\tkey_mgmt=WPA-PSK\n}"))
    policy.kick(0.0)
    drain(policy)
    now = 0.0
    for failures, wait in ((1, 0.1), (2, 0.5), (3, 1.0)):
        rescan_at, events = failed_attempt(policy, now)
        assert rescan_at == pytest.approx(now + wait) and events == []
        now = rescan_at
        rescan_and_join(policy, now)
    rescan_at, events = failed_attempt(policy, now)
    assert events == [SsidTempDisabled(0, SSID, 1, 10, "CONN_FAILED")] and rescan_at == now + 5
    policy.handle_timer(rescan_at)  # the scan is due all the same: its results serve the network's return
    assert drain(policy)[0] == [conn.Scan()]
    policy.table.update([beacon()], rescan_at + 0.5)
    policy.scan_done(rescan_at + 0.5)
    assert drain(policy)[0] == []
    policy.handle_timer(now + 10)
    assert SsidReenabled(0, SSID) in drain(policy)[1]  # joined again from the results: another failure, longer
    assert policy.state is CS.ASSOCIATING
    _, events = failed_attempt(policy, now + 10)
    assert events == [SsidTempDisabled(0, SSID, 2, 20, "CONN_FAILED")]


def test_a_link_up_forgets_the_failures_and_the_ap_in_the_ignore_list():
    policy = new_policy()
    policy.kick(0.0)
    drain(policy)
    rescan_at, _ = failed_attempt(policy, 0.0)
    assert policy.ignored.count(AP, rescan_at) == 1
    join = rescan_and_join(policy, rescan_at)
    policy.associated(1.0)
    ap = FakeAp()
    pending = ap.associated(join.crypto, ies=join.ies)
    while pending:
        policy.eapol_key(AP, pending.pop(0), 1.0)
        for a in drain(policy)[0]:
            if isinstance(a, SendEapol):
                pending += ap.receive(a.pdu) or []
    policy.port_authorized(1.5)
    drain(policy)
    assert policy.state is CS.COMPLETED and policy._failures == 0 and not policy.ignored


def test_after_a_failure_another_ap_of_the_network_is_tried_first_on_its_own_channel():
    """wpas_connection_failed: with another BSS of the ESS in the table, the failed one counts twice in the ignore
    list and the next scan covers the others' channels; a single enabled network skips an AP counted once,
    several skip one counted twice; with nothing else left, the list is cleared and the AP tried again."""
    other = bytes.fromhex("020000000300")
    policy = new_policy(seen=False)
    policy.table.update([beacon(signal=-3000), beacon(other, signal=-6000, freq=2462)], 0.0)
    policy.kick(0.0)
    (join,), _ = drain(policy)
    assert join.bss.bssid == AP
    rescan_at, _ = failed_attempt(policy, 0.0)
    assert policy.ignored.count(AP, rescan_at) == 2
    policy.handle_timer(rescan_at)
    (scan,), _ = drain(policy)
    assert scan == conn.Scan((2462,))
    policy.table.update([beacon(signal=-3000), beacon(other, signal=-6000, freq=2462)], rescan_at + 0.5)
    policy.scan_done(rescan_at + 0.5)
    (join,), _ = drain(policy)
    assert join.bss.bssid == other  # the weaker AP, the other one ignored
    rescan_at, _ = failed_attempt(policy, 1.0)
    assert policy.ignored.count(other, rescan_at) == 1  # counted once: AP stays in the list
    join = rescan_and_join(policy, rescan_at, [beacon(signal=-3000), beacon(other, signal=-6000, freq=2462)])
    assert join.bss.bssid == AP and not policy.ignored  # both skipped: the list was cleared, the best one taken


def test_bssid_ignore_counts_an_ap_twice_as_wpa_supplicant_does():
    from pywps.station.ignorelist import IgnoreList, ignore_seconds

    ignored = IgnoreList()
    assert [ignore_seconds(n) for n in range(1, 8)] == [10, 10, 60, 120, 600, 1800, 1800]
    assert ignored.add(AP, 0.0) == 1 and ignored.add(AP, 0.0) == 2
    ignored.add(STA, 1.0)
    assert ignored.listed(1.0) == [STA, AP]  # newest first
    assert ignored.count(AP, 10.0) == 2 and ignored.count(AP, 10.5) == 0  # counts for 10 s
    assert ignored.listed(10.5) == [STA, AP]  # listed for an hour more
    assert ignored.listed(3611.0) == [STA] and ignored.counted(5.0) == {STA}


def test_wps_cancel_with_no_run_leaves_a_link_and_scans_before_joining_again():
    """wpas_wps_cancel on a link past its association: a deauthentication (reason 3), WPS-CANCEL after the
    disconnection, then a scan (not the results before) and the join (test_hwsim_wps_cancel compares it with
    wpa_supplicant); with no such link nothing is left."""
    said = object()
    idle = new_policy()
    assert idle.cancel_wps((said,), 0.0) is False and drain(idle) == ([], [])
    policy, _ = connected_policy()
    assert policy.cancel_wps((said,), 2.0) is True
    actions, _ = drain(policy)
    assert actions == [conn.Leave(3, (said,)), conn.SetOperState(False), conn.Scan()]
    assert policy.state is CS.SCANNING
    policy.table.update([beacon()], 3.0)
    policy.scan_done(3.0)
    assert [a for a in drain(policy)[0] if isinstance(a, conn.Associate)]
