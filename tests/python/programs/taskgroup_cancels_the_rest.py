"""In an `asyncio.TaskGroup`, the first task that raises cancels the others (`CancelledError`
inside them), and the group raises the error in an ExceptionGroup once all have ended."""

import asyncio

from _support import BOUND, check, run


async def main():
    log = []

    async def fails():
        await asyncio.sleep(0)
        raise ValueError("first error")

    async def waits():
        try:
            await asyncio.Event().wait()  # never set
        except asyncio.CancelledError:
            log.append("the other task was cancelled")
            raise

    async def group():
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(fails())
            tasks.create_task(waits())

    try:
        await asyncio.wait_for(group(), BOUND)
        check(False, "the group ended without an error")
    except* ValueError:
        log.append("the group raised the ValueError")
    check(log == ["the other task was cancelled", "the group raised the ValueError"],
          f"the group did not cancel the other task before raising: {log}")


if __name__ == "__main__":
    run(lambda: asyncio.run(main()))
