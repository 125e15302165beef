#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for SECONDS each, all at once, each from a fresh
# corpus: its committed seeds (fuzz/corpus/NAME) and the repository's own files of its
# kind. A finding fails the script, with the input saved as BUILD_DIR/NAME-crash-* (or -timeout-,
# -oom-) and the end of the target's log printed.
#
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DNSIM_FUZZ=ON -DBUILD_TESTING=OFF
#   cmake --build build-fuzz -j2 --target nsim_kernel_fuzzer nsim_config_fuzzer \
#     nsim_model_study_fuzzer nsim_npy_fuzzer nsim_args_fuzzer
#   scripts/run_fuzzers.sh [SECONDS] [BUILD_DIR]      (defaults: 60 build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=$(realpath "${2:-build-fuzz}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# NAME: dictionary and the files its corpus starts from.
corpus_files() {
  case $1 in
    kernel) echo examples/kernels/*.nki ;;
    config) echo fuzz/corpus/config/* configs/chips/*.json configs/instances/*.json \
      examples/variants/*.json ;;
    model_study) echo examples/models/*.json examples/studies/*.json ;;
    npy) echo fuzz/corpus/npy/* ;;
    args) echo fuzz/corpus/args/* ;;
  esac
}
dictionary() {
  case $1 in
    kernel) echo "-dict=fuzz/kernel.dict" ;;
    config | model_study) echo "-dict=fuzz/json.dict" ;;
  esac
}

fuzz() {
  local name=$1 log=$work/$1.log
  mkdir "$work/$name"
  # shellcheck disable=SC2046 # the file lists are globs
  cp $(corpus_files "$name") "$work/$name"/
  # shellcheck disable=SC2046
  if "$build/fuzz/nsim_${name}_fuzzer" "$work/$name" $(dictionary "$name") \
      -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
      -artifact_prefix="$build/$name-" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz $name: no finding ($(grep -E '^stat::number_of_executed_units' "$log" |
      awk '{print $2}') inputs in ${seconds} s)"
  else
    tail -n 60 "$log"
    echo "FUZZ FINDING in $name: the input is saved as $build/$name-crash-*, -timeout-* or -oom-*"
    return 1
  fi
}

# All at once: each target runs SECONDS of wall time, sharing the machine's cores (on CI's two,
# each gets about two fifths of a core: a minute each for all five costs a minute of CI).
status=0
pids=()
for name in kernel config model_study npy args; do
  fuzz "$name" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
