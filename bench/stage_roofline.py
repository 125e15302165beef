"""Each BERT stage against its roofline (issue 16's target: within 1.3x): BERT-base and BERT-large
at batch 1 and 8 on one core of trn1, inf2 and trn2, data parallel (the whole model is one stage).
For every stage it prints the simulated stage time, its roofline bound and what binds it, and
their ratio, and writes bench/results/stage_roofline.csv.

Run:  /usr/bin/python3 bench/stage_roofline.py [--nsim build/nsim]"""
import argparse
import csv
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
INSTANCES = {"trn1": "trn1.2xlarge", "inf2": "inf2.xlarge", "trn2": "trn2.48xlarge"}


def stages(nsim, model, instance, batch):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        subprocess.run([nsim, "model", model, "--instance", instance, "--batch", str(batch),
                        "--models", "1", "--requests", "20", "--report", report],
                       check=True, stdout=subprocess.DEVNULL)
        with open(report) as f:
            return json.load(f)["cores"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nsim", default=os.path.join(HERE, "..", "build", "nsim"))
    o = parser.parse_args()
    rows = []
    print(f"{'model':<20} {'chip':<5} {'batch':>5} {'stage':>5} {'stage ms':>9} {'bound ms':>9} "
          f"{'bound by':<14} {'ratio':>6}")
    for model in ("bert-base-uncased", "bert-large-uncased"):
        for chip, instance in INSTANCES.items():
            for batch in (1, 8):
                for core in stages(o.nsim, model, instance, batch):
                    ratio = core["stage_ms"] / core["roofline_ms"]
                    rows.append([model, chip, batch, core["stage"], core["stage_ms"],
                                 core["roofline_ms"], core["roofline_bound"], ratio])
                    print(f"{model:<20} {chip:<5} {batch:>5} {core['stage']:>5} "
                          f"{core['stage_ms']:>9.3f} {core['roofline_ms']:>9.3f} "
                          f"{core['roofline_bound']:<14} {ratio:>5.2f}x")
    path = os.path.join(HERE, "results", "stage_roofline.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "chip", "batch", "stage", "stage_ms", "roofline_ms", "bound_by",
                    "ratio"])
        w.writerows(rows)
    within = sum(r[-1] <= 1.3 for r in rows)
    print(f"{within} of {len(rows)} stages within 1.3x of their roofline; wrote {path}")


if __name__ == "__main__":
    main()
