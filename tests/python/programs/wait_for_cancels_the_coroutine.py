"""When `asyncio.wait_for`'s time limit passes, it cancels the coroutine it awaits (raising
`CancelledError` inside it) and waits for it to end, then raises TimeoutError."""

import asyncio

from _support import check, run


async def main():
    log = []

    async def call():
        try:
            await asyncio.Event().wait()  # never set
        except asyncio.CancelledError:
            log.append("CancelledError inside the call")
            raise

    try:
        await asyncio.wait_for(call(), 0.01)
        check(False, "wait_for returned a value from a call that never ends")
    except TimeoutError:
        log.append("TimeoutError for the caller")
    check(log == ["CancelledError inside the call", "TimeoutError for the caller"],
          f"wait_for did not cancel the call before raising: {log}")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
