// Weights as the kernels see them: a matrix [K, M] (y = x . W) or a per-feature vector, either
// resident in SBUF (loaded once by a stage's load program) or streamed from HBM by DMA when used.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/kernel_context.h"

namespace nsim::compiler {

// A weight matrix in HBM [rows = K inputs, cols = M outputs], row-major in the matmul dtype.
// Resident: SBUF holds it at `offset` as [k tile][col] per partition (K row k in partition k % 128
// of k tile k / 128).
struct MatrixWeight {
    std::string name;
    uint32_t rows = 0;
    uint32_t cols = 0;
    isa::DType dtype = isa::DType::bfloat16;
    bool resident = false;
    uint64_t offset = 0;

    uint32_t k_tiles() const { return partition_tiles(rows); }
    uint64_t sbuf_bytes() const { return uint64_t(k_tiles()) * cols * isa::dtype_size(dtype); }
    // The load program's DMAs of the whole matrix into `offset`, one per K tile.
    void emit_load(KernelContext& ctx) const;
};

// A per-feature fp32 vector (bias, LayerNorm gamma/beta) of `size` features, stored in HBM as
// [128, tiles] so that one DMA puts feature j*128+p in partition p, column j ("column layout").
struct VectorWeight {
    std::string name;
    uint32_t size = 0;
    uint64_t offset = 0;  // SBUF, when loaded

    uint32_t tiles() const { return partition_tiles(size); }
    uint64_t sbuf_bytes() const { return uint64_t(tiles()) * 4; }
    // Loads the vector to `offset` (one DMA).
    void emit_load(KernelContext& ctx) const;
    // Features [tile*128 + p0, +np) as a per-partition scalar operand.
    isa::AccessPattern ap(uint32_t tile, uint32_t p0 = 0, uint32_t np = kCompilerPartitions) const;
};

// A column block of a matrix available in SBUF: columns [col0, col0+width) of every K tile. K tile
// k starts at `base` + k * row_elems elements and holds columns from `origin_col` on.
struct MatrixBlock {
    uint64_t base = 0;
    uint32_t row_elems = 0;
    uint32_t origin_col = 0;
    uint32_t col0 = 0;
    uint32_t width = 0;
    isa::DType dtype = isa::DType::bfloat16;
    uint32_t rows = 0;

    // Columns [col, col+count) of K tile `k` (partitions: the K rows of that tile).
    isa::AccessPattern ap(uint32_t k, uint32_t col, uint32_t count) const;
};

// Two SBUF slots that streamed matrices pass through, column block by column block, in rotation
// (the next block's DMA overlaps the current block's matmuls).
class WeightStaging {
public:
    static constexpr uint64_t kSlotBytes = 8192;  // per partition: a 768x512 or 3072x128 bf16 block
    void allocate(KernelContext& ctx);
    bool allocated() const { return m_allocated; }
    // Width of the column blocks `w` is fetched in: at most 512 columns (one PSUM bank of fp32
    // per 128-row output tile, 4 tiles a block) and what fits a slot.
    uint32_t block_width(const MatrixWeight& w) const;
    // The block starting at `col0`: the resident copy, or a fresh DMA into the next slot.
    MatrixBlock fetch(KernelContext& ctx, const MatrixWeight& w, uint32_t col0);

private:
    bool m_allocated = false;
    uint64_t m_slot[2] = {0, 0};
    int m_next = 0;
};

}  // namespace nsim::compiler
