#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with a CMake preset (default: ci, which
# is optimised with warnings as errors) and runs every test through ctest. Exits non-zero when any
# test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${1:-ci}"
tools/setup.sh
cmake --preset "$PRESET"
cmake --build --preset "$PRESET" -j "$(nproc)"
ctest --preset "$PRESET" -j "$(nproc)"
