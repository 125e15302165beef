// Cost of the top-8 instructions [src:nki-isa-cost]: one pass over the searched tile.
#include "sim/timing/cost_families.h"
#include "sim/timing/cost_rules.h"

namespace nsim::sim {

using isa::Instruction;
using isa::Opcode;

namespace {

// max8 and nc_find_index8: N [src:nki-isa-cost, max8] [src:nki-isa-cost, nc_find_index8], with the
// MIN_II floor of every Vector instruction.
InstructionCost max8_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "src", t), t));
}

InstructionCost find_index8_cost(const Instruction& inst, const CoreTiming& t) {
    return cycles_cost(floor_min_ii(operand_elements(inst, "data", t), t));
}

// Published as min(MIN_II, N) [src:nki-isa-cost, nc_match_replace8], which would make a longer
// search cheaper; taken as max(MIN_II, N), the form of every other Vector instruction (an
// assumption).
InstructionCost match_replace8_cost(const Instruction& inst, const CoreTiming& t) {
    return find_index8_cost(inst, t);
}

}  // namespace

std::vector<OpcodeCost> top8_costs() {
    return {{Opcode::max8, max8_cost},
            {Opcode::nc_find_index8, find_index8_cost},
            {Opcode::nc_match_replace8, match_replace8_cost}};
}

}  // namespace nsim::sim
