// Measuring a deployed model's stages: lower the model for the chip, simulate every stage kernel
// on its core (all of them at once, so they contend for DRAM/HBM as when serving), and optionally
// run the real arithmetic once against the fp32 reference. Each simulation runs in a child process.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "isa/enums.h"
#include "runtime/deployment.h"
#include "runtime/model_request.h"
#include "runtime/model_run_result.h"
#include "sim/system/run_kernel.h"

namespace nsim::runtime {

// What one stage's kernel did for one batch on its core, and what the stage holds and passes on.
struct MeasuredStage {
    double service_ns = 0;  // one batch through the stage's inference kernel
    uint64_t input_bytes = 0, output_bytes = 0;
    std::array<double, isa::kEngineCount> engine_busy_ns{};
    uint64_t instructions = 0;
    uint64_t dram_bytes = 0;             // device-memory bytes the stage moves per batch
    uint64_t resident_weight_bytes = 0;  // held in SBUF
    uint64_t streamed_weight_bytes = 0;  // read from device memory per batch
    double roofline_ns = 0;              // the stage kernel's roofline on its core (roofline.h)
    std::string roofline_bound;          // which bound binds
};

// Every stage of the simulated copies of a placement, measured.
struct MeasuredModel {
    std::string model;  // the model's name
    // Per simulated copy, per stage: copy c of the placement runs like copies[c % copies.size()]
    // (the first copies, repeated chip by chip over the placement, model_measure.cpp).
    std::vector<std::vector<MeasuredStage>> copies;
    double simulated_ns = 0;                    // simulated time of the measuring run
    double host_seconds = 0;                    // host time of the simulations
    std::optional<FunctionalCheck> functional;  // ModelRequest::functional
};

// One measured stage kernel's run, with the trace it recorded, under a name such as
// "chip0/core1 stage 0 infer".
struct TracedStage {
    std::string name;
    const sim::RunResult* run = nullptr;
};

// Takes the traced runs of the measurement (in the process that simulated them) and writes them
// where the caller wants; the runtime does not choose a trace format.
using StageTraceWriter = std::function<void(const std::vector<TracedStage>& stages)>;

// What measure_model's result depends on, as text: two requests with the same key (e.g. the same
// chip and copies on inf1.xlarge and inf1.6xlarge) measure the same stages the same way.
std::string measurement_key(const ModelRequest& request, const sim::InstanceConfig& instance,
                            const std::vector<std::vector<CoreId>>& placement);

// Measures the stages of `request`'s model on `placement` (from place_copies); with
// `write_trace`, records the timeline and hands it over. Throws nsim::InputError when the model
// does not fit the chips' device memory, std::runtime_error when a simulation fails.
MeasuredModel measure_model(const ModelRequest& request, const sim::InstanceConfig& instance,
                            const std::vector<std::vector<CoreId>>& placement,
                            const StageTraceWriter& write_trace = {});

}  // namespace nsim::runtime
