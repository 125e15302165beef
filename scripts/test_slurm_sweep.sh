#!/usr/bin/env bash
# The Slurm executor on a real cluster (scripts/slurm-one-node.sh): the reference study through
# `nsim sweep --executor slurm` gives the committed local results (bench/results/inf1-bert-base,
# host times aside) and the same figure; a task cancelled while it runs leaves its point
# failed with the reason, and the same command again runs that point only; `--no-submit` writes a
# script `sbatch --test-only` accepts. Skipped, with a message, when no cluster answers.
#
#   scripts/test_slurm_sweep.sh [NSIM]    (default build/nsim; SLURM_CONF as the cluster's clients;
#                                          NSIM_REQUIRE_SLURM=1 fails instead of skipping)
set -euo pipefail
cd "$(dirname "$0")/.."
nsim=$(realpath "${1:-build/nsim}")
study=examples/studies/inf1-bert-base.json
expected=bench/results/inf1-bert-base/results.csv
# The point whose task is cancelled while it runs: inf1.xlarge data parallel batch 64, the study's
# longest (several seconds; one copy simulated for 64 inferences), so the poll below sees it running.
victim=6

if ! sinfo -h >/dev/null 2>&1; then
  echo "SKIPPED: no Slurm cluster answers (start one with scripts/slurm-one-node.sh start and" \
    "export SLURM_CONF as it says)"
  [ -z "${NSIM_REQUIRE_SLURM:-}" ] || exit 1  # CI: a cluster must be there
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# The results table without the host_seconds column, the only one that differs between runs.
without_host_time() {
  /usr/bin/python3 - "$1" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
drop = rows[0].index("host_seconds")
for row in rows:
    print(",".join(v for i, v in enumerate(row) if i != drop))
EOF
}

echo "== --no-submit writes a script sbatch --test-only accepts"
"$nsim" sweep "$study" --out "$work/dry" --executor slurm --no-submit --time 20 >"$work/dry.txt"
grep -q "sbatch '$work/dry/slurm/sweep.sbatch'" "$work/dry.txt" || fail "no sbatch command printed"
grep -q '^#SBATCH --array=0-34$' "$work/dry/slurm/sweep.sbatch" || fail "not 35 tasks"
sbatch --test-only "$work/dry/slurm/sweep.sbatch"

echo "== the reference study on the cluster; the task of point $victim cancelled while it runs"
out=$work/slurm
"$nsim" sweep "$study" --out "$out" --executor slurm --time 20 --no-figures 2>"$work/first.err" &
sweep=$!
cancelled=""
while kill -0 "$sweep" 2>/dev/null; do
  job=$(cat "$out/slurm/job" 2>/dev/null || true)
  if [ -n "$job" ] && squeue -h -r -j "$job" -o '%K %T %M' 2>/dev/null | grep -qE "^$victim RUNNING"; then
    scancel "${job}_$victim"
    cancelled=${job}_$victim
    break
  fi
  sleep 0.5
done
status=0
wait "$sweep" || status=$?
cat "$work/first.err"
[ -n "$cancelled" ] || fail "task $victim was never seen running"
[ "$status" -eq 1 ] || fail "the sweep with a cancelled task exited $status, expected 1"
grep -q "no result: Slurm task $cancelled ended CANCELLED" "$out/results.csv" ||
  fail "the cancelled point is not marked failed with its reason"
[ "$(ls "$out/results" | wc -l)" -eq 34 ] || fail "expected 34 results besides the cancelled point"

echo "== the same command again runs the cancelled point only"
md5sum "$out"/results/*.json >"$work/before.md5"
"$nsim" sweep "$study" --out "$out" --executor slurm --time 20 2>"$work/second.err"
cat "$work/second.err"
grep -q "(1 of 35 points)" "$work/second.err" || fail "the resumed job did not run 1 point"
md5sum --quiet -c "$work/before.md5" || fail "a result of the first run changed"
grep -q '"node": "'"$(hostname)"'"' "$out/results/$(printf 'point-%05d.json' "$victim")" || fail "no node in a result"

echo "== the results equal the committed local ones, host times aside"
diff <(without_host_time "$expected") <(without_host_time "$out/results.csv") ||
  fail "results.csv differs from $expected"
# The PNG is drawn from the table alone (the SVG carries a date and random ids).
cmp "$out/study.png" bench/results/inf1-bert-base/study.png || fail "study.png differs"
[ -s "$out/study.svg" ] || fail "no study.svg"

echo "== --gather gives the same table again"
cp "$out/results.csv" "$work/followed.csv"
"$nsim" sweep --gather "$out" --no-figures >/dev/null
cmp "$out/results.csv" "$work/followed.csv" || fail "--gather wrote another table"

echo "slurm sweep: all checks passed"
