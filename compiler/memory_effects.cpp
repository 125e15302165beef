#include "compiler/memory_effects.h"

#include <variant>

namespace nsim::compiler {

std::vector<MemoryAccess> memory_effects(const isa::Instruction& inst,
                                         const isa::Program& program) {
    std::vector<MemoryAccess> effects;
    const auto& specs = isa::opcode_info(inst.op).args;
    effects.reserve(specs.size());
    for (size_t k = 0; k < specs.size() && k < inst.args.size(); ++k) {
        if (specs[k].access == isa::Access::none) continue;
        const auto* ap = std::get_if<isa::AccessPattern>(&inst.args[k]);
        if (!ap) continue;  // absent, or an immediate
        MemoryAccess access;
        const isa::TensorDecl* t =
            ap->space == isa::MemSpace::hbm ? program.find_tensor(ap->tensor) : nullptr;
        if (t && t->row_bytes() != ap->partition_stride_bytes) {  // a copy only to re-place it
            isa::AccessPattern placed = *ap;
            placed.partition_stride_bytes = t->row_bytes();
            access.footprint = isa::footprint(placed);
        } else {
            access.footprint = isa::footprint(*ap);
        }
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
            if (x.highest <= y.lowest || y.highest <= x.lowest ||
                x.footprint.space != y.footprint.space)
                continue;
            if (isa::overlap(x.footprint, y.footprint)) return true;
        }
    return false;
}

}  // namespace nsim::compiler
