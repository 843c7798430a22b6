"""`time.sleep` stops the whole thread, so no other coroutine runs until it returns;
`await asyncio.sleep` pauses only the coroutine that awaits it."""

import asyncio
import time

from _support import check, run


async def order_with(sleep):
    log = []

    async def sleeper():
        log.append("sleeper starts")
        await sleep()
        log.append("sleeper ends")

    async def other():
        log.append("other runs")

    await asyncio.gather(sleeper(), other())
    return log


async def blocking_sleep():
    time.sleep(0.01)


async def async_sleep():
    await asyncio.sleep(0.01)


async def main():
    blocked = await order_with(blocking_sleep)
    check(blocked == ["sleeper starts", "sleeper ends", "other runs"],
          f"with time.sleep, another coroutine ran while it slept: {blocked}")
    paused = await order_with(async_sleep)
    check(paused == ["sleeper starts", "other runs", "sleeper ends"],
          f"with asyncio.sleep, the other coroutine did not run meanwhile: {paused}")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
