// The collectives compute nothing on the core: the collective engine moves their data
// (sim/collective/collective_data.cpp), and run_kernel rejects them on a single core.
#include "sim/semantics/semantics_families.h"

namespace nsim::sim {

std::vector<OpcodeSemantics> collective_semantics() {
    using isa::Opcode;
    constexpr std::string_view why = "the collective engine moves its data";
    return {{Opcode::all_reduce, nullptr, why},
            {Opcode::all_gather, nullptr, why},
            {Opcode::reduce_scatter, nullptr, why},
            {Opcode::send, nullptr, why},
            {Opcode::recv, nullptr, why}};
}

}  // namespace nsim::sim
