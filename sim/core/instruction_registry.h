// Each opcode's contract in the simulator: its cost function (sim/timing/cost_<family>.cpp) and
// its semantics function (sim/semantics/semantics_<family>.cpp), in one table indexed by opcode.
// Plain C++ (no SystemC): the cost model and the semantics executor dispatch through it.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "isa/instruction.h"

namespace nsim::sim {

struct InstructionCost;
struct CoreTiming;
namespace ops {
struct Context;
}

using CostFn = InstructionCost (*)(const isa::Instruction&, const CoreTiming&);
using SemanticsFn = void (*)(ops::Context&);

struct OpcodeCost {
    isa::Opcode op;
    CostFn cost;
};

// An opcode's semantics, or none (`semantics` null) with the reason another part of the chip
// computes its result.
struct OpcodeSemantics {
    isa::Opcode op;
    SemanticsFn semantics;
    std::string_view none_because = {};
};

struct InstructionContract {
    CostFn cost = nullptr;
    SemanticsFn semantics = nullptr;  // null: see none_because
    std::string_view none_because;
};

// An opcode-indexed table built from family lists. The constructor throws std::logic_error
// naming the opcode when one is registered twice, or lacks a cost, or lacks both semantics and a
// reason for having none.
class InstructionRegistry {
public:
    InstructionRegistry(const std::vector<OpcodeCost>& costs,
                        const std::vector<OpcodeSemantics>& semantics);

    const InstructionContract& operator[](isa::Opcode op) const { return m_table[size_t(op)]; }

private:
    std::array<InstructionContract, isa::kOpcodeCount> m_table;
};

// nsim's instructions: every family's list, built once. A constant, not a registry anyone adds
// to (custom operators have their own, owned by the simulation: custom_ops.h).
const InstructionRegistry& instruction_registry();

}  // namespace nsim::sim
