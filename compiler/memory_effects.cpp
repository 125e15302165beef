#include "compiler/memory_effects.h"

#include <variant>

namespace nsim::compiler {

std::vector<MemoryAccess> memory_effects(const isa::Instruction& inst,
                                         const isa::Program& program) {
    std::vector<MemoryAccess> effects;
    const auto& specs = isa::opcode_info(inst.op).args;
    for (size_t k = 0; k < specs.size() && k < inst.args.size(); ++k) {
        if (specs[k].access == isa::Access::none) continue;
        const auto* ap = std::get_if<isa::AccessPattern>(&inst.args[k]);
        if (!ap) continue;  // absent, or an immediate
        isa::AccessPattern placed = *ap;
        if (placed.space == isa::MemSpace::hbm)
            if (const auto* t = program.find_tensor(placed.tensor))
                placed.partition_stride_bytes = t->row_bytes();
        MemoryAccess access;
        access.footprint = isa::footprint(placed);
        if (access.footprint.ranges.empty()) continue;  // an empty pattern touches nothing
        access.writes =
            specs[k].access == isa::Access::write || specs[k].access == isa::Access::read_write;
        access.lowest = access.footprint.ranges.front().begin;
        access.highest = access.footprint.ranges.back().end;
        effects.push_back(std::move(access));
    }
    return effects;
}

bool conflicts(const std::vector<MemoryAccess>& a, const std::vector<MemoryAccess>& b) {
    for (const auto& x : a)
        for (const auto& y : b) {
            if (!x.writes && !y.writes) continue;
            if (x.highest <= y.lowest || y.highest <= x.lowest) continue;
            if (isa::overlap(x.footprint, y.footprint)) return true;
        }
    return false;
}

}  // namespace nsim::compiler
