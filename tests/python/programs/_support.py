"""What the programs share: a claim that does not hold ends the program with one line, and a
uvicorn server run as a process of its own, on 127.0.0.1 and a port the system picks.

Every wait is bounded by BOUND: what has not happened by then is taken never to happen. No
program checks how long anything took.
"""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading

BOUND = 60.0


class ClaimFailed(Exception):
    pass


def check(condition, reason):
    """Fails the program with `reason` unless `condition` holds."""
    if not condition:
        raise ClaimFailed(reason)


def run(main):
    """Runs `main`; a claim that fails, or an error that escapes, prints one line and exits 1."""
    name = os.path.basename(sys.argv[0])
    try:
        main()
    except ClaimFailed as failed:
        print(f"{name}: {failed}", file=sys.stderr)
        sys.exit(1)
    except BaseException as error:  # CancelledError too: one line, whatever went wrong
        print(f"{name}: {type(error).__name__} escaped: {error}", file=sys.stderr)
        sys.exit(1)


class Uvicorn:
    """`python -m uvicorn MODULE:app --port 0`, where MODULE is the program at `path`, with stdin
    a pipe the app may read, and every line it writes to stdout and stderr collected in order."""

    def __init__(self, path, *options):
        folder, file = os.path.split(os.path.abspath(path))
        app = os.path.splitext(file)[0] + ":app"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--app-dir", folder,
             "--host", "127.0.0.1", "--port", "0", "--no-access-log", *options],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        # (stream, line) in the order the reader threads see them.
        self.lines = queue.Queue()
        self.seen = []
        for name in ("stdout", "stderr"):
            stream = getattr(self.process, name)
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()
        started = self.wait_for_line(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
        self.port = int(started.group(1))

    def _read(self, name, stream):
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))
        self.lines.put((name, None))

    def wait_for_line(self, pattern):
        """The first line from now on that matches `pattern` (on stdout or stderr)."""
        closed = 0
        while True:
            try:
                name, line = self.lines.get(timeout=BOUND)
            except queue.Empty:
                raise ClaimFailed(f"uvicorn never printed a line matching {pattern!r}")
            if line is None:
                closed += 1
                check(closed < 2, f"uvicorn exited before printing {pattern!r}: {self.seen[-3:]}")
                continue
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def wait_for_all(self, *patterns):
        """Lines matching each of `patterns`, in any order: stdout and stderr are read apart, so
        lines from the two may come in either order."""
        pending = list(patterns)
        while pending:
            line = self.wait_for_line("|".join(f"(?:{p})" for p in pending)).string
            pending = [p for p in pending if not re.search(p, line)]

    def tell(self, line):
        """Writes one line to the app's stdin."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def signal(self, number):
        os.kill(self.process.pid, number)

    def wait(self):
        """The exit status, once the process has ended."""
        try:
            return self.process.wait(timeout=BOUND)
        except subprocess.TimeoutExpired:
            raise ClaimFailed("uvicorn was still running long after it was told to stop")

    def stop(self):
        """Ends the process if it still runs (by its id) and waits for it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=BOUND)


def send_get(port, path):
    """Opens a connection and sends `GET path`; read the answer with `read_response`."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    return sock


def read_response(sock, timeout=BOUND):
    """(status, body) of the answer on `sock`, read to the end; None if nothing at all arrives
    within `timeout`, or if the server closes the connection without an answer."""
    sock.settimeout(timeout)
    try:
        data = sock.recv(65536)
    except socket.timeout:
        return None
    sock.settimeout(BOUND)
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    sock.close()
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    return status, body.decode()


def dechunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        size = int(size, 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return out


def get(port, path):
    """(status, body) of `GET path`."""
    answer = read_response(send_get(port, path))
    check(answer is not None, f"GET {path} got no answer")
    return answer
