// The encoder's forward pass in plain fp32 C++ from the seeded weights (model_weights.h): the
// reference a functional simulation is compared against.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/model_spec.h"

namespace nsim::compiler {

struct ReferenceOutputs {
    std::vector<float>
        hidden;  // [batch * seq, hidden], token-major (the simulated tensor is its transpose)
    std::vector<float> pooled;  // [batch, hidden] (models with a pooler)
    std::vector<float> logits;  // [batch, num_labels]
};

// BERT's forward pass: embeddings + LayerNorm; per layer post-LN self-attention (additive mask
// (m - 1) * 10000) and GELU (erf) feed-forward; pooler tanh(W h_[CLS] + b); classifier.
// token_ids and attention_mask are [batch, seq] row-major (mask 1 = attend, 0 = padding).
ReferenceOutputs reference_forward(const ModelSpec& spec, uint32_t batch, uint64_t seed,
                                   const std::vector<int32_t>& token_ids,
                                   const std::vector<float>& attention_mask);

// Largest |a - b| between a simulated feature-major [features, tokens] tensor and the reference's
// token-major [tokens, features] one.
double max_error_feature_major(const std::vector<float>& feature_major,
                               const std::vector<float>& token_major, size_t features,
                               size_t tokens);

}  // namespace nsim::compiler
