// The replica group of a collective instruction: the ranks (NeuronCores, chip-major) taking part.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/instruction.h"

namespace nsim::isa {

// The ranks group_start + sum_k i_k * step_k for 0 <= i_k < num_k over the `group` pattern, the
// first [step,num] pair outermost (like an iota pattern), in that order. Empty without a group;
// stops after `limit` ranks (the verifier's bound on a group's size).
std::vector<int64_t> replica_group(const Instruction& inst, size_t limit = size_t(1) << 16);

}  // namespace nsim::isa
