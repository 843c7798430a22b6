"""Cancelling an asyncio task raises `CancelledError` inside it, at the `await` where it waits. The
task can catch it, run code, and even carry on; one that lets it through ends cancelled."""

import asyncio

from _support import BOUND, check, run


async def main():
    log = []
    never = asyncio.Event()

    async def catches():
        try:
            await never.wait()
        except asyncio.CancelledError:
            log.append("caught CancelledError")
        await asyncio.sleep(0)  # carries on awaiting after it
        return "carried on"

    async def lets_it_through():
        try:
            await never.wait()
        finally:
            log.append("finally ran")

    first, second = asyncio.create_task(catches()), asyncio.create_task(lets_it_through())
    await asyncio.sleep(0)  # both wait at never.wait()
    first.cancel()
    second.cancel()
    check(await asyncio.wait_for(first, BOUND) == "carried on", "the task that caught it did not carry on")
    check(not first.cancelled(), "a task that caught CancelledError ended cancelled")
    try:
        await asyncio.wait_for(second, BOUND)
        check(False, "a task that let CancelledError through returned")
    except asyncio.CancelledError:
        pass
    check(second.cancelled(), "a task that let CancelledError through did not end cancelled")
    check(log == ["caught CancelledError", "finally ran"], f"inside the tasks: {log}")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
