#!/usr/bin/python3
"""DMA bandwidth sweep: HBM/DDR -> SBUF transfers from 64 B to 64 MiB on inf1, trn1 and trn2.

For each chip, transfer size, DMA engine count (1, via --set dma.engines_per_core=1, or all of a
core's engines: 3 on inf1, 16 on trn1/trn2) and core count (1, or every core of the chip via
`nsim run --cores N`), it generates a streams kernel whose sync engine issues K transfers of that
size at once over the 16 DMA queues (K = 256 MiB / size, between 4 and 256, so the engines have
work to overlap), runs `nsim run --timing-only --races off` (the transfers all land in the same
SBUF bytes on purpose) and reads the JSON report.

A transfer of S bytes covers max(64 B, S / 128) bytes in each of S / that partitions, so the bytes
per partition (= per descriptor, up to 64 KiB) grow with S: the small-transfer knee of
[src:nki-dma-bw] shows against S. SBUF is enlarged with --set limits.sbuf_partition_bytes
so that one 64 MiB transfer fits (512 KiB per partition); that changes no timing.

Figures: per core, DMA bytes / the time its DMA was moving data; per chip, the sum over cores of
bytes / the longest core's DMA busy time. Writes bench/results/dma_sweep.csv, .png and .svg, and
the machine in bench/results/dma_sweep_machine.txt.

usage: /usr/bin/python3 bench/dma_sweep.py [--nsim build/nsim] [--chips inf1,trn1,trn2]
(Debian's python3 with python3-matplotlib)
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile
import time

from machine import machine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")

CHIPS = {  # name: (generation, cores, DMA engines per core)
    "inf1": ("v1", 4, 3),
    "trn1": ("v2", 2, 16),
    "trn2": ("v3", 8, 16),
}
SIZES = [64 << (2 * k) for k in range(11)]  # 64 B, 256 B, ..., 64 MiB
QUEUES = 16
VOLUME = 256 << 20  # bytes per core and point (K transfers of S)


def kernel(generation, size):
    """K transfers of `size` bytes, all issued at once by the sync engine over 16 queues."""
    row = max(64, size // 128)
    rows = size // row
    count = max(4, min(256, VOLUME // size))
    cols = row // 4
    lines = [f"kernel dma_{size}", f"target {generation}", f"tensor x [{rows * count},{cols}] f32 input", "",
             "stream sync"]
    for k in range(count):
        lines.append(f"dma_copy dst=sbuf[0:{rows}]@0.f32[{cols}] src=x[{k * rows}:{(k + 1) * rows}]@0.f32[{cols}] "
                     f"queue={k % QUEUES}")
    return "\n".join(lines) + "\n", row


def run_point(nsim, work, chip, size, engines, cores):
    generation, _, _ = CHIPS[chip]
    text, row = kernel(generation, size)
    path, report = os.path.join(work, "k.nki"), os.path.join(work, "r.json")
    with open(path, "w") as f:
        f.write(text)
    cmd = [nsim, "run", path, "--chip", chip, "--timing-only", "--races", "off", "--cores", str(cores),
           "--report", report, "--set", f"limits.sbuf_partition_bytes={max(row, 1 << 20)}"]
    if engines == 1:
        cmd += ["--set", "dma.engines_per_core=1"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(report) as f:
        r = json.load(f)
    per_core = [c["dma"]["bytes"] / c["dma"]["busy_ns"] for c in r["cores"]]
    chip_gbps = sum(c["dma"]["bytes"] for c in r["cores"]) / max(c["dma"]["busy_ns"] for c in r["cores"])
    return {"chip": chip, "transfer_bytes": size, "bytes_per_partition": row, "engines_per_core": engines,
            "cores": cores, "transfers_per_core": len(text.splitlines()) - 5,
            "core_gbps": round(min(per_core), 3), "chip_gbps": round(chip_gbps, 3),
            "device_memory_gbps_whole_run": round(r["device_memory"]["achieved_gbps"], 3),
            "device_memory_peak_gbps": r["device_memory"]["peak_gbps"], "time_ns": r["time_ns"]}


def plot(rows, chips):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(chips), figsize=(5.2 * len(chips), 4.4), sharey=True)
    if len(chips) == 1:
        axes = [axes]
    for ax, chip in zip(axes, chips):
        _, cores, engines = CHIPS[chip]
        for e, c, style in [(engines, cores, "-o"), (engines, 1, "-s"), (1, cores, "--o"), (1, 1, "--s")]:
            pts = [r for r in rows if r["chip"] == chip and r["engines_per_core"] == e and r["cores"] == c]
            ax.plot([r["transfer_bytes"] for r in pts], [r["chip_gbps"] for r in pts], style, markersize=3,
                    label=f"{c} core{'s' if c > 1 else ''} x {e} engine{'s' if e > 1 else ''}")
        peak = rows[[r["chip"] for r in rows].index(chip)]["device_memory_peak_gbps"]
        ax.axhline(peak, color="grey", linestyle=":", label=f"device memory {peak:g} GB/s")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{chip}")
        ax.set_xlabel("transfer size (bytes; 128 partitions from 8 KiB up)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("achieved GB/s (sum over cores, while moving data)")
    fig.suptitle("nsim DMA sweep: HBM/DDR -> SBUF, K transfers in flight over 16 queues")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(RESULTS, f"dma_sweep.{ext}"), dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsim", default=os.path.join(ROOT, "build", "nsim"))
    ap.add_argument("--chips", default="inf1,trn1,trn2")
    args = ap.parse_args()
    chips = args.chips.split(",")
    os.makedirs(RESULTS, exist_ok=True)
    rows = []
    started = time.time()
    with tempfile.TemporaryDirectory() as work:
        for chip in chips:
            _, cores, engines = CHIPS[chip]
            for e in (1, engines):
                for c in (1, cores):
                    for size in SIZES:
                        rows.append(run_point(args.nsim, work, chip, size, e, c))
    with open(os.path.join(RESULTS, "dma_sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(RESULTS, "dma_sweep_machine.txt"), "w") as f:
        f.write(f"machine: {machine()}\nsweep host time: {time.time() - started:.1f} s\n")
    plot(rows, chips)
    print(f"machine: {machine()}; {len(rows)} points in {time.time() - started:.1f} s")
    print("| chip | engines x cores | 64 B | 4 KiB | 64 MiB |")
    print("|---|---|---:|---:|---:|")
    for chip in chips:
        _, cores, engines = CHIPS[chip]
        for e in (1, engines):
            for c in (1, cores):
                pts = {r["transfer_bytes"]: r["chip_gbps"] for r in rows
                       if r["chip"] == chip and r["engines_per_core"] == e and r["cores"] == c}
                print(f"| {chip} | {e} x {c} | {pts[64]:.2f} | {pts[4096]:.1f} | {pts[64 << 20]:.1f} |")


if __name__ == "__main__":
    main()
