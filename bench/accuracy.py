#!/usr/bin/env python3
"""nsim against the published NeuronCore-v2 timing facts (docs/sources.md: [src:nki-isa-cost], [src:nki-dma], [src:nki-perf-guide]).

Each case is a small kernel run with `nsim run --timing-only --chip trn1`; the measured figure is
read from the JSON report and set beside the published one. Prints a markdown table.

usage: bench/accuracy.py [--nsim build/nsim]
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = "kernel accuracy\ntarget v2\n"


def matmuls(dtype, n):
    mm = f"nc_matmul dst=psum[0:128]@0.f32[512] stationary=sbuf[0:128]@0.{dtype}[128] moving=sbuf[0:128]@1024.{dtype}[512]"
    return HEADER + "\nstream tensor\n" + "\n".join([mm] * n) + "\n"


def dma_32k():
    return HEADER + "tensor x [128,64] f32 input\n\ndma_copy dst=sbuf[0:128]@0.f32[64] src=x[0:128]@0.f32[64]\n"


def scalar_chain(n):
    body = ["memset dst=sbuf[0:128]@0.f32[1] value=1"]
    for _ in range(n):
        body.append("activation dst=sbuf[0:128]@0.f32[1] op=exp data=sbuf[0:128]@0.f32[1] scale=0.5 engine=scalar")
    return HEADER + "\n" + "\n".join(body) + "\n"


CASES = [
    # (what, published value, unit, source, kernel text, figure from the report)
    ("bf16 nc_matmul 128x128x512, back to back", 512, "PE cycles",
     "[src:nki-isa-cost] max(min(64, 128), 512)", matmuls("bf16", 64),
     lambda r: r["engines"]["tensor"]["busy_ns"] * 2.8 / 64),
    ("fp32 nc_matmul 128x128x512, back to back", 2048, "PE cycles",
     "[src:nki-isa-cost] 4x the bf16 cost", matmuls("f32", 64),
     lambda r: r["engines"]["tensor"]["busy_ns"] * 2.8 / 64),
    ("32 KiB HBM->SBUF dma_copy (128 partitions x 256 B)", 1416, "ns",
     "[src:nki-dma] profile example", dma_32k(), lambda r: r["time_ns"]),
    ("tiny dependent ScalarE activations, interval", 189, "ns",
     "[src:nki-perf-guide] observed II 189 ns", scalar_chain(64),
     lambda r: r["engines"]["scalar"]["busy_ns"] / 64),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsim", default=os.path.join(ROOT, "build", "nsim"))
    args = ap.parse_args()
    print("| case | published | nsim | nsim / published | source |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as work:
        for what, published, unit, source, text, figure in CASES:
            kernel, report = os.path.join(work, "k.nki"), os.path.join(work, "r.json")
            with open(kernel, "w") as f:
                f.write(text)
            subprocess.run([args.nsim, "run", kernel, "--chip", "trn1", "--timing-only", "--report", report],
                           check=True, stdout=subprocess.DEVNULL)
            with open(report) as f:
                value = figure(json.load(f))
            print(f"| {what} | {published} {unit} | {value:.0f} {unit} | {value / published:.2f} | {source} |")


if __name__ == "__main__":
    main()
