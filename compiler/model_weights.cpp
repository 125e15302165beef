#include "compiler/model_weights.h"

#include <cmath>
#include <stdexcept>

#include "compiler/partitions.h"

namespace nsim::compiler {

using isa::DType;

uint64_t WeightTensor::num_elements() const {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    return n;
}

namespace {

uint64_t mix(uint64_t z) {  // splitmix64's finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t name_hash(const std::string& s) {  // FNV-1a
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

// Scales keep activations O(1) through the stack: matrices std 1/sqrt(fan_in) (uniform with
// scale sqrt(3/fan_in)), biases and betas small, gammas near 1.
WeightTensor matrix(const std::string& name, uint32_t in, uint32_t out, DType dtype) {
    return {name, {in, out}, dtype, 0, float(std::sqrt(3.0 / in)), 0};
}
WeightTensor vec(const std::string& name, uint32_t features, float scale, float offset) {
    return {name,           {kCompilerPartitions, partition_tiles(features)},
            DType::float32, features,
            scale,          offset};
}

}  // namespace

namespace {

// The part of seeded_uniform's hash that one tensor's elements share.
uint64_t tensor_key(const std::string& name, uint64_t seed) {
    return name_hash(name) ^ mix(seed + 0x9e3779b97f4a7c15ULL);
}

float uniform_at(uint64_t key, uint64_t index) {
    const uint64_t z = mix(key ^ mix(index * 0x9e3779b97f4a7c15ULL + 1));
    return float(double(z >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

}  // namespace

float seeded_uniform(const std::string& name, uint64_t index, uint64_t seed) {
    return uniform_at(tensor_key(name, seed), index);
}

std::vector<WeightTensor> model_weight_tensors(const ModelSpec& spec) {
    const uint32_t H = spec.hidden, I = spec.intermediate;
    const DType mm = spec.matmul_dtype;
    std::vector<WeightTensor> w;
    w.push_back({"embeddings.word", {spec.vocab, H}, DType::float32, 0, 1, 0});
    w.push_back({"embeddings.position", {spec.max_positions, H}, DType::float32, 0, 1, 0});
    if (spec.type_vocab)
        w.push_back({"embeddings.token_type", {spec.type_vocab, H}, DType::float32, 0, 1, 0});
    w.push_back(vec("embeddings.ln.gamma", H, 0.1f, 1));
    w.push_back(vec("embeddings.ln.beta", H, 0.1f, 0));
    for (uint32_t l = 0; l < spec.layers; ++l) {
        const std::string a = "layer" + std::to_string(l) + ".attention.";
        for (const char* p : {"query", "key", "value", "output"}) {
            w.push_back(matrix(a + p + ".weight", H, H, mm));
            w.push_back(vec(a + p + ".bias", H, 0.1f, 0));
        }
        w.push_back(vec(a + "ln.gamma", H, 0.1f, 1));
        w.push_back(vec(a + "ln.beta", H, 0.1f, 0));
        const std::string f = "layer" + std::to_string(l) + ".ffn.";
        w.push_back(matrix(f + "intermediate.weight", H, I, mm));
        w.push_back(vec(f + "intermediate.bias", I, 0.1f, 0));
        w.push_back(matrix(f + "output.weight", I, H, mm));
        w.push_back(vec(f + "output.bias", H, 0.1f, 0));
        w.push_back(vec(f + "ln.gamma", H, 0.1f, 1));
        w.push_back(vec(f + "ln.beta", H, 0.1f, 0));
    }
    if (spec.pooler) {
        w.push_back(matrix("pooler.weight", H, H, mm));
        w.push_back(vec("pooler.bias", H, 0.1f, 0));
        if (spec.num_labels) {
            w.push_back(matrix("classifier.weight", H, spec.num_labels, mm));
            w.push_back(vec("classifier.bias", spec.num_labels, 0.1f, 0));
        }
    }
    return w;
}

const WeightTensor& find_weight(const std::vector<WeightTensor>& weights, const std::string& name) {
    for (const auto& w : weights)
        if (w.name == name) return w;
    throw std::out_of_range("no weight tensor named " + name);
}

std::vector<float> weight_values(const WeightTensor& w, uint64_t seed) {
    std::vector<float> v(w.num_elements());
    const uint64_t key = tensor_key(w.name, seed);  // hashed once, not per element
    for (uint64_t i = 0; i < v.size(); ++i) v[i] = w.offset + w.scale * uniform_at(key, i);
    return v;
}

float weight_value(const WeightTensor& w, uint64_t index, uint64_t seed) {
    return w.offset + w.scale * uniform_at(tensor_key(w.name, seed), index);
}

std::vector<float> logical_values(const WeightTensor& w, uint64_t seed) {
    std::vector<float> hbm = weight_values(w, seed);
    if (!w.features) return hbm;
    const uint64_t tiles = w.shape[1];
    std::vector<float> v(w.features);
    for (uint32_t f = 0; f < w.features; ++f)
        v[f] = hbm[(f % kCompilerPartitions) * tiles + f / kCompilerPartitions];
    return v;
}

}  // namespace nsim::compiler
