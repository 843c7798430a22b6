"""`asyncio.wait(..., return_when=FIRST_COMPLETED)` returns when one task is done and leaves the
others running: they are not cancelled, and still finish."""

import asyncio

from _support import BOUND, check, run


async def main():
    release = asyncio.Event()

    async def fast():
        return "fast"

    async def slow():
        await release.wait()
        return "slow"

    fast_task, slow_task = asyncio.create_task(fast()), asyncio.create_task(slow())
    done, pending = await asyncio.wait({fast_task, slow_task}, timeout=BOUND,
                                       return_when=asyncio.FIRST_COMPLETED)
    check(done == {fast_task} and pending == {slow_task}, "wait did not return after the first task")
    await asyncio.sleep(0)
    check(not slow_task.cancelled() and not slow_task.done(), "wait stopped the task that was not done")
    release.set()
    check(await asyncio.wait_for(slow_task, BOUND) == "slow", "the other task did not finish")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
