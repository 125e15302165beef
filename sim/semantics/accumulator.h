// The Vector engine's per-lane accumulator under a reduce_cmd [src:nki-isa, reduce_cmd]: one fp32
// per lane (partition), shared by the instructions that reduce into it.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/enums.h"
#include "sim/semantics/core_state.h"

namespace nsim::sim {

// Applies `cmd` to lanes [first_lane, first_lane + values.partitions) of `acc`: reset and
// reset_reduce set the identity of `op`, load_reduce sets `init`; then reset_reduce, reduce and
// load_reduce fold the lane's row of `values` left to right, acc = op(op(acc, v0), v1) ...;
// idle leaves the lane as it is (the hardware may clobber it; nsim does not).
void fold_into_accumulator(std::vector<float>& acc, uint32_t first_lane, const Tile& values,
                           isa::AluOp op, isa::ReduceCmd cmd, float init);

// reduce_res[p] = acc[first_lane + p] (negated when `negate`; acc itself is not), rounded into
// reduce_res's dtype, for every element of reduce_res's partition p.
void read_accumulator(CoreState& s, const isa::AccessPattern& reduce_res,
                      const std::vector<float>& acc, uint32_t first_lane, bool negate,
                      isa::Rounding r);

}  // namespace nsim::sim
