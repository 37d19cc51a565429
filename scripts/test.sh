#!/bin/bash
# The test command: installs what the tests need (scripts/setup.sh, the VM artefacts), then runs them all.
#   sudo scripts/test.sh [pytest args]
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh || exit 1
if [ -x tests/vm/build.sh ]; then
  # The mac80211_hwsim VM (Debian's kernel, a busybox initramfs): built once, cached in vm-artefacts/.
  bash tests/vm/build.sh || echo "test: VM artefacts could not be built; VM tests will skip and say why"
fi
.venv/bin/python -m pytest -ra "$@"
rc=$?
# pytest exits 5 when it collected no tests: that is a failure of this command, not a pass.
if [ $rc -eq 5 ]; then echo "test: pytest collected no tests"; exit 1; fi
exit $rc
