// Tiled matmul with bias: y[M, T] = W[K, M]^T . x[K, T] in feature-major layout, K split over
// 128-partition tiles accumulated in fp32 PSUM, M in 128-row output tiles, T in chunks of at most
// one PSUM bank (512 fp32). Each finished [M tile, T chunk] PSUM tile goes to an eviction the
// caller chooses (bias, GELU, residual add...), so the kernel chains into the next one.
#pragma once

#include <deque>
#include <functional>
#include <limits>

#include "compiler/kernel_weights.h"

namespace nsim::compiler {

// The moving operand: columns [n0, n0+n) of K tile k of the input, in the matmul dtype.
using MovingFn = std::function<isa::AccessPattern(uint32_t k, uint32_t n0, uint32_t n)>;
// Takes PSUM tile `acc` [rows of output tile m, n columns], for output columns [n0, n0+n).
using EvictFn =
    std::function<void(uint32_t m, const isa::AccessPattern& acc, uint32_t n0, uint32_t n)>;

// The moving operand over all of `x` (feature-major tiles).
MovingFn moving_of(const FeatureTiles& x);

// One output tile of y = W^T x: columns [n0, n0+n) (at most 512) of output tile m0/128 of
// `block`: K/128 matmuls into one PSUM bank, then `evict`.
void linear_tile(KernelContext& ctx, const MatrixWeight& w, const MatrixBlock& block,
                 const MovingFn& moving, uint32_t m0, uint32_t n0, uint32_t n,
                 const EvictFn& evict);

// y = W^T x for `tokens` columns of moving: per column block of W (fetched once), per chunk of at
// most 512 columns, per output tile: K/128 matmuls into one PSUM bank, then `evict`.
void linear(KernelContext& ctx, const MatrixWeight& w, WeightStaging& staging,
            const MovingFn& moving, uint32_t tokens, const EvictFn& evict);

// Output tiles of linears kept for later, so that a caller emits them one at a time between
// another kernel's steps and the Tensor engine computes them while other engines work. The
// context, W and the staging must outlive the kept tiles.
class DeferredTiles {
public:
    // y = W^T x like linear(), when W is one block: the output tiles of columns before `from`
    // (by default the first chunk, one PSUM bank of fp32) now, the others kept; a wider W whole,
    // now or (`from` 0) kept as one tile.
    void linear(KernelContext& ctx, const MatrixWeight& w, WeightStaging& staging,
                const MovingFn& moving, uint32_t tokens, const EvictFn& evict, uint32_t from = 512);
    // Emits the kept tiles that write columns before `column` (what a reader of them needs).
    void emit_needed(uint32_t column);
    // Emits the next kept tile if its columns end by `ready` (its inputs are there).
    void emit_next(uint32_t ready);
    void emit_all() { emit_needed(std::numeric_limits<uint32_t>::max()); }

private:
    struct Tile {
        uint32_t n0, n;
        std::function<void()> emit;
    };
    std::deque<Tile> m_tiles;  // by first column
};

// Takes PSUM [seq_len, width]: token-major output columns [c0, c0+width) of sequence `seq`.
using TokenEvictFn = std::function<void(uint32_t seq, uint32_t c0, const isa::AccessPattern& acc)>;

// The token-major product per sequence: y_s[t, M] = x[:, s*seq_len + t]^T . W for `seqs` sequences
// of seq_len <= 128 tokens: x is the stationary operand, W (fetched once per column block, taken
// 512 columns, one PSUM bank, per matmul) the moving one.
void linear_token_major(KernelContext& ctx, const MatrixWeight& w, WeightStaging& staging,
                        const FeatureTiles& x, uint32_t seq_len, uint32_t seqs,
                        const TokenEvictFn& evict);
// The same for sequence `seq` alone and one fetched column block, so a caller can spread a
// single-block matrix's sequences between other work.
void token_major_block(KernelContext& ctx, const MatrixBlock& block, const MatrixWeight& w,
                       const FeatureTiles& x, uint32_t seq_len, uint32_t seq,
                       const TokenEvictFn& evict);

// Evictions used with linear(): PSUM + per-feature bias into `out` on the Scalar engine, through
// activation `func` (copy for a plain bias, gelu for BERT's intermediate layer).
EvictFn evict_bias(KernelContext& ctx, const VectorWeight& bias, const FeatureTiles& out,
                   isa::ActFunc func);
// x += PSUM + bias (the residual connection after a projection), one Vector instruction.
EvictFn evict_bias_residual(KernelContext& ctx, const VectorWeight& bias, const FeatureTiles& x);
// x += PSUM on the Vector engine (a part of a sum over K, the bias added with the last part).
EvictFn evict_residual(KernelContext& ctx, const FeatureTiles& x);

}  // namespace nsim::compiler
