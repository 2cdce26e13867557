#!/usr/bin/env bash
# Installs what hybrid-router needs to build, test and benchmark, from Debian 12 packages only.
# Idempotent: packages already present are not fetched again. Uses sudo when not root.
set -euo pipefail

# Build and run: compiler, CMake presets, libraries (Boost.Beast, simdjson, RapidJSON, fmt, CLI11,
# spdlog, Eigen, zlib, libcurl with OpenSSL for route's upstream calls, OpenSSL's libcrypto for
# SigV4 checks). Tests and tools: GoogleTest, Google Benchmark, Debian's scikit-learn, botocore
# (the SigV4 reference),
# gnuplot (the evaluation report's charts), zip (the Lambda package), clang-16 with its runtime
# (libFuzzer and the sanitizers of the fuzz preset), clang-format-16 and clang-tidy-16 (the lint).
# libboost-dev (1.74) rather than libboost1.81-dev: python3-sklearn pulls in libboost-dev through
# python3-pythran, and the two Boost versions conflict, so a machine cannot have both 1.81 and
# Debian's scikit-learn.
PACKAGES=(
  g++ cmake ninja-build pkg-config git
  libboost-dev libsimdjson-dev rapidjson-dev libfmt-dev libcli11-dev libspdlog-dev
  libeigen3-dev zlib1g-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-sklearn python3-yaml python3-botocore gnuplot-nox
  curl zip nginx-light prometheus
  clang-16 libclang-rt-16-dev clang-format-16 clang-tidy-16
)
EXTRA=("$@")  # e.g. wrk nginx-light gnuplot chromium for benchmarks and reports

missing=()
for p in "${PACKAGES[@]}" "${EXTRA[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
