// `nsim model`'s work as a function: compile a model for an instance, measure its stages on the
// simulated chips, drive the request stream, and return the report (shared by `model` and `sweep`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nsim::cli {

struct ModelRequest {
    std::string model;     // built-in name (examples/models/) or JSON file
    std::string instance;  // built-in name (configs/instances/) or JSON file
    uint32_t batch = 1;
    std::string parallel = "data";  // data | pipeline
    uint32_t pipeline_cores = 0;  // pipeline: cores one copy spans; 0 = every core of the instance
    uint32_t models = 0;          // model copies; 0 = as many as the instance's cores hold
    uint32_t workers_per_model =
        0;  // 0 = 2 for data parallel (neuronperf's best practice); a pipeline's optimal count
    uint32_t requests = 200;  // measured requests over all copies (rounded up to whole rounds of
                              // every worker), after a warm-up of 2 per worker
    bool functional =
        false;  // also run the real arithmetic once and compare with the fp32 reference
    std::vector<std::string>
        sets;           // instance overrides PATH=VALUE ("chip.PATH=VALUE" for the chip)
    std::string trace;  // Chrome trace of the measured stage kernels, if set
};

// Runs one configuration; the SystemC simulations happen in child processes, so it may be called
// any number of times. Throws std::runtime_error (or a config/kernel error) naming what is wrong.
nlohmann::json run_model(const ModelRequest& request);

// Prints a report of run_model: throughput, latency percentiles, cost, and a per-core table in the
// spirit of neuron-top.
void print_model_summary(const nlohmann::json& report);

}  // namespace nsim::cli
