#!/usr/bin/env python3
"""Host speed of nsim: simulated instructions per host second, timing-only and functional.

Generates a long tiled matmul and a softmax-heavy kernel, runs `nsim run` on each REPEATS times
(each run is a fresh process: SystemC elaborates once per process), reads `instructions`,
`simulation_host_seconds` (the simulator: elaboration to report), `host_seconds` (the whole
command: parsing, verifying, sync insertion, inputs, simulation) and `host_phases_seconds` from the
JSON report, and prints min/median/max with the machine it ran on. Writes bench/results/host_speed.csv.

usage: bench/host_speed.py [--nsim build/nsim] [--repeats 5] [--scaling] [--jobs]
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from machine import machine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GENERATE = os.path.join(ROOT, "examples", "generate")

# (name, generator, arguments, mode)
CASES = [
    ("matmul 2048^3 x16 (timing)", "tiled_matmul.py", ["2048", "2048", "2048", "16"], "timing"),
    ("softmax 4096 tiles x 512 (timing)", "softmax_rows.py", ["4096", "512"], "timing"),
    ("matmul 512^3 x4 (functional)", "tiled_matmul.py", ["512", "512", "512", "4"], "functional"),
    ("softmax 256 tiles x 512 (functional)", "softmax_rows.py", ["256", "512"], "functional"),
]
# --scaling: the same matmul at about 10^4, 10^5 and 10^6 instructions, timing only (the last is
# about 120 MiB of text, within the 256 MiB limit of a kernel file): a 10x longer kernel should
# cost about 10x.
SCALING = [(f"matmul 2048^3 x{n} (timing)", "tiled_matmul.py", ["2048", "2048", "2048", str(n)], "timing")
           for n in (8, 80, 800)]


def run_once(nsim, kernel, mode, workdir):
    report = os.path.join(workdir, "report.json")
    cmd = [nsim, "run", kernel, "--report", report] + (["--timing-only"] if mode == "timing" else [])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(report) as f:
        r = json.load(f)
    return r["instructions"], r["simulation_host_seconds"], r["host_seconds"], r["time_ns"], r["host_phases_seconds"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsim", default=os.path.join(ROOT, "build", "nsim"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scaling", action="store_true", help="also the 10^4/10^5/10^6-instruction matmuls")
    ap.add_argument("--jobs", action="store_true",
                    help="also the functional BERT-base, the inf1 reference study and the nc_matmul-beside-Eigen benchmark")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, gen, gen_args, mode in CASES + (SCALING if args.scaling else []):
            kernel = os.path.join(work, "kernel.nki")
            with open(kernel, "w") as f:
                subprocess.run([sys.executable, os.path.join(GENERATE, gen)] + gen_args, check=True, stdout=f)
            runs = [run_once(args.nsim, kernel, mode, work) for _ in range(args.repeats)]
            sim_rates = sorted(n / sim for n, sim, _, _, _ in runs)
            whole_rates = sorted(n / whole for n, _, whole, _, _ in runs)
            row = {"machine": machine(), "case": name, "instructions": runs[0][0], "simulated_us": round(runs[0][3] / 1000, 1),
                   "repeats": args.repeats, "sim_min_instr_per_s": round(sim_rates[0]),
                   "sim_median_instr_per_s": round(statistics.median(sim_rates)),
                   "sim_max_instr_per_s": round(sim_rates[-1]),
                   "command_median_instr_per_s": round(statistics.median(whole_rates)),
                   "command_max_instr_per_s": round(whole_rates[-1]),
                   "command_median_s": round(statistics.median(whole for _, _, whole, _, _ in runs), 3)}
            # Where the whole command's time went (medians, ms): parse, verify, sync pass, simulate.
            for phase in ("parse", "verify", "sync", "simulate"):
                row[f"{phase}_median_ms"] = round(1000 * statistics.median(p[phase] for *_, p in runs), 1)
            rows.append(row)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "host_speed.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"machine: {machine()}")
    print(f"{args.repeats} runs each; simulator instructions per host second (min / median / max), and the whole")
    print("command's (median: parsing, verifying, sync insertion and inputs included)")
    print()
    print("| case | instructions | simulated us | simulator min | median | max | whole command median | best | whole command s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['instructions']} | {r['simulated_us']} | {r['sim_min_instr_per_s']:,} | "
              f"{r['sim_median_instr_per_s']:,} | {r['sim_max_instr_per_s']:,} | {r['command_median_instr_per_s']:,} | "
              f"{r['command_max_instr_per_s']:,} | {r['command_median_s']} |")
    print()
    print("where the whole command's time goes (medians, ms; the rest: reading inputs, the report)")
    print()
    print("| case | parse | verify | sync pass | simulate |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['parse_median_ms']} | {r['verify_median_ms']} | {r['sync_median_ms']} | "
              f"{r['simulate_median_ms']} |")
    if args.jobs:
        print()
        jobs(args)


def jobs(args):
    """Whole jobs (functional BERT-base, the inf1 study with its figures), min/median/max wall seconds
    over the repeats, and the matmul-beside-Eigen line."""
    build = os.path.dirname(os.path.abspath(args.nsim))
    bert = [args.nsim, "model", "bert-base-uncased", "--instance", "inf1.xlarge", "--models", "1", "--functional"]
    with tempfile.TemporaryDirectory() as out:
        study = [args.nsim, "sweep", os.path.join(ROOT, "examples", "studies", "inf1-bert-base.json"), "--out", out]
        for cmd in (bert, study):
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            times.sort()
            shown = " ".join(["nsim"] + [a if a != out else "DIR" for a in cmd[1:]]).replace(ROOT + "/", "")
            print(f"{shown}: min {times[0]:.2f} s, median {statistics.median(times):.2f} s, max {times[-1]:.2f} s")
    tests = os.path.join(build, "tests", "nsim_sim_tests")
    if os.path.exists(tests):  # built with Eigen: prints nsim's and Eigen's times
        out = subprocess.run([tests, "[bench]"], check=True, capture_output=True, text=True).stdout
        print("\n".join(line for line in out.splitlines() if line.startswith("nc_matmul")))


if __name__ == "__main__":
    main()
