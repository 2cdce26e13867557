# Sourced by the bench scripts: a scratch folder ($tmp) removed on exit, the servers they start
# (their pids in the array `pids`) stopped on exit, and wait_port LOG: until a server's log has
# its 'listening' line with the port (10 s at most).
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 100); do grep -q '"port"' "$1" 2>/dev/null && return; sleep 0.1; done; }
