"""asyncio runs every coroutine of a loop on one thread, the one that called `asyncio.run`. Two
coroutines gathered take turns at their awaits; they never run at the same time."""

import asyncio
import threading

from _support import check, run

log = []


async def worker(name):
    for turn in range(3):
        log.append((name, turn, threading.get_ident()))
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(worker("a"), worker("b"))


if __name__ == "__main__":
    def program():
        asyncio.run(main())
        threads = {thread for _, _, thread in log}
        check(threads == {threading.get_ident()}, f"coroutines ran on {len(threads)} threads, not the caller's one")
        order = [f"{name}{turn}" for name, turn, _ in log]
        check(order == ["a0", "b0", "a1", "b1", "a2", "b2"], f"the coroutines did not take turns: {order}")
    run(program)
