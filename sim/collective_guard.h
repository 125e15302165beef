// Where collectives cannot run: a simulation without collective engines rejects them up front
// rather than treating them as no-ops.
#pragma once

#include "isa/program.h"

namespace nsim::sim {

// Throws SimError naming the first collective instruction of `program` (all_reduce, all_gather,
// reduce_scatter, send, recv): a core simulated without the instance's collective engines cannot
// execute it.
void reject_collectives(const isa::Program& program);

}  // namespace nsim::sim
