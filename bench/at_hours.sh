#!/usr/bin/env bash
# The tests that involve time, with the machine's clock at 03:00 and at 23:30 Asia/Shanghai
# (both in quiet hours, 03:00 also on a UTC date that is not Shanghai's), under libfaketime.
# Every test pins its own clock (tests/e2e/conftest.py E2E_START), so both runs must pass.
# libfaketime's defaults (monotonic faked too, moving at real speed): with
# FAKETIME_DONT_FAKE_MONOTONIC=1, time.sleep() with a timeout fails with EINVAL (libfaketime's
# clock_nanosleep), which breaks subprocess.Popen.wait() in the crash tests.
# Not part of .ci/run: it runs the e2e folder twice (several minutes).
#   apt-get install faketime; bash bench/at_hours.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "需要 faketime：apt-get install faketime" >&2; exit 2; }
PYTHON=${PYTHON:-python}
TESTS=(
  tests/e2e
  tests/unit/test_duties_sim.py
  tests/unit/test_authorization.py
  tests/unit/test_report_rules.py
  tests/unit/test_ledger_stats.py
  tests/unit/test_binding.py
  tests/unit/test_workdays.py
)
status=0
# In UTC (TZ=UTC, whatever the machine uses): 19:00Z is 03:00 the next day in Shanghai, 15:30Z
# is 23:30.
for at in "2026-11-24 19:00:00" "2026-11-24 15:30:00"; do
  echo "== machine clock at $at UTC =="
  TZ=UTC faketime "$at" "$PYTHON" -m pytest -q -p no:cacheprovider "${TESTS[@]}" "$@" || status=1
done
exit $status
