#!/usr/bin/env python3
"""All-reduce bus bandwidth against message size, next to the analytic bound.

Runs `nsim collective --op all_reduce` for every power of two from 1 KiB to 1 GiB on
trn1.2xlarge (2 cores of one chip), trn1.32xlarge and trn1n.32xlarge (32 cores on a 4x4 torus,
384 and 768 GB/s of NeuronLink per chip), with the algorithm `auto` picks and with `ring`, and
reads time, bus bandwidth and the analytic bound of the chosen algorithm from each JSON report.
Writes bench/results/allreduce_sweep.csv (with the machine it ran on) and, when matplotlib is
there (Debian's python3-matplotlib: run with /usr/bin/python3), allreduce_sweep.png and .svg.

usage: bench/allreduce_sweep.py [--nsim build/nsim] [--max-bytes 1GiB]
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile

from machine import machine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
INSTANCES = ["trn1.2xlarge", "trn1.32xlarge", "trn1n.32xlarge"]
ALGOS = ["auto", "ring"]


def run(nsim, instance, algo, size, workdir):
    report = os.path.join(workdir, "r.json")
    cmd = [nsim, "collective", "--instance", instance, "--op", "all_reduce", "--bytes", str(size),
           "--algo", algo, "--report", report]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(report) as f:
        return json.load(f)


def bus_factor(ranks):
    return 2 * (ranks - 1) / ranks


def plot(rows, path_stem):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not found: no plot (run with Debian's /usr/bin/python3)")
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    colors = dict(zip(INSTANCES, ["tab:green", "tab:blue", "tab:red"]))
    for inst in INSTANCES:
        auto = [r for r in rows if r["instance"] == inst and r["algo_requested"] == "auto"]
        ring = [r for r in rows if r["instance"] == inst and r["algo_requested"] == "ring"]
        x = [r["bytes"] for r in auto]
        ax.plot(x, [r["bus_bandwidth_gbps"] for r in auto], "o-", color=colors[inst], ms=3,
                label=f"{inst} simulated (auto)")
        ax.plot(x, [r["bound_bus_bandwidth_gbps"] for r in auto], "--", color=colors[inst], lw=1,
                label=f"{inst} analytic bound (auto's algorithm)")
        ax.plot([r["bytes"] for r in ring], [r["bus_bandwidth_gbps"] for r in ring], ":", color=colors[inst],
                lw=1, label=f"{inst} simulated (ring)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("bus bandwidth (GB/s)")
    ax.set_title("nsim all-reduce bus bandwidth, fp32")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(f"{path_stem}.{ext}", dpi=120)
    print(f"wrote {path_stem}.png and .svg")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsim", default=os.path.join(ROOT, "build", "nsim"))
    ap.add_argument("--max-bytes", type=int, default=1 << 30)
    args = ap.parse_args()
    sizes = []
    size = 1024
    while size <= args.max_bytes:
        sizes.append(size)
        size *= 2
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for inst in INSTANCES:
            for algo in ALGOS:
                for size in sizes:
                    r = run(args.nsim, inst, algo, size, work)
                    bound_bus = size / r["bound_ns"] * bus_factor(r["ranks"])
                    rows.append({
                        "instance": inst, "algo_requested": algo, "algo": r["algo"], "ranks": r["ranks"],
                        "bytes": size, "time_ns": r["time_ns"], "bound_ns": r["bound_ns"],
                        "bus_bandwidth_gbps": r["bus_bandwidth_gbps"], "bound_bus_bandwidth_gbps": bound_bus,
                        "algo_bandwidth_gbps": r["algo_bandwidth_gbps"], "verified": r["verified"],
                    })
                    print(f"{inst:15s} {algo:5s}->{r['algo']:8s} {size:>11d} B  {r['time_ns'] / 1e3:10.1f} us  "
                          f"bus {r['bus_bandwidth_gbps']:7.2f} GB/s  bound {bound_bus:7.2f} GB/s")
    os.makedirs(RESULTS, exist_ok=True)
    csv_path = os.path.join(RESULTS, "allreduce_sweep.csv")
    with open(csv_path, "w", newline="") as f:
        f.write(f"# nsim all-reduce sweep on {machine()}; fp32; every rank arrives at t=0\n")
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {csv_path}")
    plot(rows, os.path.join(RESULTS, "allreduce_sweep"))


if __name__ == "__main__":
    main()
