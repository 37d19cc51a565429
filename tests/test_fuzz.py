"""The CI slice of the coverage-guided fuzzing (fuzz/fuzz.py, atheris): every target, bounded in runs and time,
seeded with real frames from Debian hostapd (fuzz/corpus/). scripts/fuzz.sh runs the same targets longer."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris not installed (pip install atheris)")

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
SEEDS = {"tlv": "wsc", "eap": "eap", "ctrl": None, "config": None}


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_fuzz_slice(target, tmp_path):
    corpus = tmp_path / "corpus"
    if SEEDS[target]:
        shutil.copytree(FUZZ / "corpus" / SEEDS[target], corpus)  # libFuzzer adds to it: never the repo's copy
    else:
        corpus.mkdir()
    if target == "config":  # the example file: every field pywps knows, in its real syntax
        shutil.copy(FUZZ.parent / "wpa_supplicant.conf.example", corpus)
    result = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz.py"), target, "-runs=100000", "-max_total_time=25", str(corpus)],
        capture_output=True, text=True, cwd=tmp_path, timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    done = re.search(r"Done (\d+) runs in (\d+) second", output)
    assert done and int(done[1]) >= 1000, output[-2000:]  # it really executed inputs
    print(f"{target}: {done[1]} executions in {done[2]} s, corpus {len(list(corpus.iterdir()))} inputs")
