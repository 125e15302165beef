// The gradient all-reduce as the training study sees it: the time of one all-reduce of N bytes
// over every NeuronCore of an instance. The one place that knows how collectives are timed.
#pragma once

#include <string>

#include "runtime/training_step.h"
#include "sim/collective/collective_types.h"
#include "sim/config/instance_config.h"

namespace nsim::runtime {

// Each all-reduce is simulated by the collective engine over the instance's NeuronLink network
// (algorithm chosen automatically by message size), the links otherwise idle. Throws
// nsim::InputError naming the instance when it cannot run collectives (no CC cores, as on
// Inferentia, or a single NeuronCore).
AllReduceTime gradient_all_reduce(const sim::InstanceConfig& instance, sim::CollectiveDType dtype);

// A sentence saying how the time is obtained (and the algorithm chosen for `bytes`), for reports.
std::string all_reduce_method(const sim::InstanceConfig& instance, uint64_t bytes,
                              sim::CollectiveDType dtype);

}  // namespace nsim::runtime
