#!/bin/bash
# Longer coverage-guided fuzzing of every parser (atheris/libFuzzer), on a scratch copy of the corpus:
#   scripts/fuzz.sh [seconds per target, default 300]
# New interesting inputs are left in the scratch directory it prints; crashes as crash-* files there.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
PY=${PY:-.venv/bin/python}
"$PY" -c "import atheris" 2>/dev/null || .venv/bin/pip install -q atheris
seconds=${1:-300}
work=$(mktemp -d /tmp/pywps-fuzz.XXXXXX)
echo "fuzz: scratch corpus and findings in $work"
for target in tlv eap ctrl config; do
  mkdir -p "$work/$target"
  case $target in tlv) cp fuzz/corpus/wsc/* "$work/$target/";; eap) cp fuzz/corpus/eap/* "$work/$target/";; esac
  (cd "$work" && "$OLDPWD/$PY" "$OLDPWD/fuzz/fuzz.py" "$target" -max_total_time="$seconds" "$work/$target" 2>&1 \
     | grep -E "^(Done|INFO: .*corpus|==|ERROR)" | tail -3) || { echo "fuzz: $target found a crash (see $work)"; exit 1; }
done
