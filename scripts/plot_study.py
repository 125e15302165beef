#!/usr/bin/python3
"""Draws the four panels of a study (nsim sweep): throughput, latency, price per hour and cost per
1M inferences against batch size, one line per model, instance, parallel mode and override set.
With --reference, published measurements of other accelerators (reference.csv, written by nsim
sweep from the study's reference_points file) are drawn beside them in grey, labelled
"published", as points against their batch (a level where the source states no batch).

Usage: plot_study.py RESULTS.csv OUT_DIR [--title TITLE] [--reference REFERENCE.csv]
       ->  OUT_DIR/study.png and study.svg
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# (results column, reference column, axis label): a published latency is an average, not a p50.
PANELS = [
    ("throughput_per_s", "throughput_per_s", "throughput (inferences/s)"),
    ("latency_ms_p50", "latency_ms_avg", "latency p50 (ms; published: average)"),
    ("cost_per_hour_usd", "price_per_hour_usd", "price ($ per hour)"),
    ("cost_per_1m_usd", "cost_per_1m_usd", "cost per 1M inferences ($)"),
]
REFERENCE_MARKERS = "sDv^P*X"


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


def read_reference(path):
    """Published rows grouped by series: {series: [(batch or None, row), ...]}."""
    series = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            batch = int(r["batch"]) if r["batch"] else None
            series.setdefault(r["series"], []).append((batch, r))
    for points in series.values():
        points.sort(key=lambda p: p[0] or 0)
    return series


def draw_reference(ax, reference, column):
    for (name, points), marker in zip(sorted(reference.items()), REFERENCE_MARKERS * 4):
        label = f"published: {name}"
        at = [(b, float(r[column])) for b, r in points if b is not None and r[column]]
        if at:
            ax.plot([b for b, _ in at], [v for _, v in at], ":", color="0.45", marker=marker,
                    markerfacecolor="none", label=label)
        for b, r in points:
            if b is None and r[column]:
                ax.axhline(float(r[column]), color="0.45", linestyle="-.", linewidth=1, label=label)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("out_dir")
    parser.add_argument("--title", default="nsim study")
    parser.add_argument("--reference", help="published reference points (reference.csv)")
    args = parser.parse_args()
    reference = read_reference(args.reference) if args.reference else {}
    lines = read_lines(args.results)
    if not lines:
        sys.exit(f"plot_study.py: {args.results} has no point that ran")
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    for ax, (column, reference_column, label) in zip(axes.flat, PANELS):
        for name, points in sorted(lines.items()):
            style = "--" if "pipeline" in name else "-"
            ax.plot([b for b, _ in points], [float(r[column]) for _, r in points], style, marker="o", label=name)
        draw_reference(ax, reference, reference_column)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("batch size")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    axes.flat[0].legend(fontsize=7)
    if reference:
        for ax in (axes.flat[0], axes.flat[1], axes.flat[3]):
            ax.set_yscale("log")
    fig.suptitle(f"{args.title} (simulated by nsim" + (", grey: published measurements)" if reference else ")"))
    fig.tight_layout()
    for ext in ("png", "svg"):
        path = os.path.join(args.out_dir, f"study.{ext}")
        fig.savefig(path, dpi=110)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
