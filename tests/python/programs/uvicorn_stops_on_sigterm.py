"""uvicorn stops on SIGTERM (as on Ctrl+C's SIGINT): it closes its listening socket, lets the
requests in flight finish and answers them, then exits. By default it waits for them as long as
they take; `--timeout-graceful-shutdown N` bounds that wait, then cancels what still runs: that request gets a 500.

Run as a program, it starts uvicorn on this module's `app` twice, at once, and checks both."""

import asyncio
import signal
import socket
import sys
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
from fastapi import FastAPI

from _support import Uvicorn, check, read_response, run, send_get

app = FastAPI()


@app.get("/slow")
async def slow():
    print("slow request started", flush=True)
    try:
        # Waits, without blocking the event loop, for a line on stdin.
        await anyio.to_thread.run_sync(sys.stdin.readline, abandon_on_cancel=True)
    except asyncio.CancelledError:
        print("slow request cancelled", flush=True)
        raise
    return "finished"


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return False
    except ConnectionRefusedError:
        return True


def finishes_requests_in_flight():
    server = Uvicorn(__file__)
    try:
        in_flight = send_get(server.port, "/slow")
        server.wait_for_line("^slow request started$")
        server.signal(signal.SIGTERM)
        server.wait_for_line("Shutting down")
        server.wait_for_line("Waiting for connections to close")
        check(server.process.poll() is None, "uvicorn exited with a request in flight")
        check(refused(server.port), "uvicorn still accepted connections after SIGTERM")
        server.tell("finish")  # only now can the request finish
        check(read_response(in_flight) == (200, '"finished"'), "the request in flight was not answered")
        status = server.wait()
        # uvicorn restores the signal's default action and raises it again once it has stopped.
        check(status == -signal.SIGTERM, f"uvicorn ended with {status}, not by SIGTERM after stopping")
    finally:
        server.stop()


def graceful_timeout_cancels_what_still_runs():
    server = Uvicorn(__file__, "--timeout-graceful-shutdown", "1")
    try:
        in_flight = send_get(server.port, "/slow")
        server.wait_for_line("^slow request started$")
        server.signal(signal.SIGTERM)
        # uvicorn's log (stderr) and the app's line (stdout), in either order.
        server.wait_for_all("timeout graceful shutdown exceeded", "^slow request cancelled$")
        server.wait()
        answer = read_response(in_flight)
        check(answer is not None and answer[0] == 500,
              f"the request cut off at the time limit got {answer}, not a 500")
    finally:
        server.stop()


def main():
    # Two servers of their own, checked at the same time; a failed check in either fails the run.
    with ThreadPoolExecutor() as pool:
        checks = [pool.submit(finishes_requests_in_flight),
                  pool.submit(graceful_timeout_cancels_what_still_runs)]
        for done in checks:
            done.result()


if __name__ == "__main__":
    run(main)
