// The one-screen summary `nsim check` prints for a verified kernel.
#pragma once

#include <string>

#include "isa/program.h"
#include "isa/target.h"

namespace nsim::cli {

// Name, target and its limits, form, HBM tensors, instruction counts per opcode and engine, the
// SBUF/PSUM bytes per partition touched, semaphores and DMA queues. `file` names the source.
std::string kernel_summary(const isa::Program& p, const std::string& file,
                           const isa::TargetLimits& limits);

}  // namespace nsim::cli
