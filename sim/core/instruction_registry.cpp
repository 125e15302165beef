#include "sim/core/instruction_registry.h"

#include <stdexcept>
#include <string>

#include "sim/semantics/semantics_families.h"
#include "sim/timing/cost_families.h"

namespace nsim::sim {

namespace {

[[noreturn]] void registry_error(isa::Opcode op, const char* what) {
    throw std::logic_error("instruction registry: " + std::string(isa::opcode_info(op).name) + " " +
                           what);
}

template <class T>
std::vector<T> joined(std::initializer_list<std::vector<T>> lists) {
    std::vector<T> all;
    for (const auto& l : lists) all.insert(all.end(), l.begin(), l.end());
    return all;
}

}  // namespace

InstructionRegistry::InstructionRegistry(const std::vector<OpcodeCost>& costs,
                                         const std::vector<OpcodeSemantics>& semantics) {
    std::array<bool, isa::kOpcodeCount> has_semantics{};
    for (const OpcodeCost& c : costs) {
        InstructionContract& entry = m_table[size_t(c.op)];
        if (entry.cost) registry_error(c.op, "has two cost functions");
        entry.cost = c.cost;
    }
    for (const OpcodeSemantics& s : semantics) {
        if (has_semantics[size_t(s.op)]) registry_error(s.op, "has two semantics entries");
        has_semantics[size_t(s.op)] = true;
        m_table[size_t(s.op)].semantics = s.semantics;
        m_table[size_t(s.op)].none_because = s.none_because;
    }
    for (int i = 0; i < isa::kOpcodeCount; ++i) {
        const auto op = isa::Opcode(i);
        if (!m_table[i].cost) registry_error(op, "has no cost function");
        if (!m_table[i].semantics && m_table[i].none_because.empty())
            registry_error(op, "has no semantics and no reason for having none");
    }
}

const InstructionRegistry& instruction_registry() {
    static const InstructionRegistry registry(
        joined({tensor_costs(), elementwise_costs(), reduce_costs(), select_costs(), top8_costs(),
                offloaded_costs()}),
        joined({tensor_semantics(), elementwise_semantics(), reduce_semantics(), select_semantics(),
                top8_semantics(), dma_semantics(), custom_semantics(), collective_semantics()}));
    return registry;
}

}  // namespace nsim::sim
