#!/usr/bin/env bash
# Builds the AWS Lambda deployment package: a statically linked `bootstrap` (the Lambda images have
# an older glibc than Debian 12) with the built-in model, zipped for a provided.al2023 function.
#
#   tools/package-lambda.sh [--model FILE] [--out DIR] [--no-setup]
#
#   --model FILE  embed FILE as the built-in model instead of models/default.json (how a deployed
#                 function gets a new model: package, then deploy the new zip)
#   --out DIR     where bootstrap and hybrid-router-lambda.zip go (default: build/lambda-package,
#                 inside this checkout; a relative DIR is taken from the checkout's root too)
#   --no-setup    do not check/install the Debian packages first
# Exits non-zero, writing no zip, when the build fails, the binary is not static or the model is
# not usable.
set -euo pipefail
cd "$(dirname "$0")/.."

# The comment block under the shebang, and nothing after it.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
MODEL="$PWD/models/default.json"
OUT="build/lambda-package"
SETUP=1
while [ $# -gt 0 ]; do
  case "$1" in
    --model) [ $# -ge 2 ] || { echo "package-lambda: --model needs a file" >&2; exit 2; }
             MODEL="$(realpath -e "$2" 2>/dev/null)" || { echo "package-lambda: no model file '$2'" >&2; exit 2; }
             shift 2 ;;
    --out) [ $# -ge 2 ] || { echo "package-lambda: --out needs a folder" >&2; exit 2; }
           OUT="$2"; shift 2 ;;
    --no-setup) SETUP=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "package-lambda: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

[ "$SETUP" -eq 0 ] || tools/setup.sh
cmake --preset lambda-static -DHR_BUILTIN_MODEL="$MODEL" >/dev/null
cmake --build --preset lambda-static -j "$(nproc)"
BIN=build/lambda-static/apps/hybrid-router/bootstrap

LDD="$(ldd "$BIN" 2>&1 || true)"
if ! grep -q "not a dynamic executable" <<<"$LDD"; then
  echo "package-lambda: $BIN is not statically linked:" >&2
  echo "$LDD" >&2
  exit 1
fi

mkdir -p "$OUT"
STAGE="$(mktemp -d "$OUT/.stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
strip -o "$STAGE/bootstrap" "$BIN"
chmod 755 "$STAGE/bootstrap"
if ! CHECK="$(env -i "$STAGE/bootstrap" --check 2>&1)"; then
  echo "package-lambda: the model $MODEL is not usable: $CHECK" >&2
  exit 1
fi
# Same bytes for the same inputs: fixed timestamps, no extra attributes.
touch -d "@${SOURCE_DATE_EPOCH:-1764028800}" "$STAGE/bootstrap"
(cd "$STAGE" && zip -q -X -D ../.hybrid-router-lambda.zip.tmp bootstrap)
mv "$STAGE/bootstrap" "$OUT/bootstrap"
mv "$OUT/.hybrid-router-lambda.zip.tmp" "$OUT/hybrid-router-lambda.zip"

echo "package-lambda: $CHECK"
echo "package-lambda: ldd: $(echo "$LDD" | tr -d '\t')"
echo "package-lambda: $OUT/bootstrap $(stat -c %s "$OUT/bootstrap") bytes (static, stripped)"
echo "package-lambda: $OUT/hybrid-router-lambda.zip $(stat -c %s "$OUT/hybrid-router-lambda.zip") bytes" \
     "(runtime provided.al2023, handler bootstrap, x86_64)"
