#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang-16 with ASan + UBSan) and, for each
# target: replays its committed corpus (tests/fuzz/corpus/<target>: seeds and every crash ever
# found, so a fixed crash cannot come back), then fuzzes for a bounded time from that corpus.
# Exits non-zero on any crash, leak, timeout or out-of-memory, printing the reproducer; outside CI
# the reproducer is also copied into the corpus (add a unit test for it, then commit both).
#
# Usage: tools/fuzz.sh [--seconds S] [--runs N] [--no-build] [TARGET...]
#   --seconds S  fuzzing time per target (default 30; 0: replay the corpus only)
#   --runs N     stop a target after N executions (default: no limit)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=30
RUNS=-1
BUILD=1
TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_EACH="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
ALL=(fuzz_request fuzz_service fuzz_lambda_event fuzz_model_file fuzz_ingest_line fuzz_timestamp fuzz_emulate fuzz_route fuzz_sim_input fuzz_aws fuzz_http_answer fuzz_pool_reuse)
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
  [[ " ${ALL[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target '$t' (targets: ${ALL[*]})" >&2; exit 2; }
done

if [ "$BUILD" = 1 ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)"
fi

max_len() { case "$1" in fuzz_model_file) echo 16384 ;; *) echo 8192 ;; esac; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/fuzz/ubsan.supp"
failed=0
printf '%-20s %8s %12s %10s %8s\n' target corpus executions exec/s result
for t in "${TARGETS[@]}"; do
  bin="build/fuzz/tests/fuzz/$t"
  seeds="tests/fuzz/corpus/$t"
  log="$WORK/$t.log"
  mkdir -p "$WORK/$t" "$WORK/$t.artifacts"
  common=(-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" -dict=tests/fuzz/json.dict
          -artifact_prefix="$WORK/$t.artifacts/" -print_final_stats=1)
  result=ok
  # 1. Regression: every committed input once.
  if ! "$bin" "${common[@]}" -runs=0 "$seeds" >"$log" 2>&1; then
    result="REGRESSION"
  elif [ "$SECONDS_EACH" != 0 ]; then
    # 2. Fuzz from the committed corpus; new inputs go to a scratch folder, not the repository.
    if ! "$bin" "${common[@]}" -max_total_time="$SECONDS_EACH" -runs="$RUNS" "$WORK/$t" "$seeds" >"$log" 2>&1; then
      result="CRASH"
    fi
  fi
  execs=$(awk '/stat::number_of_executed_units:/ {n=$2} END {print n+0}' "$log")
  rate=$(awk '/stat::average_exec_per_sec:/ {n=$2} END {print n+0}' "$log")
  printf '%-20s %8s %12s %10s %8s\n' "$t" "$(ls "$seeds" | wc -l)" "$execs" "$rate" "$result"
  if [ "$result" != ok ]; then
    failed=1
    grep -E 'ERROR|FUZZ FAILURE|SUMMARY|#[0-9]+ 0x' "$log" | head -30 >&2 || tail -30 "$log" >&2
    for a in "$WORK/$t.artifacts"/*; do
      [ -e "$a" ] || continue
      echo "reproducer ($(wc -c <"$a") bytes, base64): $(head -c 2048 "$a" | base64 -w0)" >&2
      if [ "${CI:-}" != true ]; then
        keep="$seeds/$(basename "$a")-$(sha1sum "$a" | cut -c1-12)"
        cp "$a" "$keep"
        echo "copied to $keep: add a unit test for it and commit both" >&2
      fi
    done
  fi
done
exit $failed
