#include "compiler/kernel_matmul.h"

#include <algorithm>

namespace nsim::compiler {

using isa::AluOp;
using isa::DType;

namespace {
constexpr uint32_t kMovingMax = 512;  // fp32 columns per PSUM bank (2 KiB) [src:nki-isa, nc_matmul]
}

MovingFn moving_of(const FeatureTiles& x) {
    return [x](uint32_t k, uint32_t n0, uint32_t n) { return x.ap(k, n0, n); };
}

void linear_tile(KernelContext& ctx, const MatrixWeight& w, const MatrixBlock& block,
                 const MovingFn& moving, uint32_t m0, uint32_t n0, uint32_t n,
                 const EvictFn& evict) {
    const uint32_t rows = std::min(kCompilerPartitions, w.cols - m0);
    const auto acc = isa::psum(0, rows, ctx.next_psum_bank(), DType::float32, {n});
    for (uint32_t k = 0; k < w.k_tiles(); ++k)
        ctx.b().nc_matmul(acc, block.ap(k, m0, rows), moving(k, n0, n)).arg("accumulate", k > 0);
    evict(m0 / kCompilerPartitions, acc, n0, n);
}

void linear(KernelContext& ctx, const MatrixWeight& w, WeightStaging& staging,
            const MovingFn& moving, uint32_t tokens, const EvictFn& evict) {
    const uint32_t width = staging.block_width(w);
    for (uint32_t c0 = 0; c0 < w.cols; c0 += width) {
        const MatrixBlock block = staging.fetch(ctx, w, c0);
        for (uint32_t n0 = 0; n0 < tokens; n0 += kMovingMax)
            for (uint32_t m0 = c0; m0 < c0 + block.width; m0 += kCompilerPartitions)
                linear_tile(ctx, w, block, moving, m0, n0, std::min(kMovingMax, tokens - n0),
                            evict);
    }
}

void DeferredTiles::linear(KernelContext& ctx, const MatrixWeight& w, WeightStaging& staging,
                           const MovingFn& moving, uint32_t tokens, const EvictFn& evict,
                           uint32_t from) {
    if (staging.block_width(w) < w.cols) {
        const auto all = [&ctx, &w, &staging, moving, tokens, evict] {
            compiler::linear(ctx, w, staging, moving, tokens, evict);
        };
        if (from > 0) return all();
        m_tiles.push_back({0, tokens, all});
        return;
    }
    const MatrixBlock block = staging.fetch(ctx, w, 0);
    for (uint32_t n0 = 0; n0 < tokens; n0 += kMovingMax) {
        const uint32_t n = std::min(kMovingMax, tokens - n0);
        for (uint32_t m0 = 0; m0 < w.cols; m0 += kCompilerPartitions) {
            auto tile = [&ctx, &w, block, moving, m0, n0, n, evict] {
                linear_tile(ctx, w, block, moving, m0, n0, n, evict);
            };
            if (n0 < from) {
                tile();
                continue;
            }
            // After the kept tiles of this chunk, before those of later ones.
            auto at = m_tiles.begin();
            while (at != m_tiles.end() && at->n0 <= n0) ++at;
            m_tiles.insert(at, {n0, n, tile});
        }
    }
}

void DeferredTiles::emit_needed(uint32_t column) {
    while (!m_tiles.empty() && m_tiles.front().n0 < column) {
        m_tiles.front().emit();
        m_tiles.pop_front();
    }
}

void DeferredTiles::emit_next(uint32_t ready) {
    if (m_tiles.empty() || m_tiles.front().n0 + m_tiles.front().n > ready) return;
    m_tiles.front().emit();
    m_tiles.pop_front();
}

void token_major_block(KernelContext& ctx, const MatrixBlock& block, const MatrixWeight& w,
                       const FeatureTiles& x, uint32_t seq_len, uint32_t seq,
                       const TokenEvictFn& evict) {
    for (uint32_t m0 = block.col0; m0 < block.col0 + block.width; m0 += kMovingMax) {
        const uint32_t n = std::min(kMovingMax, block.col0 + block.width - m0);
        const auto acc = isa::psum(0, seq_len, ctx.next_psum_bank(), DType::float32, {n});
        for (uint32_t k = 0; k < w.k_tiles(); ++k)
            ctx.b()
                .nc_matmul(acc, x.ap(k, seq * seq_len, seq_len), block.ap(k, m0, n))
                .arg("accumulate", k > 0);
        evict(seq, m0, acc);
    }
}

void linear_token_major(KernelContext& ctx, const MatrixWeight& w, WeightStaging& staging,
                        const FeatureTiles& x, uint32_t seq_len, uint32_t seqs,
                        const TokenEvictFn& evict) {
    const uint32_t width = staging.block_width(w);
    for (uint32_t c0 = 0; c0 < w.cols; c0 += width) {
        const MatrixBlock block = staging.fetch(ctx, w, c0);
        for (uint32_t s = 0; s < seqs; ++s) token_major_block(ctx, block, w, x, seq_len, s, evict);
    }
}

EvictFn evict_bias(KernelContext& ctx, const VectorWeight& bias, const FeatureTiles& out,
                   isa::ActFunc func) {
    return [&ctx, bias, out, func](uint32_t m, const isa::AccessPattern& acc, uint32_t n0,
                                   uint32_t n) {
        ctx.b()
            .activation(out.ap(m, n0, n, 0, acc.num_partitions), func, acc)
            .arg("bias", bias.ap(m, 0, acc.num_partitions));
    };
}

EvictFn evict_bias_residual(KernelContext& ctx, const VectorWeight& bias, const FeatureTiles& x) {
    return [&ctx, bias, x](uint32_t m, const isa::AccessPattern& acc, uint32_t n0, uint32_t n) {
        const auto xs = x.ap(m, n0, n, 0, acc.num_partitions);
        ctx.b().scalar_tensor_tensor(xs, acc, AluOp::add, bias.ap(m, 0, acc.num_partitions),
                                     AluOp::add, xs);
    };
}

EvictFn evict_residual(KernelContext& ctx, const FeatureTiles& x) {
    return [&ctx, x](uint32_t m, const isa::AccessPattern& acc, uint32_t n0, uint32_t n) {
        const auto xs = x.ap(m, n0, n, 0, acc.num_partitions);
        ctx.b().tensor_tensor(xs, xs, acc, isa::AluOp::add);
    };
}

}  // namespace nsim::compiler
