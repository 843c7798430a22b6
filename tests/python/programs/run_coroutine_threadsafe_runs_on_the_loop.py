"""`asyncio.run_coroutine_threadsafe(coroutine, loop)`, called from another thread, runs the
coroutine on the loop's thread, not on the caller's; `.result()` blocks the caller until it is
done."""

import asyncio
import threading

from _support import BOUND, check, run


async def where():
    await asyncio.sleep(0)
    return threading.get_ident()


async def main():
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()

    def in_a_worker_thread():
        future = asyncio.run_coroutine_threadsafe(where(), loop)
        return threading.get_ident(), future.result(BOUND)

    caller, ran_on = await asyncio.wait_for(asyncio.to_thread(in_a_worker_thread), BOUND)
    check(caller != loop_thread, "the caller ran on the loop's thread")
    check(ran_on == loop_thread, "the coroutine did not run on the loop's thread")
    check(ran_on != caller, "the coroutine ran on the caller's thread")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
