#include "compiler/kernel_layernorm.h"

#include <algorithm>

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
    const double inv_features = 1.0 / features;
    // The sums' operands take the matmul dtype; when it is fp32, x itself is summed.
    const DType dt = xb.dtype;
    const bool rounds = dt != DType::float32;
    // The GpSimd engine takes part of the element-wise work where the target has one.
    const isa::Engine side = ctx.limits().has_gpsimd ? isa::Engine::gpsimd : isa::Engine::vector;
    const auto scratch = [&](const char* what, uint64_t esize) {
        return ctx.sbuf().alloc(uint64_t(chunk) * esize, std::string("LayerNorm ") + what);
    };
    // Two of each operand, so that one tile's is written while the previous tile's matmul reads
    // its own.
    const uint64_t esize = isa::dtype_size(dt);
    const uint64_t rounded[2] = {rounds ? scratch("rounded x (a)", esize) : 0,
                                 rounds ? scratch("rounded x (b)", esize) : 0};
    const uint64_t squares[2] = {scratch("(x-mean)^2 (a)", esize),
                                 scratch("(x-mean)^2 (b)", esize)};
    // The token chunks are software-pipelined: chunk c+1's pass is emitted before chunk c's next
    // one (each engine runs in program order), so the Tensor engine sums one chunk while the
    // others centre or normalise the previous one. The three chunks in flight have their own mean
    // and rstd.
    constexpr uint32_t kInFlight = 3;
    const uint32_t chunks = (x.tokens + chunk - 1) / chunk;
    const uint64_t stats = ctx.sbuf().alloc(uint64_t(std::min(chunks, kInFlight)) * 2 * chunk * 4,
                                            "LayerNorm mean and rstd");
    // eps as a per-partition bias operand (an immediate bias needs NeuronCore-v3).
    const auto eps_column = isa::sbuf(0, kCompilerPartitions, ctx.sbuf().alloc(4, "LayerNorm eps"),
                                      DType::float32, {1});
    b.memset(eps_column, double(eps));
    const auto ones = [&](uint32_t rows) {
        return isa::sbuf(0, rows, ones_matrix, dt, {kCompilerPartitions});
    };
    const auto tokens = [&](uint32_t c) { return std::min(chunk, x.tokens - c * chunk); };
    const auto operand = [&](uint32_t c, uint32_t rows, uint64_t off) {
        return isa::sbuf(0, rows, off, dt, {tokens(c)});
    };
    const auto stat = [&](uint32_t c, uint32_t rows, uint32_t i) {
        return isa::sbuf(0, rows, stats + (uint64_t(c % kInFlight) * 2 + i) * chunk * 4,
                         DType::float32, {tokens(c)});
    };
    // Pass 1, the mean: the feature sums of x rounded to the matmul dtype (exact products with
    // the ones, fp32 accumulation), at the bf16 matmul rate instead of fp32's quarter; the
    // roundings alternate between the Vector and the side engine.
    const auto mean_pass = [&](uint32_t c) {
        const uint32_t n0 = c * chunk, n = tokens(c);
        const auto sum =
            isa::psum(0, kCompilerPartitions, ctx.next_psum_bank(), DType::float32, {n});
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            if (rounds)
                b.tensor_copy(operand(c, rows, rounded[k % 2]), xs)
                    .engine(k % 2 ? side : isa::Engine::vector);
            b.nc_matmul(sum, ones(rows), rounds ? operand(c, rows, rounded[k % 2]) : xs)
                .arg("accumulate", k > 0);
        }
        b.activation(stat(c, kCompilerPartitions, 0), isa::ActFunc::copy, sum)
            .arg("scale", inv_features);
    };
    // Pass 2, the variance about that mean: x -= mean in fp32 in place, then the feature sums
    // of (x - mean)^2. Centred first, the rounded squares lose no digits to a large mean.
    const auto variance_pass = [&](uint32_t c) {
        const uint32_t n0 = c * chunk, n = tokens(c);
        const auto sumsq =
            isa::psum(0, kCompilerPartitions, ctx.next_psum_bank(), DType::float32, {n});
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            // Every other tile on the side engine, beside the Vector engine's.
            const isa::Engine e = k % 2 ? side : isa::Engine::vector;
            b.tensor_tensor(xs, xs, stat(c, rows, 0), AluOp::subtract).engine(e);
            b.activation(operand(c, rows, squares[k % 2]), isa::ActFunc::square, xs);
            b.nc_matmul(sumsq, ones(rows), operand(c, rows, squares[k % 2]))
                .arg("accumulate", k > 0);
        }
        // rstd = (sumsq / features + eps)^-1/2 in one Scalar instruction from PSUM.
        b.activation(stat(c, kCompilerPartitions, 1), isa::ActFunc::rsqrt, sumsq)
            .arg("scale", inv_features)
            .arg("bias", eps_column);
    };
    const auto normalise = [&](uint32_t c) {
        const uint32_t n0 = c * chunk, n = tokens(c);
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            const isa::Engine e = k % 2 ? side : isa::Engine::vector;
            b.tensor_tensor(xs, xs, stat(c, rows, 1), AluOp::multiply).engine(e);
            b.activation(xs, isa::ActFunc::copy, xs)
                .arg("scale", gamma.ap(k, 0, rows))
                .arg("bias", beta.ap(k, 0, rows));
            b.activation(xb.ap(k, n0, n, 0, rows), isa::ActFunc::copy, xs);
        }
    };
    for (uint32_t i = 0; i < chunks + 2; ++i) {
        if (i < chunks) mean_pass(i);
        if (i >= 1 && i - 1 < chunks) variance_pass(i - 1);
        if (i >= 2) normalise(i - 2);
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
