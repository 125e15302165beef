// The data-parallel training step study behind `nsim train`: one replica per NeuronCore, one
// layer's forward and backward kernels simulated (each in a child process) and reused for every
// layer and every micro-batch; a global step of several micro-batches whose gradients are
// accumulated, all-reduced in buckets while the last micro-batch's backward pass continues, then
// the optimizer once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/model_spec.h"
#include "runtime/train_optimizer.h"
#include "runtime/train_precision.h"
#include "runtime/training_step.h"
#include "runtime/work_budget.h"
#include "sim/config/instance_config.h"
#include "sim/system/run_kernel.h"

namespace nsim::runtime {

// One global training step to simulate: the model, the instance, the data-parallel batch, the
// data type and the optimizer.
struct TrainRequest {
    std::string model;          // built-in name (examples/models/) or JSON file
    std::string instance;       // built-in name (configs/instances/) or JSON file
    uint32_t batch = 0;         // sequences per NeuronCore (per replica) in one micro-batch
    uint64_t global_batch = 0;  // sequences per optimizer step; 0: batch x ranks (no accumulation)
    TrainDtype dtype = TrainDtype::bf16_sr;
    TrainOptimizer optimizer = TrainOptimizer::adamw;
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

// The global step's figures and timeline, with what they were computed from.
struct TrainStudy {
    compiler::ModelSpec spec;  // its matmul_dtype set by the training data type
    sim::InstanceConfig instance;
    uint32_t batch = 0;  // per core and micro-batch
    uint32_t ranks = 0;
    uint64_t global_batch = 0;
    uint64_t micro_steps = 0;  // micro-batches per global step: global / (batch x ranks)
    TrainDtype dtype = TrainDtype::bf16_sr;
    TrainOptimizer optimizer = TrainOptimizer::adamw;
    uint64_t bucket_bytes = 0;
    uint64_t parameters = 0;
    uint64_t gradient_bytes = 0;   // in the training type, all-reduced once per global step
    PassTiming forward, backward;  // one layer, one micro-batch
    ParameterWork optimizer_work, accumulation_work;
    double micro_step_ns = 0;    // forward + backward of every layer for one micro-batch
    double accumulation_ns = 0;  // one accumulation of the gradients
    std::string all_reduce_method;
    StepTimeline timeline;  // the global step; compute_ns includes the accumulations
    double host_seconds = 0;

    double sequences_per_second() const {
        return timeline.step_ns > 0 ? 1e9 * double(global_batch) / timeline.step_ns : 0;
    }
    // Shares of the global step, in percent, adding up to 100: compute (forward, backward and
    // gradient accumulation), exposed communication, optimizer.
    double compute_percent() const { return percent(timeline.compute_ns); }
    double communication_percent() const { return percent(timeline.exposed_communication_ns); }
    double optimizer_percent() const { return percent(timeline.optimizer_ns); }

private:
    double percent(double ns) const {
        return timeline.step_ns > 0 ? 100.0 * ns / timeline.step_ns : 0;
    }
};

// Throws nsim::InputError (or the library's config and kernel errors) naming the bad input: batch
// 0, a global batch that is not a multiple of batch x ranks, an unknown model or instance, an
// instance without collectives, a bad override.
TrainStudy run_train_study(const TrainRequest& request);

}  // namespace nsim::runtime
