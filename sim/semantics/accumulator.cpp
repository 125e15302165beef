#include "sim/semantics/accumulator.h"

#include "sim/semantics/alu.h"

namespace nsim::sim {

void fold_into_accumulator(std::vector<float>& acc, uint32_t first_lane, const Tile& values,
                           isa::AluOp op, isa::ReduceCmd cmd, float init) {
    using isa::ReduceCmd;
    if (cmd == ReduceCmd::idle) return;
    for (uint32_t p = 0; p < values.partitions; ++p) {
        float& a = acc.at(first_lane + p);
        if (cmd == ReduceCmd::reset || cmd == ReduceCmd::reset_reduce) a = alu_identity(op);
        if (cmd == ReduceCmd::load_reduce) a = init;
        if (cmd == ReduceCmd::reset) continue;
        with_alu(op, [&](auto fn) {
            for (uint64_t f = 0; f < values.free; ++f) a = fn(a, values.at(p, f));
        });
    }
}

void read_accumulator(CoreState& s, const isa::AccessPattern& reduce_res,
                      const std::vector<float>& acc, uint32_t first_lane, bool negate,
                      isa::Rounding r) {
    Tile t{reduce_res.num_partitions, reduce_res.free_size(),
           std::vector<float>(reduce_res.num_elements())};
    for (uint32_t p = 0; p < t.partitions; ++p)
        for (uint64_t f = 0; f < t.free; ++f) {
            const float a = acc.at(first_lane + p);
            t.at(p, f) = negate ? -a : a;
        }
    write_tile(s, reduce_res, t, r);
}

}  // namespace nsim::sim
