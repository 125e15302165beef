#include "compiler/kernel_layernorm.h"

#include <algorithm>
#include <vector>

namespace nsim::compiler {

using isa::AluOp;
using isa::DType;

uint64_t emit_mean_matrix(KernelContext& ctx, uint32_t features, DType dtype) {
    const uint64_t offset = ctx.sbuf().alloc(kCompilerPartitions * 4, "LayerNorm mean matrix");
    ctx.b().memset(isa::sbuf(0, kCompilerPartitions, offset, dtype, {kCompilerPartitions}),
                   1.0 / features);
    return offset;
}

uint64_t emit_ones_matrix(KernelContext& ctx, DType dtype) {
    const uint64_t offset =
        ctx.sbuf().alloc(kCompilerPartitions * isa::dtype_size(dtype), "LayerNorm ones matrix");
    ctx.b().memset(isa::sbuf(0, kCompilerPartitions, offset, dtype, {kCompilerPartitions}), 1.0);
    return offset;
}

void layernorm(KernelContext& ctx, const FeatureTiles& x, const FeatureTiles& xb, uint32_t features,
               const VectorWeight& gamma, const VectorWeight& beta, float eps,
               uint64_t ones_matrix) {
    auto& b = ctx.b();
    const uint64_t mark = ctx.sbuf().mark();
    const uint32_t chunk = std::min(512u, x.tokens);
    // The sums' operands take the matmul dtype.
    const DType dt = xb.dtype;
    // The fp32 x * gamma + beta runs on GpSimd where the target has one.
    const isa::Engine side = ctx.limits().has_gpsimd ? isa::Engine::gpsimd : isa::Engine::vector;
    // The mean pass's operands, one per tile of two chunks, so that a chunk's roundings run
    // ahead of the matmuls; the variance pass's two alternate (one tile's is written while the
    // previous tile's matmul reads its own).
    const uint64_t esize = isa::dtype_size(dt);
    const uint64_t operand_bytes = uint64_t(chunk) * esize;
    const uint64_t mean_operands =
        ctx.sbuf().alloc(2 * x.tiles * operand_bytes, "LayerNorm mean operands");
    const uint64_t squares = ctx.sbuf().alloc(2 * operand_bytes, "LayerNorm squares");
    // eps as a per-partition bias operand (an immediate bias needs NeuronCore-v3).
    const auto eps_column = isa::sbuf(0, kCompilerPartitions, ctx.sbuf().alloc(4, "LayerNorm eps"),
                                      DType::float32, {1});
    b.memset(eps_column, double(eps));
    const auto ones = [&](uint32_t rows) {
        return isa::sbuf(0, rows, ones_matrix, dt, {kCompilerPartitions});
    };
    const uint32_t chunks = (x.tokens + chunk - 1) / chunk;
    const auto tokens = [&](uint32_t c) { return std::min(chunk, x.tokens - c * chunk); };
    const auto operand = [&](uint32_t c, uint32_t rows, uint64_t at) {
        return isa::sbuf(0, rows, at, dt, {tokens(c)});
    };
    // Each chunk's mean and rstd stay in PSUM, where the matmuls by the ones put them (already
    // broadcast to every partition): the Vector engine reads a PSUM and an SBUF operand at one
    // element per cycle, twice the rate of two SBUF operands.
    std::vector<uint64_t> mean_at(chunks), rstd_at(chunks);
    const auto stat = [&](uint64_t at, uint32_t c, uint32_t rows) {
        return isa::psum(0, rows, at, DType::float32, {tokens(c)});
    };
    // The matmul sums its operand over the features: operand = x / features rounded to the
    // matmul dtype (exact products with the ones, fp32 accumulation), so the sum is the mean.
    const auto mean_pass = [&](uint32_t c) {
        const uint32_t n0 = c * chunk;
        mean_at[c] = ctx.next_psum_bank();
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xr = operand(c, rows, mean_operands + (c % 2 * x.tiles + k) * operand_bytes);
            b.activation(xr, isa::ActFunc::copy, x.ap(k, n0, tokens(c), 0, rows))
                .arg("scale", 1.0 / features);
            b.nc_matmul(stat(mean_at[c], c, kCompilerPartitions), ones(rows), xr)
                .arg("accumulate", k > 0);
        }
    };
    // The variance about that mean: x -= mean in fp32 in place, then the sums of (x - mean)^2.
    // Centred first, the rounded squares lose no digits to a large mean. rstd = (sum / features
    // + eps)^-1/2 replaces the sum in PSUM.
    const auto variance_pass = [&](uint32_t c) {
        const uint32_t n0 = c * chunk;
        rstd_at[c] = ctx.next_psum_bank();
        const auto var = stat(rstd_at[c], c, kCompilerPartitions);
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, tokens(c), 0, rows);
            b.tensor_tensor(xs, xs, stat(mean_at[c], c, rows), AluOp::subtract);
            const auto sq = operand(c, rows, squares + k % 2 * operand_bytes);
            b.activation(sq, isa::ActFunc::square, xs);
            b.nc_matmul(var, ones(rows), sq).arg("accumulate", k > 0);
        }
        b.activation(var, isa::ActFunc::rsqrt, var)
            .arg("scale", 1.0 / features)
            .arg("bias", eps_column);
    };
    // x = (x - mean) * rstd * gamma + beta: the matmul copy first (Scalar), for the next
    // matmuls; the fp32 residual stream on the side engine.
    const auto normalise = [&](uint32_t c) {
        const uint32_t n0 = c * chunk;
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, tokens(c), 0, rows);
            b.tensor_tensor(xs, xs, stat(rstd_at[c], c, rows), AluOp::multiply);
            b.activation(xb.ap(k, n0, tokens(c), 0, rows), isa::ActFunc::copy, xs)
                .arg("scale", gamma.ap(k, 0, rows))
                .arg("bias", beta.ap(k, 0, rows));
            b.tensor_scalar(xs, xs, AluOp::multiply, gamma.ap(k, 0, rows))
                .arg("op1", AluOp::add)
                .arg("operand1", beta.ap(k, 0, rows))
                .engine(side);
        }
    };
    // The token chunks are software-pipelined: chunk c+1's pass is emitted before chunk c's next
    // one (each engine runs in program order), so the Tensor engine sums one chunk while the
    // others centre or normalise the previous one.
    for (uint32_t i = 0; i < chunks + 2; ++i) {
        if (i < chunks) mean_pass(i);
        if (i >= 1 && i - 1 < chunks) variance_pass(i - 1);
        if (i >= 2) normalise(i - 2);
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
