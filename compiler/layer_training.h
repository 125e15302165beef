// One encoder layer's training compute on one NeuronCore (data parallel: the layer's weights
// streamed from HBM, `batch` sequences per core), as kernels of the library: the forward pass is
// the inference lowering of the layer; the backward pass has the matmuls of the real backward
// (for y = x W: dX = dY W^T and dW = X^T dY; attention's four per (sequence, head)) and the
// elementwise work of the LayerNorm, GELU, softmax, residual and bias gradients.
//
// Every layer of an encoder has the same shapes, so the study simulates these two programs once
// and reuses their times for every layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/model_spec.h"
#include "isa/program.h"
#include "isa/target.h"

namespace nsim::compiler {

// count x (C[M, N] = A[K, M]^T . B[K, N]): K is the contracted dimension.
struct MatmulShape {
    std::string name;  // "ffn.output.dX", "attention.dV", ...
    uint32_t k = 0, m = 0, n = 0;
    uint32_t count = 1;
    uint64_t multiply_adds() const { return uint64_t(k) * m * n * count; }
};

// Elementwise work of the backward pass over [features, tokens] in the activation type (fp32 or
// bf16; the Vector and Scalar engines compute in fp32 either way), `count` times: operands
// loaded from HBM (saved activations) and stored back, or kept in SBUF; a number of Scalar-engine
// activations, Vector-engine tensor ops, reductions along the tokens and cross-feature sums (fp32
// matmuls by a 1/features matrix, as the forward LayerNorm computes its statistics).
struct ElementwisePass {
    std::string name;
    uint32_t features = 0, tokens = 0, count = 1;
    uint32_t loads = 0, stores = 0;
    uint32_t activations = 0, vector_ops = 0, reductions = 0, feature_sums = 0;
};

// A step of the backward program, in execution order.
struct BackwardStep {
    bool is_matmul = true;
    MatmulShape matmul;
    ElementwisePass elementwise;
};

// The backward pass of one layer for `batch` sequences, in order (LayerNorm of the FFN block first,
// the Q/K/V projections last).
std::vector<BackwardStep> layer_backward_steps(const ModelSpec& spec, uint32_t batch);
// The forward matmuls of one layer (Q, K, V, output, scores, context, FFN), for comparisons.
std::vector<MatmulShape> layer_forward_matmuls(const ModelSpec& spec, uint32_t batch);

struct LayerTrainingPrograms {
    isa::Program forward;   // streams form
    isa::Program backward;  // streams form
};

// Lowers both passes for `batch` sequences per core, the matmuls in spec.matmul_dtype and the
// backward's saved activations, gradients (dX, dW) and elementwise work in `activations`. Throws
// LoweringError like lower_model (batch 0, unsupported shapes, a working set larger than SBUF).
LayerTrainingPrograms lower_layer_training(const ModelSpec& spec, uint32_t batch,
                                           isa::DType activations, isa::Generation target,
                                           const isa::TargetLimits& limits);

}  // namespace nsim::compiler
