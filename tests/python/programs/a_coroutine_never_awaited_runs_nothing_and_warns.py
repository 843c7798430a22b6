"""Calling an `async def` function without `await` runs none of its body, and Python says so at
run time: "RuntimeWarning: coroutine '...' was never awaited", when the coroutine is collected."""

import subprocess
import sys

from _support import BOUND, check, run

PROGRAM = """
import asyncio, gc

ran = []

async def get_items():
    ran.append("get_items")
    return []

async def main():
    get_items()  # no await
    gc.collect()
    print("body ran" if ran else "body did not run", flush=True)

asyncio.run(main())
"""


def main():
    child = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=BOUND)
    check(child.returncode == 0, f"the program failed: {child.stderr.strip()}")
    check(child.stdout.strip() == "body did not run", f"the coroutine's body ran: {child.stdout.strip()}")
    check("RuntimeWarning: coroutine 'get_items' was never awaited" in child.stderr,
          f"no warning that the coroutine was never awaited: {child.stderr.strip()!r}")


if __name__ == "__main__":
    run(main)
