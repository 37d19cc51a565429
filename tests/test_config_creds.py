"""Credential blocks in the configuration, in-process (the side-by-side comparison with Debian wpa_supplicant
is tests/test_diff_creds.py): the codecs' wpa_supplicant rules, the block's place in the file, and the round trip
property: whatever SET_CRED took, the saved file reads back with the same answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywps import config as cfg
from pywps import credfields as cf
from pywps.credblock import Cred
from pywps.ctrl.commands import CommandFailed
from pywps.ctrl.cred_commands import COMMANDS


class Ctx:
    def __init__(self, text: str = "update_config=1\n") -> None:
        self.config = cfg.parse(text)
        self.events: list[object] = []

    def publish(self, event: object) -> None:
        self.events.append(event)


def reply(ctx: Ctx, line: str) -> str:
    name, _, raw = line.partition(" ")
    try:
        return COMMANDS[name](ctx, raw)
    except CommandFailed:
        return "FAIL\n"


@pytest.mark.parametrize("text, value", [("5", 5), ("5x", 5), ("0x10", 0), ("x", 0), (" -7", -7),
                                         ("4294967295", -1), ("99999999999999999999", -1), ("", 0)])
def test_atoi_is_glibcs(text, value):
    assert cf.c_atoi(text) == value


@pytest.mark.parametrize("line, whole", [('realm="a#b"', True), ('realm="a"#b"', False), ("password=ext:a#b", False),
                                         ("password=ext:a ", False), ('realm="a" "#"', True), ('x="#', False)])
def test_reads_back_is_the_line_readers_rule(line, whole):
    assert cf.reads_back(line) is whole


@pytest.mark.parametrize("data, text", [(b"plain", '"plain"'), (b'q"uote', '"q"uote"'), (b"tab\tx", '"tab\tx"'),
                                        ('é'.encode(), '"é"'), (b'a"#b', "61222362"), (b"\xff", "ff"),
                                        (b"a\x01", "6101"), (b"\x7f", "7f"), (b"", '""')])
def test_strings_are_quoted_unless_the_file_would_not_give_them_back(data, text):
    assert cf.string_text(data) == text
    assert cf.parse_string(text) == data


def test_req_conn_capab_reads_as_atoi_does():
    cred = Cred()
    for value in ("6:80,443", "17", "x", "6:", ":80", "6:-1,80", "300:5", "6:80,"):
        cred.set("req_conn_capab", value)
    assert cred.get("req_conn_capab") == "6:80,443\n17\n0\n6\n0:80\n6\n44:5\n6:80"


def test_a_refused_value_changes_nothing():
    cred = Cred()
    cred.set("realm", '"r"')
    for field, value in (("realm", '"a"b'), ("realm", 'P"a\\nb"'), ("sp_priority", "256"), ("eap", "ttls"),
                         ("realm", '"' + "r" * 300 + '"'), ("roaming_consortium", "1122")):
        with pytest.raises(ValueError):
            cred.set(field, value)
    with pytest.raises(KeyError):
        cred.set("bogus", "1")
    assert cred.get("realm") == "r" and cred.get("roaming_consortium") is None and cred.get("eap") is None


def test_new_creds_go_after_the_creds_and_before_the_networks():
    ctx = Ctx("update_config=1\n\nnetwork={\n\tssid=\"n\"\n\tkey_mgmt=NONE\n}\n")
    assert [reply(ctx, "ADD_CRED") for _ in range(2)] == ["0\n", "1\n"]
    assert reply(ctx, 'SET_CRED 1 realm "r"') == "OK\n"
    assert ctx.config.serialize() == ('update_config=1\n\ncred={\n}\n\ncred={\n\trealm="r"\n}\n\n'
                                      'network={\n\tssid="n"\n\tkey_mgmt=NONE\n}\n')
    assert reply(ctx, "REMOVE_CRED 0") == "OK\n" and reply(ctx, "REMOVE_CRED 1") == "OK\n"
    assert ctx.config.serialize() == 'update_config=1\n\nnetwork={\n\tssid="n"\n\tkey_mgmt=NONE\n}\n'
    assert [n.id for n in ctx.config.networks] == [0]


def test_a_cred_file_error_names_the_line_not_the_secret():
    with pytest.raises(cfg.ConfigFileError) as e:
        cfg.parse('cred={\n\tpassword="hunter2\n}\n')
    assert e.value.line == 2 and "hunter2" not in str(e.value)
    with pytest.raises(cfg.ConfigFileError):
        cfg.parse("cred={\n\trealm=\"x\"\n")


TEXT = st.text(st.sampled_from([*"abc019 #=,:\"\\'\t", "é", "\x7f", "\x01", "\x1b"]), max_size=20)
FIELD = st.sampled_from(sorted(cf.FIELDS))
VALUE = st.one_of(TEXT.map(lambda t: f'"{t}"'), TEXT.map(lambda t: f'P"{t}"'),
                  TEXT.map(lambda t: t.encode().hex()), TEXT.map(lambda t: "ext:" + t), TEXT)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), FIELD, VALUE), max_size=12), st.integers(1, 3))
def test_whatever_set_cred_took_reads_back_from_the_saved_file(sets, count):
    ctx = Ctx()
    for _ in range(count):
        reply(ctx, "ADD_CRED")
    for cred_id, field, value in sets:
        reply(ctx, f"SET_CRED {cred_id} {field} {value}".split("\0")[0])
    text = ctx.config.serialize()
    again = Ctx(text)
    probe = ["LIST_CREDS", *(f"GET_CRED {i} {f}" for i in range(count) for f in cf.FIELDS)]
    saved = [c for c in ctx.config.creds if c.saved()]
    assert len(again.config.creds) == len(saved)
    if len(saved) == count:  # ids are numbered afresh on reading: equal only when none was left out
        assert [reply(again, p) for p in probe] == [reply(ctx, p) for p in probe]
    assert again.config.serialize() == text
