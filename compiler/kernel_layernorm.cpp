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
    const uint64_t mean = scratch("mean", 4), rstd = scratch("rstd", 4);
    // eps as a per-partition bias operand (an immediate bias needs NeuronCore-v3).
    const auto eps_column = isa::sbuf(0, kCompilerPartitions, ctx.sbuf().alloc(4, "LayerNorm eps"),
                                      DType::float32, {1});
    b.memset(eps_column, double(eps));
    const auto ones = [&](uint32_t rows) {
        return isa::sbuf(0, rows, ones_matrix, dt, {kCompilerPartitions});
    };
    for (uint32_t n0 = 0; n0 < x.tokens; n0 += chunk) {
        const uint32_t n = std::min(chunk, x.tokens - n0);
        const auto operand = [&](uint32_t rows, uint64_t off) {
            return isa::sbuf(0, rows, off, dt, {n});
        };
        const auto part = [&](uint32_t rows, uint64_t off) {
            return isa::sbuf(0, rows, off, DType::float32, {n});
        };
        const auto sum =
            isa::psum(0, kCompilerPartitions, ctx.next_psum_bank(), DType::float32, {n});
        const auto sumsq =
            isa::psum(0, kCompilerPartitions, ctx.next_psum_bank(), DType::float32, {n});
        // Pass 1, the mean: the feature sums of x rounded to the matmul dtype (exact products with
        // the ones, fp32 accumulation), at the bf16 matmul rate instead of fp32's quarter.
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            if (rounds) b.tensor_copy(operand(rows, rounded[k % 2]), xs).engine(side);
            b.nc_matmul(sum, ones(rows), rounds ? operand(rows, rounded[k % 2]) : xs)
                .arg("accumulate", k > 0);
        }
        b.activation(part(kCompilerPartitions, mean), isa::ActFunc::copy, sum)
            .arg("scale", inv_features);
        // Pass 2, the variance about that mean: x -= mean in fp32 in place, then the feature sums
        // of (x - mean)^2. Centred first, the rounded squares lose no digits to a large mean.
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            // Every other tile on the side engine, beside the Vector engine's.
            const isa::Engine e = k % 2 ? side : isa::Engine::vector;
            b.tensor_tensor(xs, xs, part(rows, mean), AluOp::subtract).engine(e);
            b.activation(operand(rows, squares[k % 2]), isa::ActFunc::square, xs);
            b.nc_matmul(sumsq, ones(rows), operand(rows, squares[k % 2])).arg("accumulate", k > 0);
        }
        // rstd = (sumsq / features + eps)^-1/2 in one Scalar instruction from PSUM.
        b.activation(part(kCompilerPartitions, rstd), isa::ActFunc::rsqrt, sumsq)
            .arg("scale", inv_features)
            .arg("bias", eps_column);
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            const isa::Engine e = k % 2 ? side : isa::Engine::vector;
            b.tensor_tensor(xs, xs, part(rows, rstd), AluOp::multiply).engine(e);
            b.activation(xs, isa::ActFunc::copy, xs)
                .arg("scale", gamma.ap(k, 0, rows))
                .arg("bias", beta.ap(k, 0, rows));
            b.activation(xb.ap(k, n0, n, 0, rows), isa::ActFunc::copy, xs);
        }
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
