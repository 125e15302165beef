// Measuring a deployed model's stages: lower the model for the chip, simulate every stage kernel
// on its core (all of them at once, so they contend for DRAM/HBM as when serving), and optionally
// run the real arithmetic once against the fp32 reference. Each simulation runs in a child process.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/model_run.h"
#include "isa/enums.h"
#include "runtime/deployment.h"

namespace nsim::cli {

struct MeasuredStage {
    double service_ns = 0;  // one batch through the stage's inference kernel
    uint64_t input_bytes = 0, output_bytes = 0;
    std::array<double, isa::kEngineCount> engine_busy_ns{};
    uint64_t instructions = 0;
    uint64_t dram_bytes = 0;             // device-memory bytes the stage moves per batch
    uint64_t resident_weight_bytes = 0;  // held in SBUF
    uint64_t streamed_weight_bytes = 0;  // read from device memory per batch
};

struct MeasuredModel {
    std::string model;                               // the model's name
    std::vector<std::vector<MeasuredStage>> copies;  // per copy of the placement, per stage
    double simulated_ns = 0;                         // simulated time of the measuring run
    double host_seconds = 0;                         // host time of the simulations
    std::optional<double> max_abs_error;             // --functional: against the fp32 reference
    std::string functional_note;                     // what was compared, and the tolerance
};

MeasuredModel measure_model(const ModelRequest& request, const sim::InstanceConfig& instance,
                            const std::vector<std::vector<runtime::CoreId>>& placement);

}  // namespace nsim::cli
