// LayerNorm over the features of feature-major activations: y = (x - mean) * rstd * gamma + beta
// per token, mean and variance over the `features` rows. Features sit on partitions, so the
// cross-partition sums are matmuls by a [128, 128] matrix of 1/features: every output row gets
// the mean, already broadcast to all partitions (fp32 matmul, so the statistics stay fp32).
#pragma once

#include "compiler/kernel_weights.h"

namespace nsim::compiler {

// The [128, 128] matrix of 1/features the statistics matmuls use (memset once per program), in
// the type of the operand it multiplies (fp32 for the forward LayerNorm's statistics).
uint64_t emit_mean_matrix(KernelContext& ctx, uint32_t features,
                          isa::DType dtype = isa::DType::float32);

// x (fp32, in place) = LayerNorm(x); `xb` (matmul dtype) receives a copy for the next matmuls.
// var = E[x^2] - mean^2, rstd = 1/sqrt(var + eps).
void layernorm(KernelContext& ctx, const FeatureTiles& x, const FeatureTiles& xb, uint32_t features,
               const VectorWeight& gamma, const VectorWeight& beta, float eps,
               uint64_t mean_matrix);

}  // namespace nsim::compiler
