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

void layernorm(KernelContext& ctx, const FeatureTiles& x, const FeatureTiles& xb, uint32_t features,
               const VectorWeight& gamma, const VectorWeight& beta, float eps,
               uint64_t mean_matrix) {
    auto& b = ctx.b();
    const uint64_t mark = ctx.sbuf().mark();
    const uint32_t chunk = std::min(512u, x.tokens);
    // The GpSimd engine takes part of the element-wise work where the target has one.
    const isa::Engine side = ctx.limits().has_gpsimd ? isa::Engine::gpsimd : isa::Engine::vector;
    const auto scratch = [&](const char* what) {
        return ctx.sbuf().alloc(uint64_t(chunk) * 4, std::string("LayerNorm ") + what);
    };
    const uint64_t sq0 = scratch("x^2 (a)"), sq1 = scratch("x^2 (b)"), mean = scratch("mean"),
                   var = scratch("variance");
    for (uint32_t n0 = 0; n0 < x.tokens; n0 += chunk) {
        const uint32_t n = std::min(chunk, x.tokens - n0);
        const auto tile = [&](uint64_t off) {
            return isa::sbuf(0, kCompilerPartitions, off, DType::float32, {n});
        };
        const auto sum =
            isa::psum(0, kCompilerPartitions, ctx.next_psum_bank(), DType::float32, {n});
        const auto sumsq =
            isa::psum(0, kCompilerPartitions, ctx.next_psum_bank(), DType::float32, {n});
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            const auto sq = isa::sbuf(0, rows, k % 2 ? sq1 : sq0, DType::float32, {n});
            b.nc_matmul(sum, isa::sbuf(0, rows, mean_matrix, DType::float32, {kCompilerPartitions}),
                        xs)
                .arg("accumulate", k > 0);
            b.activation(sq, isa::ActFunc::square, xs);
            b.nc_matmul(sumsq,
                        isa::sbuf(0, rows, mean_matrix, DType::float32, {kCompilerPartitions}), sq)
                .arg("accumulate", k > 0);
        }
        b.activation(tile(mean), isa::ActFunc::copy, sum);
        b.tensor_tensor(tile(var), tile(mean), tile(mean), AluOp::multiply);
        b.tensor_tensor(tile(var), sumsq, tile(var), AluOp::subtract);
        // rstd = (var + eps)^-1/2: the add on the GpSimd engine (Vector on v1), rsqrt on Scalar.
        b.tensor_scalar(tile(var), tile(var), AluOp::add, double(eps)).engine(side);
        b.activation(tile(var), isa::ActFunc::rsqrt, tile(var));
        for (uint32_t k = 0; k < x.tiles; ++k) {
            const uint32_t rows = tile_rows(features, k);
            const auto xs = x.ap(k, n0, n, 0, rows);
            const auto part = [&](uint64_t off) {
                return isa::sbuf(0, rows, off, DType::float32, {n});
            };
            // Every other tile's normalisation on the side engine, beside the Vector engine's.
            const isa::Engine e = k % 2 ? side : isa::Engine::vector;
            b.tensor_tensor(xs, xs, part(mean), AluOp::subtract).engine(e);
            b.tensor_tensor(xs, xs, part(var), AluOp::multiply).engine(e);
            b.activation(xs, isa::ActFunc::copy, xs)
                .arg("scale", gamma.ap(k, 0, rows))
                .arg("bias", beta.ap(k, 0, rows));
            b.activation(xb.ap(k, n0, n, 0, rows), isa::ActFunc::copy, xs);
        }
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
