// The host memory a run with results needs, bounded before anything is allocated: a kernel too
// large to compute is refused with a message instead of exhausting the machine.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/program.h"
#include "isa/target.h"

namespace nsim::sim {

// Twice what BERT-large needs with results (0.92 GB resident on inf2), a twelfth of a 2-core
// machine's 24 GiB, so that a sweep's parallel points fit beside each other. A larger image takes
// minutes to fill and compute (about 85 MB/s of generated inputs): it is a choice the user makes
// with --max-host-memory, or a run for timing only, which needs none of it.
inline constexpr uint64_t kDefaultMaxHostBytes = 2ull << 30;

// Throws an InputError when computing the results of `cores` (each entry the programs one core
// runs, with tensors of its own) would need more than `budget_bytes` of host memory: the tensor
// images, each core's SBUF and PSUM, and the largest instruction's operand values as fp32. The
// message names the largest part and the ways on (timing only, a larger budget).
void check_host_memory(const std::vector<std::vector<const isa::Program*>>& cores,
                       const isa::TargetLimits& limits, uint64_t budget_bytes);

}  // namespace nsim::sim
