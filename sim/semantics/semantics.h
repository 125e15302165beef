// The exact result of every instruction (plain C++, no SystemC): what it reads and writes in a
// core's state, in the hardware's arithmetic (fp32 inside Vector/Scalar/GpSimd with casts on
// read and write, fp32 accumulation in PSUM, matmul inputs in their declared dtypes).
#pragma once

#include "isa/instruction.h"
#include "sim/semantics/core_state.h"
#include "sim/semantics/custom_ops.h"

namespace nsim::sim {

// Applies `inst` to `state`. Assumes the program passed the verifier. Throws SimError for what only
// shows at run time (an unregistered custom operator, ...).
void execute(const isa::Instruction& inst, isa::Generation gen, CoreState& state,
             const CustomOpRegistry& ops);

}  // namespace nsim::sim
