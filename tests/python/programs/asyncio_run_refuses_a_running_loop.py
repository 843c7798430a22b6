"""`asyncio.run` runs a coroutine to its end from a plain function and returns its value, but
refuses to run inside a running event loop: it raises RuntimeError, and the coroutine it was given
does not run."""

import asyncio

from _support import check, run

ran = []


async def answer():
    ran.append("answer")
    return 42


async def inside_a_loop():
    coroutine = answer()
    try:
        asyncio.run(coroutine)
    except RuntimeError as error:
        return str(error)
    finally:
        coroutine.close()
    return None


def main():
    check(asyncio.run(answer()) == 42, "asyncio.run did not return the coroutine's value")
    ran.clear()
    refusal = asyncio.run(inside_a_loop())
    check(refusal is not None, "asyncio.run ran inside a running event loop")
    check("cannot be called from a running event loop" in refusal, f"unexpected refusal: {refusal}")
    check(ran == [], "the coroutine given to the refused asyncio.run ran")


if __name__ == "__main__":
    run(main)
