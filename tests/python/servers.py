"""The project's servers (`emulate`, `route`) as child processes of a Python test: started on a
free port, which is read from their 'listening' line."""

import re
import subprocess
import sys
import time


def start(cmd, log_path, env=None):
    """Starts `cmd` with its stderr in `log_path`; returns (process, port) once it listens."""
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=env)
    for _ in range(300):  # up to 15 s: the port is in the 'listening' line
        time.sleep(0.05)
        text = open(log_path).read()
        m = re.search(r'"port":(\d+)', text)
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            sys.exit(f"{cmd[1]} exited: {text}")
    sys.exit(f"{cmd[1]} did not start: {open(log_path).read()}")
