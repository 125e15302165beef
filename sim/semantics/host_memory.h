// The host memory a run with results needs, bounded before anything is allocated: a kernel too
// large to compute is refused with a message instead of exhausting the machine.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/program.h"
#include "isa/target.h"

namespace nsim::sim {

// Large enough for any kernel whose tensors fit a real device's memory share of a few GiB; the
// machines nsim runs on have tens of GiB.
inline constexpr uint64_t kDefaultMaxHostBytes = 8ull << 30;

// Throws an InputError when computing the results of `cores` (each entry the programs one core
// runs, with tensors of its own) would need more than `budget_bytes` of host memory: the tensor
// images, each core's SBUF and PSUM, and the largest instruction's operand values as fp32. The
// message names the largest part and the ways on (timing only, a larger budget).
void check_host_memory(const std::vector<std::vector<const isa::Program*>>& cores,
                       const isa::TargetLimits& limits, uint64_t budget_bytes);

}  // namespace nsim::sim
