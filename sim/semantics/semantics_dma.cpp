// Semantics of dma_copy's data movement [src:nki-isa]; the DMA model decides when it happens.
#include <string>
#include <vector>

#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim::ops {

// Element k of src (row-major: partitions/rows outermost, then the free dims, last fastest)
// goes to element k of dst; the shapes may differ when the element counts are equal. Equal dtypes
// copy the raw bits; otherwise src -> fp32 -> dst with inst.rounding. Works between any of HBM and
// SBUF (read_raw/read_tile resolve HBM rows). The whole source is read before anything is written,
// so overlapping src and dst behave as if copied through a buffer.
void dma_copy(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& src = ap_operand(c.inst, "src");
    if (src.num_elements() != dst.num_elements())
        operand_error(c.inst, "src has " + std::to_string(src.num_elements()) + " elements, dst " +
                                  std::to_string(dst.num_elements()));
    const auto as_dst_shape = [&](auto t) {  // same elements in the same order, dst's [P, F]
        t.partitions = dst.num_partitions;
        t.free = dst.free_size();
        return t;
    };
    if (src.dtype == dst.dtype)
        write_raw(c.state, dst, as_dst_shape(read_raw(c.state, src)));
    else
        write_tile(c.state, dst, as_dst_shape(read_tile(c.state, src)), c.inst.rounding);
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> dma_semantics() {
    using isa::Opcode;
    return {{Opcode::dma_copy, ops::dma_copy}};
}

}  // namespace nsim::sim
