#!/usr/bin/env bash
# The documented command (models/README.md) reproduces the committed built-in model byte for byte,
# and training twice gives the same file (determinism).
set -euo pipefail
binary="$1"; source_dir="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SOURCE_DATE_EPOCH=1764028800 "$binary" train -q --out "$tmp/a.json" "$source_dir/data/aws-measurements" >/dev/null
SOURCE_DATE_EPOCH=1764028800 "$binary" train -q --out "$tmp/b.json" "$source_dir/data/aws-measurements" >/dev/null
cmp "$tmp/a.json" "$tmp/b.json" || { echo "FAIL: two trainings differ"; exit 1; }
cmp "$tmp/a.json" "$source_dir/models/default.json" || {
  echo "FAIL: models/default.json is not what the documented command produces; regenerate it (models/README.md)"; exit 1; }
echo "default model reproduced byte for byte"
