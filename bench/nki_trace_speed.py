#!/usr/bin/env python3
"""Host speed of nsim.nki: tracing an NKI kernel and building its nsim kernel text.

Traces step 1 (naive) of examples/nki/matmul_steps.py for 4096 x 8192 x 8192 bf16 (99,328
instructions) without simulating it, and prints for each phase the wall time and this process's
CPU time (the build machine is shared: CPU time is what the phase costs): the kernel's Python
body (one nisa call per instruction), allocation and kernel text, and parsing the text into an
isa::Program. The issue's target: under 5 s for tracing and building 100,000 instructions.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/nki_trace_speed.py [M K N]
"""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples", "nki"))

from nsim.nki.__main__ import install_aliases  # noqa: E402

install_aliases()
import nsim  # noqa: E402
import nsim.nki as nki  # noqa: E402
from nsim.nki import kernel, trace  # noqa: E402

from machine import machine  # noqa: E402
import matmul_steps  # noqa: E402


class Clock:
    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self, what, rows):
        wall, cpu = time.perf_counter(), time.process_time()
        rows.append((what, wall - self.wall, cpu - self.cpu))
        self.wall, self.cpu = wall, cpu


def measure(M, K, N):
    """One trace and build: per phase (what, wall s, CPU s), and the instruction count."""
    t = trace.Trace("matmul_naive", kernel.target_chip())
    lhsT = t.hbm_tensor("lhsT", (K, M), "bfloat16", "input")
    rhs = t.hbm_tensor("rhs", (K, N), "bfloat16", "input")
    rows = []
    clock = Clock()
    trace._current = t
    try:
        out = matmul_steps.matmul_naive.fn(lhsT, rhs)
    finally:
        trace._current = None
    out.storage.role = "output"
    clock.lap("trace the Python body", rows)
    text, _ = t.kernel_text(nki.settings.rotation)
    clock.lap("allocate and write kernel text", rows)
    program = nsim.parse_kernel(text, "matmul_naive")
    clock.lap("parse the text (C++)", rows)
    return rows, program.instruction_count


def main():
    M, K, N = (int(x) for x in sys.argv[1:4]) if len(sys.argv) > 3 else (4096, 8192, 8192)
    repeats = 3
    nki.settings.chip = "trn1"
    runs = [measure(M, K, N) for _ in range(repeats)]
    count = runs[0][1]
    print(f"nsim.nki trace speed, matmul_naive {M}x{K}x{N} bf16 on trn1: {count} instructions, "
          f"{repeats} runs\n{machine()}")
    print(f"{'phase (median of the runs)':34s} {'wall s':>8s} {'CPU s':>8s} "
          f"{'us/instr (CPU)':>15s}")
    for i, (what, _, _) in enumerate(runs[0][0]):
        wall = statistics.median(rows[i][1] for rows, _ in runs)
        cpu = statistics.median(rows[i][2] for rows, _ in runs)
        print(f"{what:34s} {wall:8.2f} {cpu:8.2f} {1e6 * cpu / count:15.1f}")
    totals = sorted(sum(r[1] for r in rows) for rows, _ in runs)
    print(f"total wall s: min {totals[0]:.2f}, median {statistics.median(totals):.2f}, "
          f"max {totals[-1]:.2f}")


if __name__ == "__main__":
    main()
