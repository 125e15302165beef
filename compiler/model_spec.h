// A transformer encoder (BERT family) as the lowering sees it: sizes, sequence length and the
// dtype policy, read from examples/models/*.json with strict checking.
#pragma once

#include <cstdint>
#include <string>

#include "isa/dtype.h"
#include "isa/error.h"

namespace nsim::compiler {

// A bad model file: the message names the file, the JSON path and the expectation.
class ModelError : public InputError {
public:
    using InputError::InputError;
};

// The architecture numbers of an encoder-only transformer (Hugging Face config.json names in
// comments) and how the lowering computes it.
struct ModelSpec {
    std::string name;
    uint32_t layers = 0;            // num_hidden_layers (DistilBERT: n_layers)
    uint32_t hidden = 0;            // hidden_size (dim)
    uint32_t heads = 0;             // num_attention_heads (n_heads)
    uint32_t intermediate = 0;      // intermediate_size (hidden_dim)
    uint32_t vocab = 0;             // vocab_size
    uint32_t max_positions = 0;     // max_position_embeddings
    uint32_t type_vocab = 0;        // type_vocab_size (0: no token-type embeddings, DistilBERT)
    uint32_t sequence_length = 0;   // tokens per sequence the model is compiled for
    float layer_norm_eps = 1e-12f;  // layer_norm_eps
    bool pooler = true;             // BERT's pooler (tanh dense on [CLS]); DistilBERT has none
    uint32_t num_labels = 2;        // classifier outputs on the pooled [CLS] (0: no classifier)
    // Dtype policy: the model is fp32; matmul inputs (weights and activations) are cast to this
    // type, as neuron-cc's default --auto-cast matmult does; PSUM accumulates in fp32.
    isa::DType matmul_dtype = isa::DType::bfloat16;

    uint32_t head_dim() const { return hidden / heads; }
};

// Reads a model file. Throws ModelError naming `path`, the JSON path ("$.layers") and what was
// expected for unreadable files, bad JSON, unknown keys, wrong types, non-positive or
// inconsistent sizes.
ModelSpec load_model(const std::string& path);
// The same from JSON text; `file` names the source in errors.
ModelSpec parse_model(const std::string& json_text, const std::string& file);

}  // namespace nsim::compiler
