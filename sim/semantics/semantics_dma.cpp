// Semantics of dma_copy's and dma_transpose's data movement [src:nki-isa]; the DMA model decides
// when it happens.
#include <string>
#include <vector>

#include "isa/transpose_axes.h"
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

// dst[i_0]...[i_{r-1}] = src[j] with j[axes[d]] = i_d over the shapes [partitions, free dims...]
// of both (isa/transpose_axes.h), raw bits (equal dtypes) [src:nki-isa, dma_transpose].
void dma_transpose(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& src = ap_operand(c.inst, "src");
    const auto axes = isa::transpose_axes(c.inst);
    const std::vector<uint64_t> from = isa::transpose_shape(src), to = isa::transpose_shape(dst);
    if (!axes || axes->size() != from.size() || to.size() != from.size())
        operand_error(c.inst, "axes do not permute the dims of src into those of dst");
    std::vector<uint64_t> from_stride(from.size(), 1);
    for (size_t d = from.size() - 1; d-- > 0;) from_stride[d] = from_stride[d + 1] * from[d + 1];
    for (size_t d = 0; d < to.size(); ++d)
        if (to[d] != from[size_t((*axes)[d])]) operand_error(c.inst, "dst is not src permuted");
    const RawTile in = read_raw(c.state, src);
    RawTile out{dst.num_partitions, dst.free_size(), std::vector<uint32_t>(in.bits.size())};
    std::vector<uint64_t> index(to.size(), 0);  // dst's multi-index, row-major
    for (uint32_t& bits : out.bits) {
        uint64_t j = 0;
        for (size_t d = 0; d < to.size(); ++d) j += index[d] * from_stride[size_t((*axes)[d])];
        bits = in.bits[j];
        for (size_t d = to.size(); d-- > 0;) {
            if (++index[d] < to[d]) break;
            index[d] = 0;
        }
    }
    write_raw(c.state, dst, out);
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> dma_semantics() {
    using isa::Opcode;
    return {{Opcode::dma_copy, ops::dma_copy}, {Opcode::dma_transpose, ops::dma_transpose}};
}

}  // namespace nsim::sim
