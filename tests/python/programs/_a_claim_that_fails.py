"""Not a claim about Python: a program whose check fails, so the harness shows it catches one."""

from _support import check, run

if __name__ == "__main__":
    run(lambda: check(1 + 1 == 3, "1 + 1 is not 3"))
