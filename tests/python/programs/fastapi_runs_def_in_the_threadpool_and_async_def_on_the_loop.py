"""FastAPI, served by uvicorn, runs a plain `def` endpoint in anyio's threadpool (the limiter of 40
threads), and an `async def` endpoint on the event loop's own thread. So while a `def` endpoint
blocks, other requests are answered; while an `async def` endpoint makes a blocking call, no other
request is answered until it returns. Also: path parameters are written `/users/{username}`, and
`request.app.state` is one object that every request sees.

Run as a program, it starts uvicorn on this module's `app` and checks all that over HTTP."""

import json
import sys
import threading

import anyio.to_thread
from fastapi import FastAPI, Request

from _support import BOUND, Uvicorn, check, get, read_response, run, send_get

app = FastAPI()
app.state.visits = 0


def where():
    return {"thread": threading.get_ident(), "main": threading.main_thread().ident}


@app.get("/where/def")
def where_def():
    return where()


@app.get("/where/async")
async def where_async():
    return where()


@app.get("/block/def")
def block_def():
    print("def endpoint blocks", flush=True)
    sys.stdin.readline()  # a blocking call, on a threadpool thread
    print("def endpoint returns", flush=True)
    return "released"


@app.get("/block/async")
async def block_async():
    print("async endpoint blocks", flush=True)
    sys.stdin.readline()  # a blocking call, on the event loop's thread: the trap
    print("async endpoint returns", flush=True)
    return "released"


@app.get("/check")
async def check_endpoint():
    print("check answered", flush=True)
    return "ok"


@app.get("/threadpool")
async def threadpool():
    limiter = anyio.to_thread.current_default_thread_limiter()
    return {"total": limiter.total_tokens, "borrowed": limiter.statistics().borrowed_tokens}


@app.get("/users/{username}")
async def user(username: str):
    return username


@app.get("/visits")
async def visits(request: Request):
    request.app.state.visits += 1
    return request.app.state.visits


# How long the client listens for an answer that must not come while the event loop is blocked:
# with the loop free, it comes in milliseconds. Only a wait: no program checks how long anything
# took.
QUIET = 0.5


def main():
    server = Uvicorn(__file__)
    try:
        port = server.port
        on_def = json.loads(get(port, "/where/def")[1])
        on_async = json.loads(get(port, "/where/async")[1])
        check(on_async["thread"] == on_async["main"], "an async def endpoint ran off the event loop's thread")
        check(on_def["thread"] != on_async["thread"], "a def endpoint ran on the event loop's thread")

        # A def endpoint blocks a threadpool thread; the loop answers other requests meanwhile.
        blocked = send_get(port, "/block/def")
        server.wait_for_line("^def endpoint blocks$")
        pool = json.loads(get(port, "/threadpool")[1])
        check(pool == {"total": 40, "borrowed": 1},
              f"a def endpoint does not hold one of anyio's 40 threads: {pool}")
        check(get(port, "/check") == (200, '"ok"'), "/check was not answered while a def endpoint blocked")
        server.tell("release")
        check(read_response(blocked) == (200, '"released"'), "the def endpoint did not answer")
        server.wait_for_line("^def endpoint returns$")

        # An async def endpoint that blocks holds the one thread that answers every request.
        blocked = send_get(port, "/block/async")
        server.wait_for_line("^async endpoint blocks$")
        waiting = send_get(port, "/check")
        check(read_response(waiting, timeout=QUIET) is None,
              "/check was answered while an async def endpoint blocked")
        server.tell("release")
        check(read_response(blocked) == (200, '"released"'), "the async endpoint did not answer")
        check(read_response(waiting) == (200, '"ok"'), "/check was not answered after the block ended")
        server.wait_for_line("^async endpoint returns$")
        server.wait_for_line("^check answered$")

        check(get(port, "/users/ferris") == (200, '"ferris"'), "the path parameter /users/{username}")
        check([get(port, "/visits")[1] for _ in range(2)] == ["1", "2"], "request.app.state is not shared")
    finally:
        server.stop()


if __name__ == "__main__":
    run(main)
