#!/usr/bin/python3
"""Draws the four panels of a study (nsim sweep): throughput, latency, price per hour and cost per
1M inferences against batch size, one line per model, instance, parallel mode and override set.

Usage: plot_study.py RESULTS.csv OUT_DIR [--title TITLE]  ->  OUT_DIR/study.png and study.svg
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PANELS = [
    ("throughput_per_s", "throughput (inferences/s)"),
    ("latency_ms_p50", "latency p50 (ms)"),
    ("cost_per_hour_usd", "price ($ per hour)"),
    ("cost_per_1m_usd", "cost per 1M inferences ($)"),
]


def read_lines(path):
    """Rows that ran, grouped into lines: {label: [(batch, row), ...]} sorted by batch."""
    lines = {}
    models = set()
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if not r["error"]]
    for r in rows:
        models.add(r["model"])
    for r in rows:
        parts = [r["instance"], r["mode"]]
        if len(models) > 1:
            parts.insert(0, r["model"])
        if r["override"] != "default":
            parts.append(r["override"])
        lines.setdefault(" ".join(parts), []).append((int(r["batch"]), r))
    for points in lines.values():
        points.sort(key=lambda p: p[0])
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("out_dir")
    parser.add_argument("--title", default="nsim study")
    args = parser.parse_args()
    lines = read_lines(args.results)
    if not lines:
        sys.exit(f"plot_study.py: {args.results} has no point that ran")
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    for ax, (column, label) in zip(axes.flat, PANELS):
        for name, points in sorted(lines.items()):
            style = "--" if "pipeline" in name else "-"
            ax.plot([b for b, _ in points], [float(r[column]) for _, r in points], style, marker="o", label=name)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("batch size")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{args.title} (simulated by nsim)")
    fig.tight_layout()
    for ext in ("png", "svg"):
        path = os.path.join(args.out_dir, f"study.{ext}")
        fig.savefig(path, dpi=110)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
