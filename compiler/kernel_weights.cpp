#include "compiler/kernel_weights.h"

#include <algorithm>

namespace nsim::compiler {

using isa::DType;

void MatrixWeight::emit_load(KernelContext& ctx) const {
    for (uint32_t k = 0; k < k_tiles(); ++k) {
        const uint32_t n = tile_rows(rows, k);
        ctx.dma(
            isa::sbuf(0, n, offset + uint64_t(k) * cols * isa::dtype_size(dtype), dtype, {cols}),
            ctx.b().hbm(name, hbm_row0 + k * kCompilerPartitions, n, hbm_col0, {cols}));
    }
}

void VectorWeight::emit_load(KernelContext& ctx) const {
    ctx.dma(isa::sbuf(0, kCompilerPartitions, offset, DType::float32, {tiles()}),
            ctx.b().hbm(name, 0, kCompilerPartitions, 0, {tiles()}));
}

isa::AccessPattern VectorWeight::ap(uint32_t tile, uint32_t p0, uint32_t np) const {
    return isa::sbuf(p0, np, offset + uint64_t(tile) * 4, DType::float32, {1});
}

isa::AccessPattern MatrixBlock::ap(uint32_t k, uint32_t col, uint32_t count) const {
    const uint64_t element = uint64_t(k) * row_elems + (col - origin_col);
    return isa::sbuf(0, tile_rows(rows, k), base + element * isa::dtype_size(dtype), dtype,
                     {count});
}

uint64_t WeightStaging::narrowest_block_bytes(const MatrixWeight& w) {
    return uint64_t(w.k_tiles()) * std::min(w.cols, kCompilerPartitions) * isa::dtype_size(w.dtype);
}

void WeightStaging::allocate(KernelContext& ctx, uint64_t bytes) {
    m_bytes = bytes / 64 * 64;  // whole 64-byte units, so a block rounded up to them fits
    m_base = ctx.sbuf().alloc(m_bytes, "weight staging ring");
    m_next = 0;
}

uint32_t WeightStaging::block_width(const MatrixWeight& w) const {
    if (w.resident) return std::min(w.cols, 512u);
    const uint64_t column_bytes = uint64_t(w.k_tiles()) * isa::dtype_size(w.dtype);
    const uint64_t fit =
        std::max(m_bytes / kBlocksInRing, std::min(m_bytes, narrowest_block_bytes(w))) /
        column_bytes;
    if (fit >= w.cols) return w.cols;
    if (fit < kCompilerPartitions)
        throw LoweringError("matrix " + w.name + " has " + std::to_string(w.rows) + " rows: a " +
                            std::to_string(kCompilerPartitions) +
                            "-column block does not fit a weight staging ring of " +
                            std::to_string(m_bytes) + " bytes per partition");
    return uint32_t(fit / kCompilerPartitions * kCompilerPartitions);
}

MatrixBlock WeightStaging::fetch(KernelContext& ctx, const MatrixWeight& w, uint32_t col0) {
    MatrixBlock b;
    b.col0 = col0;
    b.width = std::min(block_width(w), w.cols - col0);
    b.dtype = w.dtype;
    b.rows = w.rows;
    if (w.resident) {
        b.base = w.offset;
        b.row_elems = w.cols;
        return b;
    }
    if (!allocated()) throw std::logic_error("weight staging used before allocate()");
    const uint64_t row_bytes = uint64_t(b.width) * isa::dtype_size(w.dtype);
    const uint64_t bytes = (uint64_t(w.k_tiles()) * row_bytes + 63) / 64 * 64;
    if (m_next + bytes > m_bytes) m_next = 0;
    b.base = m_base + m_next;
    m_next += bytes;
    b.row_elems = b.width;
    b.origin_col = col0;
    for (uint32_t k = 0; k < w.k_tiles(); ++k) {
        const uint32_t n = tile_rows(w.rows, k);
        ctx.dma(isa::sbuf(0, n, b.base + k * row_bytes, w.dtype, {b.width}),
                ctx.b().hbm(w.name, w.hbm_row0 + k * kCompilerPartitions, n, w.hbm_col0 + col0,
                            {b.width}));
    }
    return b;
}

}  // namespace nsim::compiler
