// Multi-head self-attention on feature-major activations, one (sequence, head) at a time:
// scores = Q_h^T K_h (queries on partitions), masked softmax along the keys, P^T by the Tensor
// engine, context_h^T = V_h^T P^T back in feature-major layout.
#pragma once

#include <functional>

#include "compiler/kernel_weights.h"

namespace nsim::compiler {

// The additive attention mask of one sequence, broadcast to its S query partitions:
// bias[q, k] = (mask[k] - 1) * 10000 (Hugging Face BERT's extended attention mask), from row `row`
// of the HBM tensor `mask_tensor` [batch, S] f32 (1 = attend, 0 = padding), into `dst` [S, S] f32.
void emit_mask_bias(KernelContext& ctx, const std::string& mask_tensor, uint32_t row,
                    uint32_t seq_len, uint64_t dst);

// SBUF scratch of the softmax of `heads` heads over [S, S] each: the masked scores (heads x S fp32)
// and the max, sum and reciprocal (3 x heads fp32) per partition.
struct SoftmaxScratch {
    uint64_t scores = 0;
    uint64_t stats = 0;
    static SoftmaxScratch allocate(KernelContext& ctx, uint32_t seq_len, uint32_t heads = 1);
};

// Row softmax of `heads` heads side by side, `scores` [S, heads x S] (fp32, SBUF or PSUM,
// contiguous) already masked, into `probs` [S, heads x S] (any float dtype): exp(s - max) / sum
// over each head's S keys, per partition (query). The heads share the Vector engine's
// instructions.
void softmax_rows(KernelContext& ctx, const isa::AccessPattern& scores, uint32_t heads,
                  const isa::AccessPattern& probs, const SoftmaxScratch& scratch);

// Row softmax of one or more heads side by side: `scores` [S, heads x S] (fp32, SBUF or PSUM,
// contiguous) plus `mask` [S, S] (fp32 SBUF, the same for every head), into `probs` [S, heads x S]
// (any float dtype): exp(s - max) / sum over each head's S keys, per partition (query). The heads
// share the Vector engine's instructions.
void masked_softmax(KernelContext& ctx, const isa::AccessPattern& scores,
                    const isa::AccessPattern& mask, const isa::AccessPattern& probs,
                    const SoftmaxScratch& scratch);

// The attention of `seqs` sequences of `seq_len` tokens (columns s*seq_len.. of q, k, out).
// q: queries already scaled by 1/sqrt(head_dim), k: keys, both with their biases, matmul dtype.
// v: token-major values of sequence s at v_offset + s * v_seq_bytes ([token partition][feature]),
// without bias: softmax rows sum to 1, so the value bias `bv` is added to the context instead
// (P (V + 1 bv^T) = P V + 1 bv^T). masks: sequence s's [S, S] bias at mask_offset + s*S*4.
struct AttentionShape {
    uint32_t heads = 0;
    uint32_t head_dim = 0;
    uint32_t seq_len = 0;
    uint32_t seqs = 0;
};
// `values_of(s)`, when given, emits sequence s's values: called for sequence s+1 after the
// scores of sequence s's first group, so the Tensor engine computes them while that group's
// softmax runs. `between(next, done)`, when given, is called after each group's scores (and once
// per group after the last) with the sequence of the next group (seqs after the last) and the
// number of sequences whose context is emitted: other work for the Tensor engine, which must have
// emitted what sequence `next`'s scores read and may read the first `done` sequences' context.
void attention(KernelContext& ctx, const AttentionShape& shape, const FeatureTiles& q,
               const FeatureTiles& k, uint64_t v_offset, uint64_t v_seq_bytes, uint64_t mask_offset,
               const VectorWeight& bv, const FeatureTiles& out,
               const std::function<void(uint32_t seq)>& values_of = {},
               const std::function<void(uint32_t next, uint32_t done)>& between = {});

}  // namespace nsim::compiler
