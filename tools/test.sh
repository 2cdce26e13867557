#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with a CMake preset (default: ci, which
# is optimised with warnings as errors) and runs every test through ctest; then packages the static
# Lambda bootstrap (tools/package-lambda.sh) and runs the Lambda runtime tests against the packaged
# binary. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${1:-ci}"
tools/setup.sh
cmake --preset "$PRESET"
cmake --build --preset "$PRESET" -j "$(nproc)"
ctest --preset "$PRESET" -j "$(nproc)"
tools/package-lambda.sh --no-setup
HR_LAMBDA_BOOTSTRAP="$PWD/build/lambda-package/bootstrap" \
  "build/$PRESET/tests/hr_cli_tests" --gtest_filter='LambdaRuntime.*' --gtest_brief=1
