#include "compiler/kernel_embedding.h"

#include <algorithm>

namespace nsim::compiler {

using isa::AluOp;
using isa::DType;

void embedding(KernelContext& ctx, const EmbeddingTables& tables,
               const std::vector<int32_t>& token_ids, uint32_t seq_len, uint32_t first_seq,
               const FeatureTiles& out) {
    auto& b = ctx.b();
    const uint32_t H = tables.hidden, S = seq_len;
    const uint64_t mark = ctx.sbuf().mark();
    const auto rows_tile = [&](uint64_t off) { return isa::sbuf(0, S, off, DType::float32, {H}); };
    const uint32_t seqs = out.tokens / S;
    // position[t] + token_type[0], the same for every sequence; the token type row passes through
    // a word buffer. Two word buffers when there are two sequences, so the next one's gather
    // overlaps this one's transposes.
    const uint64_t pos = ctx.sbuf().alloc(uint64_t(H) * 4, "position embeddings");
    ctx.dma(rows_tile(pos), b.hbm(tables.position, 0, S, 0, {H}));
    uint64_t words[2];
    words[0] = ctx.sbuf().alloc(uint64_t(H) * 4, "word embeddings");
    words[1] = seqs > 1 ? ctx.sbuf().alloc(uint64_t(H) * 4, "word embeddings") : words[0];
    if (!tables.token_type.empty()) {
        auto src = b.hbm(tables.token_type, 0, 1, 0, {H});
        src.dims = {{0, S}, {1, H}};
        ctx.dma(rows_tile(words[1]), src);
        b.tensor_tensor(rows_tile(pos), rows_tile(pos), rows_tile(words[1]), AluOp::add);
    }
    for (uint32_t s = 0; s < seqs; ++s) {
        const uint64_t word = words[s % 2];
        const size_t base = size_t(first_seq + s) * S;
        for (uint32_t t0 = 0; t0 < S;) {
            uint32_t t1 = t0 + 1;
            while (t1 < S && token_ids[base + t1] == token_ids[base + t0]) ++t1;
            auto src = b.hbm(tables.word, uint32_t(token_ids[base + t0]), 1, 0, {H});
            src.dims = {{0, t1 - t0}, {1, H}};
            ctx.dma(isa::sbuf(t0, t1 - t0, word, DType::float32, {H}), src);
            t0 = t1;
        }
        b.tensor_tensor(rows_tile(word), rows_tile(word), rows_tile(pos), AluOp::add);
        for (uint32_t k = 0; k < out.tiles; ++k) {
            const uint32_t rows = tile_rows(H, k);
            const auto t = isa::psum(0, rows, ctx.next_psum_bank(), DType::float32, {S});
            b.nc_transpose(t, isa::sbuf(0, S, word + uint64_t(k) * kCompilerPartitions * 4,
                                        DType::float32, {rows}));
            b.tensor_copy(out.ap(k, s * S, S, 0, rows), t);
        }
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
