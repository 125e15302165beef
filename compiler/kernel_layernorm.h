// LayerNorm over the features of feature-major activations: y = (x - mean) * rstd * gamma + beta
// per token, mean and variance over the `features` rows. Features sit on partitions, so the
// cross-partition sums are matmuls by a [128, 128] matrix of ones: every output row gets the sum,
// already broadcast to all partitions. The matmuls take operands in the matmul dtype (bf16 runs at
// four times fp32's rate): the mean sums x / features rounded to it, the variance the rounded
// (x - mean)^2 after x is centred in fp32, both accumulated in fp32 PSUM, where the mean and rstd
// stay for the Vector engine's centring and scaling.
#pragma once

#include "compiler/kernel_weights.h"

namespace nsim::compiler {

// The [128, 128] matrix of 1/features (feature means by matmul; LayerNorm backward), in the type
// of the operand it multiplies.
uint64_t emit_mean_matrix(KernelContext& ctx, uint32_t features,
                          isa::DType dtype = isa::DType::float32);

// The [128, 128] matrix of ones, in the matmul dtype, the statistics matmuls use (memset once per
// program).
uint64_t emit_ones_matrix(KernelContext& ctx, isa::DType dtype);

// x (fp32, in place) = LayerNorm(x); `xb` (matmul dtype) receives a copy for the next matmuls.
// var = E[(x - mean)^2], rstd = 1/sqrt(var + eps).
void layernorm(KernelContext& ctx, const FeatureTiles& x, const FeatureTiles& xb, uint32_t features,
               const VectorWeight& gamma, const VectorWeight& beta, float eps,
               uint64_t ones_matrix);

}  // namespace nsim::compiler
