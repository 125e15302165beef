"""nsim beside the two calibration rows (../shared/reference/calibration.md, one per NeuronCore
generation): BERT-base seq 128 at batch 1, C1 on one inf1.xlarge NeuronCore-v1 with one worker,
C2 on trn1.2xlarge with a copy and a worker per NeuronCore-v2. Prints the published figures, nsim's,
and their ratio; the README's "Calibrated parameters" table lists what was set to meet them.

Run:  /usr/bin/python3 bench/calibration.py [--nsim build/nsim]"""
import argparse
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# (row, instance, copies, published throughput/s, published p50 ms, published p99 ms)
ROWS = [
    ("C1", "inf1.xlarge", 1, 125.7, 7.9, 8.0),
    ("C2", "trn1.2xlarge", 2, 2085.5, 0.94, 1.03),
]


def measure(nsim, instance, copies):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        subprocess.run([nsim, "model", "bert-base-uncased", "--instance", instance, "--batch", "1",
                        "--models", str(copies), "--workers-per-model", "1", "--report", report],
                       check=True, stdout=subprocess.DEVNULL)
        with open(report) as f:
            return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nsim", default=os.path.join(HERE, "..", "build", "nsim"))
    o = parser.parse_args()
    print(f"{'row':<4} {'instance':<13} {'quantity':<14} {'published':>10} {'nsim':>10} {'ratio':>6}")
    worst = 0.0
    for row, instance, copies, throughput, p50, p99 in ROWS:
        r = measure(o.nsim, instance, copies)
        for name, published, simulated in (("inferences/s", throughput, r["throughput_per_s"]),
                                           ("p50 ms", p50, r["latency_ms"]["p50"]),
                                           ("p99 ms", p99, r["latency_ms"]["p99"])):
            ratio = simulated / published
            worst = max(worst, abs(ratio - 1))
            print(f"{row:<4} {instance:<13} {name:<14} {published:>10.2f} {simulated:>10.2f} "
                  f"{ratio:>5.2f}x")
    print(f"largest difference: {worst:.1%} (the rows are met within 10% when this is <= 10%)")


if __name__ == "__main__":
    main()
