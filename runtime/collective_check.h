// Checking the outputs of a kernel run on several ranks against a host reference of its
// collectives: every rank's tensors before the run, the collectives applied to them one after
// another in program order, compared with what the simulation left in each rank's outputs.
#pragma once

#include <string>
#include <vector>

#include "isa/program.h"
#include "isa/target.h"
#include "sim/semantics/core_state.h"

namespace nsim::runtime {

struct CollectiveCheck {
    bool checked = false;  // the kernel has a host reference and it was compared
    bool ok = false;       // checked, and every output of every rank matched
    std::string text;      // "yes: ...", "MISMATCH: ..." or why it was not checked
};

// A kernel of collectives (and HBM-to-HBM dma_copy) has a reference: all_reduce and
// reduce_scatter sum (or take the max or min of) the group's sources in double, all_gather
// concatenates them, a recv gets its peer's send, each result rounded into its dst's dtype. A
// reduced element matches within R x 2^-22 x S (R ranks, S the sum of the magnitudes that reached
// it: fp32 sums taken in another order), plus 2^-6 x S when its dtype is bf16 (a sum rounded to
// the other side of a bf16 step, up to two of them); the rest within the same, which is exact for
// plain copies. A kernel with other instructions (engines computing) is not checked: its reference
// would be the simulator itself. `before` and `after` hold every rank's tensors.
CollectiveCheck check_collectives(const isa::Program& program, const isa::TargetLimits& limits,
                                  const std::vector<sim::DeviceMemory>& before,
                                  const std::vector<sim::DeviceMemory>& after);

}  // namespace nsim::runtime
