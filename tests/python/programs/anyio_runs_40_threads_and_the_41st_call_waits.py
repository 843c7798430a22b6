"""anyio runs `to_thread.run_sync`, and so Starlette's `run_in_threadpool`, on a limiter of 40
threads by default: the 41st call waits until one of the 40 returns. While the calls run on their
threads, the event loop is free to run other coroutines."""

import asyncio
import threading

import anyio.to_thread
from starlette.concurrency import run_in_threadpool

from _support import BOUND, check, run

CALLS = 41


async def until(condition):
    """Whether `condition` comes to hold; polls it on the loop, giving the loop back between polls."""
    for _ in range(int(BOUND / 0.01)):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return False


async def main():
    limiter = anyio.to_thread.current_default_thread_limiter()
    check(limiter.total_tokens == 40, f"anyio's default thread limit is {limiter.total_tokens}, not 40")

    loop_thread = threading.get_ident()
    release = [threading.Event() for _ in range(CALLS)]
    started = []  # call numbers, in the order their threads began running them
    threads = set()
    lock = threading.Lock()

    def blocking(number):
        with lock:
            started.append(number)
            threads.add(threading.get_ident())
        if not release[number].wait(BOUND):
            raise RuntimeError(f"call {number} was never released")
        return number

    calls = [asyncio.create_task(run_in_threadpool(blocking, n)) for n in range(CALLS)]
    # The polling itself runs on the loop: the loop is free while 40 threads block.
    check(await until(lambda: len(started) == 40 and limiter.statistics().tasks_waiting == 1),
          f"never saw 40 calls running and one waiting: {len(started)} running, {limiter.statistics()}")
    check(limiter.statistics().borrowed_tokens == 40, "run_in_threadpool does not use anyio's default limiter")
    check(CALLS - 1 not in started, "the 41st call started while 40 were running")
    check(loop_thread not in threads, "a call ran on the event loop's thread")
    check(len(threads) == 40, f"40 calls ran on {len(threads)} threads")

    # One returns: its thread takes the 41st call.
    release[0].set()
    check(await asyncio.wait_for(calls[0], BOUND) == 0, "call 0 did not return its value")
    check(await until(lambda: CALLS - 1 in started), "the 41st call never started after one returned")

    for event in release:
        event.set()
    results = await asyncio.wait_for(asyncio.gather(*calls), BOUND)
    check(results == list(range(CALLS)), "a call returned the wrong value")
    check(started[-1] == CALLS - 1, "the 41st call was not the last to start")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
