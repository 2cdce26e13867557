#!/usr/bin/python3
"""Cold start of `hybrid-router` as a Lambda bootstrap, measured locally: from exec of the
bootstrap to its first response posted to a local Runtime API endpoint (127.0.0.1), over N runs.

Usage: bench/lambda_cold_start.py BINARY [--runs 20]
"""
import argparse
import http.server
import os
import statistics
import subprocess
import tempfile
import threading
import time

EVENT = (b'{"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", '
         b'"load_pattern": "medium_load"}')


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    posted = None

    def do_GET(self):  # .../invocation/next
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "cold-1")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Content-Length", str(len(EVENT)))
        self.end_headers()
        self.wfile.write(EVENT)

    def do_POST(self):  # .../invocation/cold-1/response
        RuntimeApi.posted = time.perf_counter()
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    times = []
    with tempfile.TemporaryDirectory() as task:
        bootstrap = os.path.join(task, "bootstrap")
        os.symlink(os.path.abspath(args.binary), bootstrap)
        for _ in range(args.runs):
            RuntimeApi.posted = None
            t0 = time.perf_counter()
            subprocess.run([bootstrap, "--max-invocations", "1"], cwd=task, check=True,
                           env={"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL)
            times.append((RuntimeApi.posted - t0) * 1000)
    size = os.path.getsize(args.binary)
    print(f"cold start (exec -> first response posted): median {statistics.median(times):.1f} ms, "
          f"worst {max(times):.1f} ms over {len(times)} runs; binary {size / 1e6:.1f} MB")
    server.shutdown()


if __name__ == "__main__":
    main()
