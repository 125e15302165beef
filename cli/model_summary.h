// What `nsim model` (and `nsim demo`) print of a served model: throughput, latency percentiles,
// cost, and a per-core table in the spirit of neuron-top.
#pragma once

#include "runtime/model_run_result.h"

namespace nsim::cli {

void print_model_summary(const runtime::ModelRunResult& r);

}  // namespace nsim::cli
