"""The Perfetto trace of the four matmul steps (examples/nki/matmul_steps.py), drawn as Perfetto
lays it out: one row per engine and DMA queue, one bar per instruction, named in the trace by the
kernel's own file:line. The traces are those `nki.profile` writes (open them in ui.perfetto.dev
for the interactive view); the picture shows steps 1 and 4 on trn1 over one shape, on one time
axis, so that what each step waits on is visible: in step 1 the tensor row is mostly gaps behind
the loads on the DMA queues, in step 4 the matmuls run back to back.

Run:  PYTHONPATH=build/python /usr/bin/python3 bench/nki_trace_picture.py [--size M K N] [--out DIR]
Writes DIR/matmul_steps_trace.png and the two traces DIR/matmul_step{1,4}.trace.json
(default DIR bench/results, size 512 2048 2048: small enough to see single instructions)."""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "nki"))
os.environ["NEURON_PLATFORM_TARGET_OVERRIDE"] = "trn1"
os.environ["NSIM_TIMING_ONLY"] = "1"

import nsim.nki as nki  # noqa: E402

sys.modules.setdefault("nki", nki)  # matmul_steps imports nki, nki.isa, nki.language
sys.modules.setdefault("nki.isa", nki.isa)
sys.modules.setdefault("nki.language", nki.language)
import matmul_steps  # noqa: E402

COLOURS = {"tensor": "#1f77b4", "vector": "#2ca02c", "scalar": "#ff7f0e", "gpsimd": "#9467bd",
           "sync": "#8c564b", "dma": "#7f7f7f"}


def rows(trace):
    """(row name, [(start us, duration us)]) per thread of the trace, engines first."""
    names = {e["tid"]: e["args"]["name"] for e in trace["traceEvents"]
             if e["ph"] == "M" and e["name"] == "thread_name"}
    bars = {}
    for e in trace["traceEvents"]:
        if e["ph"] == "X":
            bars.setdefault(e["tid"], []).append((e["ts"], e["dur"]))
    order = sorted(bars, key=lambda tid: (names[tid].startswith("dma"), tid))
    return [(names[tid], bars[tid]) for tid in order]


def draw(ax, title, trace):
    busy = rows(trace)
    end = max(ts + dur for _, bars in busy for ts, dur in bars)
    for y, (name, bars) in enumerate(busy):
        colour = COLOURS.get(name.split()[0], "#7f7f7f")
        ax.broken_barh([(ts, max(dur, end * 2e-4)) for ts, dur in bars], (y - 0.4, 0.8),
                       facecolors=colour, linewidth=0)
    ax.set_yticks(range(len(busy)), [name for name, _ in busy], fontsize=7)
    ax.invert_yaxis()
    ax.set_title(f"{title}: {end:.0f} us", fontsize=9, loc="left")
    return end


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, nargs=3, default=[512, 2048, 2048])
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    o = parser.parse_args()
    M, K, N = o.size
    lhsT, rhs = np.zeros((K, M), np.float32), np.zeros((K, N), np.float32)
    steps = [("step 1 naive", matmul_steps.matmul_naive, "matmul_step1.trace.json"),
             ("step 4 all blocked", matmul_steps.matmul_blocked, "matmul_step4.trace.json")]
    fig, axes = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for ax, (title, kernel, name) in zip(axes, steps):
        nki.profile(working_directory=o.out, save_trace_name=name)(kernel)(
            nki.array(lhsT, nl_dtype()), nki.array(rhs, nl_dtype()))
        with open(os.path.join(o.out, name)) as f:
            draw(ax, f"{title}, {M}x{K}x{N} bf16 on trn1", json.load(f))
    axes[-1].set_xlabel("simulated time (us)")
    fig.suptitle("nsim trace of examples/nki/matmul_steps.py (rows: engines, then DMA queues)",
                 fontsize=10)
    fig.tight_layout()
    path = os.path.join(o.out, "matmul_steps_trace.png")
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def nl_dtype():
    return nki.language.bfloat16


if __name__ == "__main__":
    main()
