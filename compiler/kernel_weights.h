// Weights as the kernels see them: a matrix [K, M] (y = x . W) or a per-feature vector, either
// resident in SBUF (loaded once by a stage's load program) or streamed from HBM by DMA when used.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/kernel_context.h"

namespace nsim::compiler {

// A weight matrix in HBM [rows = K inputs, cols = M outputs], row-major in the matmul dtype, or
// the part of one from row `hbm_row0` and column `hbm_col0` on (a pipeline stage's share of a
// feed-forward block). Resident: SBUF holds it at `offset` as [k tile][col] per partition (K row k
// in partition k % 128 of k tile k / 128).
struct MatrixWeight {
    std::string name;
    uint32_t rows = 0;
    uint32_t cols = 0;
    isa::DType dtype = isa::DType::bfloat16;
    bool resident = false;
    uint64_t offset = 0;
    uint32_t hbm_row0 = 0;
    uint32_t hbm_col0 = 0;

    uint32_t k_tiles() const { return partition_tiles(rows); }
    uint64_t sbuf_bytes() const { return uint64_t(k_tiles()) * cols * isa::dtype_size(dtype); }
    // The load program's DMAs of the matrix into `offset`, one per K tile.
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

// The SBUF ring that streamed matrices pass through, column block by column block: each block takes
// the next free bytes of the ring (wrapping to its start), so blocks of different matrices follow
// each other and the DMAs of the next blocks, of this matrix or the next one, run while the current
// block is computed. The sync pass makes a block's DMA wait for the matmuls that read the bytes it
// overwrites, so a larger ring prefetches further ahead.
class WeightStaging {
public:
    // Blocks the ring holds at least: one being computed, two in flight.
    static constexpr uint64_t kBlocksInRing = 3;
    // Bytes per partition of a 128-column block of `w` (K tiles x 128 columns).
    static uint64_t narrowest_block_bytes(const MatrixWeight& w);
    // Reserves `bytes` per partition for the ring.
    void allocate(KernelContext& ctx, uint64_t bytes);
    bool allocated() const { return m_bytes > 0; }
    // Width of the column blocks `w` is fetched in. Resident: at most 512 columns (the column
    // blocks the matmul loop walks). Streamed: the widest multiple of 128 columns (or the whole
    // matrix) within a third of the ring, so one K tile's row, one DMA descriptor per partition,
    // is as long as the ring allows. Throws LoweringError when a 128-column block does not fit.
    uint32_t block_width(const MatrixWeight& w) const;
    // The block starting at `col0`: the resident copy, or fresh DMAs (one per K tile) into the
    // ring.
    MatrixBlock fetch(KernelContext& ctx, const MatrixWeight& w, uint32_t col0);

private:
    uint64_t m_base = 0;
    uint64_t m_bytes = 0;
    uint64_t m_next = 0;  // ring offset of the next block
};

}  // namespace nsim::compiler
