"""`asyncio.gather` wraps each coroutine in a task at once: the tasks run at the loop's next turn
(as soon as the caller yields), whether or not the gather is ever awaited. A bare coroutine that
nobody awaits runs nothing. And when one of gather's tasks raises, the others keep running."""

import asyncio

from _support import BOUND, check, run

log = []


async def step(name):
    log.append(name)
    return name


async def main():
    tasks_before = len(asyncio.all_tasks())
    gathered = asyncio.gather(step("gathered a"), step("gathered b"))  # not awaited yet
    check(len(asyncio.all_tasks()) == tasks_before + 2, "gather did not wrap its two coroutines in tasks")
    created = asyncio.create_task(step("created"))  # the same, one at a time
    bare = step("bare")  # a coroutine, not a task
    check(log == [], f"something ran before the caller yielded: {log}")

    await asyncio.sleep(0)  # the caller yields once; it never awaits `gathered` or `created`
    check(sorted(log) == ["created", "gathered a", "gathered b"],
          f"after one turn of the loop, ran {log}, not gather's two tasks and create_task's")
    check("bare" not in log, "a coroutine nobody awaited ran")
    bare.close()  # this program does not want the "never awaited" warning here
    check(await asyncio.wait_for(gathered, BOUND) == ["gathered a", "gathered b"], "gather's results")
    await created

    # The first error reaches whoever awaits the gather; the other task is not cancelled.
    release = asyncio.Event()

    async def fails():
        raise ValueError("first error")

    async def slow():
        await release.wait()
        return "slow finished"

    slow_task = asyncio.create_task(slow())
    try:
        await asyncio.wait_for(asyncio.gather(fails(), slow_task), BOUND)
        check(False, "gather returned although one of its tasks raised")
    except ValueError:
        pass
    check(not slow_task.done(), "gather cancelled its other task at the first error")
    release.set()
    check(await asyncio.wait_for(slow_task, BOUND) == "slow finished", "the other task did not finish")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
