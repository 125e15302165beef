#include "compiler/memory_effects.h"

#include <variant>

namespace nsim::compiler {

static_assert(size_t(isa::MemSpace::psum) + 1 ==
              std::tuple_size_v<decltype(MemoryEffects::writes)>);

MemoryEffects memory_effects(const isa::Instruction& inst, const isa::Program& program) {
    MemoryEffects effects;
    const auto& specs = isa::opcode_info(inst.op).args;
    effects.accesses.reserve(specs.size());
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
        const auto space = size_t(access.footprint.space);
        effects.touches[space].add(access);
        if (access.writes) effects.writes[space].add(access);
        effects.accesses.push_back(std::move(access));
    }
    return effects;
}

bool conflicts(const MemoryEffects& a, const MemoryEffects& b) {
    bool may = false;
    for (size_t s = 0; s < a.writes.size() && !may; ++s)
        may = a.writes[s].meets(b.touches[s]) || b.writes[s].meets(a.touches[s]);
    if (!may) return false;
    for (const auto& x : a.accesses)
        for (const auto& y : b.accesses) {
            if (!x.writes && !y.writes) continue;
            if (x.highest <= y.lowest || y.highest <= x.lowest ||
                x.footprint.space != y.footprint.space)
                continue;
            if (isa::overlap(x.footprint, y.footprint)) return true;
        }
    return false;
}

}  // namespace nsim::compiler
