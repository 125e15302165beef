// The weight tensors of a lowered encoder and their deterministic seeded values: the runtime fills
// HBM with weight_values() and the fp32 reference reads the same numbers through
// logical_values(), so a functional run can compare the two.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/model_spec.h"

namespace nsim::compiler {

// One HBM weight tensor. Matrices are [in, out] row-major (y = x . W) in the matmul dtype;
// per-feature vectors (biases, LayerNorm gamma/beta) are fp32 in column layout [128, tiles]:
// feature j*128 + p at row p, column j (entries past `features` are padding); embedding tables
// are fp32 [rows, hidden].
struct WeightTensor {
    std::string name;
    std::vector<uint64_t> shape;
    isa::DType dtype = isa::DType::float32;
    uint32_t features = 0;  // column-layout vectors: the logical length; 0 otherwise
    float scale = 1;        // value = offset + scale * uniform(-1, 1)
    float offset = 0;

    uint64_t num_elements() const;
    uint64_t size_bytes() const { return num_elements() * isa::dtype_size(dtype); }
};

// Every weight tensor of `spec`, in a fixed order: embeddings, layers, pooler, classifier.
// Names: "embeddings.word", "embeddings.position", "embeddings.token_type", "embeddings.ln.gamma",
// "layer{L}.attention.{query,key,value,output}.{weight,bias}",
// "layer{L}.attention.ln.{gamma,beta}", "layer{L}.ffn.{intermediate,output}.{weight,bias}",
// "layer{L}.ffn.ln.{gamma,beta}", "pooler.{weight,bias}", "classifier.{weight,bias}".
std::vector<WeightTensor> model_weight_tensors(const ModelSpec& spec);
const WeightTensor& find_weight(const std::vector<WeightTensor>& weights, const std::string& name);

// uniform(-1, 1) from (tensor name, element index, seed): a splitmix64 hash, the same on every
// host, independent of fill order.
float seeded_uniform(const std::string& name, uint64_t index, uint64_t seed);
// The tensor's values in HBM order (fp32; the runtime encodes them in the tensor's dtype).
std::vector<float> weight_values(const WeightTensor& w, uint64_t seed);
// One of them, weight_values(w, seed)[index], without the others (a row of an embedding table).
float weight_value(const WeightTensor& w, uint64_t index, uint64_t seed);
// The values in logical order: vectors as [features], everything else as weight_values.
std::vector<float> logical_values(const WeightTensor& w, uint64_t seed);

}  // namespace nsim::compiler
