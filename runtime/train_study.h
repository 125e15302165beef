// The data-parallel training step study behind `nsim train`: one replica per NeuronCore, one
// layer's forward and backward kernels simulated (each in a child process) and reused for every
// layer, gradients all-reduced in buckets while the backward pass continues, then AdamW.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/model_spec.h"
#include "runtime/training_step.h"
#include "runtime/work_budget.h"
#include "sim/config/instance_config.h"
#include "sim/system/run_kernel.h"

namespace nsim::runtime {

// One training step to simulate: the model, the instance and the data-parallel batch.
struct TrainRequest {
    std::string model;     // built-in name (examples/models/) or JSON file
    std::string instance;  // built-in name (configs/instances/) or JSON file
    uint32_t batch = 0;    // sequences per NeuronCore (per replica)
    uint64_t bucket_bytes = kDefaultBucketBytes;
    uint64_t max_instructions = kDefaultMaxInstructions;       // per core, work_budget.h
    double max_sim_time_s = sim::kDefaultMaxSimTimeNs * 1e-9;  // per simulation
    std::vector<std::string> sets;  // instance overrides PATH=VALUE ("chip.PATH" for the chip)
};

// One pass of one layer, simulated on one core.
struct PassTiming {
    double time_ns = 0;
    uint64_t instructions = 0;
    double host_seconds = 0;
};

// AdamW over fp32 master weights: read parameter, gradient and both moments, write parameter and
// moments (assumption: 7 x 4 bytes per parameter, bounded by the core's share of HBM bandwidth; the
// few Vector-engine operations per element are assumed hidden under the memory traffic).
inline constexpr double kAdamWBytesPerParameter = 28;

// The step's figures and timeline, with what they were computed from.
struct TrainStudy {
    compiler::ModelSpec spec;
    sim::InstanceConfig instance;
    uint32_t batch = 0;  // per core
    uint32_t ranks = 0;
    uint64_t bucket_bytes = 0;
    uint64_t parameters = 0;
    uint64_t gradient_bytes = 0;   // fp32 gradients, all-reduced every step
    PassTiming forward, backward;  // one layer
    std::string all_reduce_method;
    StepTimeline timeline;
    double host_seconds = 0;

    double samples_per_second() const {
        return timeline.step_ns > 0 ? 1e9 * batch * ranks / timeline.step_ns : 0;
    }
};

// Throws nsim::InputError (or the library's config and kernel errors) naming the bad input: batch
// 0, an unknown model or instance, an instance without collectives, a bad override.
TrainStudy run_train_study(const TrainRequest& request);

}  // namespace nsim::runtime
