// What `run_model` serves and how: the model, the instance, the parallelism and the request stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/work_budget.h"
#include "sim/system/run_kernel.h"

namespace nsim::runtime {

// How a model's copies use the NeuronCores ([src:parallel-ncgs]).
enum class Parallelism {
    data,      // a copy per core, each serving whole batches
    pipeline,  // the layers sharded over several cores, activations passed core to core
};

std::string_view parallelism_name(Parallelism parallelism);  // "data" or "pipeline"
std::optional<Parallelism> parse_parallelism(std::string_view name);

// The most measured requests one run serves: each keeps its latency for the percentiles, and a
// million leave a thousand samples beyond p99.9.
inline constexpr uint32_t kMaxRequests = 1'000'000;

// One configuration to serve, with the defaults of `nsim model`.
struct ModelRequest {
    std::string model;     // built-in name (examples/models/) or JSON file
    std::string instance;  // built-in name (configs/instances/) or JSON file
    uint32_t batch = 1;
    Parallelism parallel = Parallelism::data;
    uint32_t pipeline_cores = 0;  // pipeline: cores one copy spans; 0 = every core of the instance
    uint32_t models = 0;          // model copies; 0 = as many as the instance's cores hold
    // 0 = 2 for data parallel (neuronperf's best practice); a pipeline's optimal count
    uint32_t workers_per_model = 0;
    // Measured requests over all copies (rounded up to whole rounds of every worker), after a
    // warm-up of 2 per worker.
    uint32_t requests = 200;
    bool functional = false;  // also run the real arithmetic once, against the fp32 reference
    uint64_t max_instructions = kDefaultMaxInstructions;       // per core, work_budget.h
    double max_sim_time_s = sim::kDefaultMaxSimTimeNs * 1e-9;  // per simulation
    std::vector<std::string>
        sets;  // instance overrides PATH=VALUE ("chip.PATH=VALUE" for the chip)
};

}  // namespace nsim::runtime
