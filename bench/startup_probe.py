#!/usr/bin/python3
"""Time from exec of `hybrid-router serve` to its first 200 on POST /predict, over N runs.

Usage: bench/startup_probe.py BINARY [--runs 20] [--port 18090]
Prints the median and the worst time in milliseconds.
"""
import argparse
import socket
import statistics
import subprocess
import sys
import time

BODY = b'{"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", "load_pattern": "medium_load"}'
REQUEST = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Connection: close\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


def first_ok(port, deadline):
    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(REQUEST)
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter()
        except OSError:
            time.sleep(0.0002)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--port", type=int, default=18090)
    args = ap.parse_args()
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        p = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--threads", "1",
                              "--access-log", "off"], stderr=subprocess.DEVNULL)
        t1 = first_ok(args.port, t0 + 5)
        p.terminate()
        p.wait(5)
        if t1 is None:
            sys.exit("startup_probe: no 200 within 5 s")
        times.append((t1 - t0) * 1000)
    print(f"exec -> first 200 on /predict: median {statistics.median(times):.1f} ms, "
          f"worst {max(times):.1f} ms over {len(times)} runs")


if __name__ == "__main__":
    main()
