#!/usr/bin/env bash
# The README's test command (and CI's, through .ci/run). Installs the Debian packages
# (tools/setup.sh), then, each stage failing the run on any failure:
#   1. builds the CMake preset (default: ci, optimised, warnings as errors) and runs every ctest
#      test: C++ unit tests, black-box tests of the binary, the importer's parity tests; then the
#      lint (tools/lint.sh: clang-format-16 over every C++ file, clang-tidy-16 over src/ and apps/);
#   2. packages the static Lambda bootstrap and runs the Lambda runtime tests against it;
#   3. builds the asan preset (AddressSanitizer + UndefinedBehaviorSanitizer, at -Og with line
#      tables only, to build faster) and runs the suite again under it (the bad-input
#      corpus included), all but the tests labelled slow (training on five seeds, the
#      cross-validated replay, the importer's parity: numerical checks already run in stage 1);
#   4. builds the libFuzzer targets and replays each one's corpus (every crash ever found), then
#      fuzzes each for HR_FUZZ_SECONDS (default 5: the corpus replay is the regression check;
#      longer fuzzing is tools/fuzz.sh's, by hand).
# Usage: tools/test.sh [PRESET] [--quick]   (--quick: stages 1 and 2 only, the lint over the
# files changed since the last commit but one; for the inner loop)
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=ci
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -*) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
    *) PRESET="$arg" ;;
  esac
done
JOBS="$(nproc)"
stage_start=$SECONDS
stage() {
  echo "== test.sh: $1 done in $((SECONDS - stage_start)) s (total $SECONDS s)"
  stage_start=$SECONDS
}

tools/setup.sh
stage "setup"
cmake --preset "$PRESET"
cmake --build --preset "$PRESET" -j "$JOBS"
ctest --preset "$PRESET" -j "$JOBS"
stage "build and tests ($PRESET)"
if [ "$QUICK" = 1 ]; then
  tools/lint.sh --changed  # the files of the last commit and the work tree
else
  tools/lint.sh
fi
stage "lint"
tools/package-lambda.sh --no-setup
# docs/lambda.md's package sizes stay true: within 15 % of what was just built (MB = 10^6 bytes).
python3 - build/lambda-package docs/lambda.md <<'PY'
import os, re, sys
out, doc = sys.argv[1], open(sys.argv[2]).read()
m = re.search(r"([0-9.]+) MB binary, ([0-9.]+) MB zip", doc)
if not m:
    sys.exit("docs/lambda.md: no 'N MB binary, N MB zip' sentence to check")
for said, name in ((float(m.group(1)), "bootstrap"), (float(m.group(2)), "hybrid-router-lambda.zip")):
    built = os.path.getsize(os.path.join(out, name)) / 1e6
    if abs(built - said) > 0.15 * built:
        sys.exit(f"docs/lambda.md says {said} MB for {name}; the build made {built:.2f} MB")
    print(f"docs/lambda.md: {name} {said} MB (built {built:.2f} MB)")
PY
HR_LAMBDA_BOOTSTRAP="$PWD/build/lambda-package/bootstrap" \
  "build/$PRESET/tests/hr_cli_tests" --gtest_filter='LambdaRuntime.*' --gtest_brief=1
stage "Lambda package and its tests"
if [ "$QUICK" = 1 ]; then
  exit 0
fi
cmake --preset asan
cmake --build --preset asan -j "$JOBS"
ctest --preset asan -j "$JOBS" -LE slow
stage "build and tests (asan)"
tools/fuzz.sh --seconds "${HR_FUZZ_SECONDS:-5}"
stage "fuzzing"
