// BERT's embeddings: word[token id] + position[t] + token_type[0] per token, then (by the caller)
// LayerNorm. The ISA has no indirect DMA (dma_copy operands are static access patterns), so the
// gather of word rows uses token ids known at lowering time: one dma_copy per run of equal
// consecutive ids, broadcasting the row to the run's partitions. The benchmark feeds fixed ids
// (neuronperf: zeros), so this is exact for it; a runtime id tensor is not read.
#pragma once

#include <vector>

#include "compiler/kernel_context.h"

namespace nsim::compiler {

struct EmbeddingTables {
    std::string word;        // [vocab, hidden] f32
    std::string position;    // [max_positions, hidden] f32
    std::string token_type;  // [type_vocab, hidden] f32, empty when the model has none
    uint32_t hidden = 0;
};

// Embeds sequences [first_seq, first_seq + out.tokens / seq_len) of `token_ids` (row-major
// [batch, seq_len]) into `out` (fp32 feature-major, column s*seq_len + t): token-major rows in
// SBUF, summed, then moved to feature-major by Tensor-engine transposes.
void embedding(KernelContext& ctx, const EmbeddingTables& tables,
               const std::vector<int32_t>& token_ids, uint32_t seq_len, uint32_t first_seq,
               const FeatureTiles& out);

}  // namespace nsim::compiler
