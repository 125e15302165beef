#include "compiler/model_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>

#include "compiler/model_weights.h"

namespace nsim::compiler {

namespace {

using Matrix = std::vector<float>;  // row-major

// Four fp32 lanes: the compiler's SSE/AVX registers, whatever the host's vector width.
using Lanes = float __attribute__((vector_size(16)));

// y[t, :] = x[t, :] . W + b for `tokens` rows, W [in, out]. Every y[t][o] sums from b[o] in
// ascending i, each product rounded to fp32 before the add. Blocks of 4 tokens x 8 outputs are
// summed in registers over the whole of i while W's 8 columns stay in cache (blocking only
// interleaves independent sums); the tokens and outputs past the last full block take the plain
// loop.
Matrix dense(const Matrix& x, uint32_t tokens, uint32_t in, const Matrix& w, const Matrix& b,
             uint32_t out) {
    constexpr uint32_t kTokens = 4, kOutputs = 8;
    Matrix y(size_t(tokens) * out);
    const uint32_t full_t = tokens / kTokens * kTokens, full_o = out / kOutputs * kOutputs;
    for (uint32_t o = 0; o < full_o; o += kOutputs)
        for (uint32_t t = 0; t < full_t; t += kTokens) {
            Lanes acc[kTokens][2];
            for (auto& row : acc) std::memcpy(row, &b[o], sizeof row);
            for (uint32_t i = 0; i < in; ++i) {
                Lanes wr[2];
                std::memcpy(wr, &w[size_t(i) * out + o], sizeof wr);
                for (uint32_t r = 0; r < kTokens; ++r) {
                    const float xv = x[size_t(t + r) * in + i];
                    for (uint32_t l = 0; l < 2; ++l) {
                        const Lanes product = xv * wr[l];
                        acc[r][l] = acc[r][l] + product;
                    }
                }
            }
            for (uint32_t r = 0; r < kTokens; ++r)
                for (uint32_t l = 0; l < 2; ++l) {
                    const Lanes v = acc[r][l];  // a copy: acc itself stays in registers
                    std::memcpy(&y[size_t(t + r) * out + o + 4 * l], &v, sizeof v);
                }
        }
    for (uint32_t t = 0; t < tokens; ++t)
        for (uint32_t o = t < full_t ? full_o : 0; o < out; ++o) {
            float s = b[o];
            for (uint32_t i = 0; i < in; ++i) {
                const float product = x[size_t(t) * in + i] * w[size_t(i) * out + o];
                s = s + product;
            }
            y[size_t(t) * out + o] = s;
        }
    return y;
}

void layernorm(Matrix& x, uint32_t tokens, uint32_t h, const Matrix& gamma, const Matrix& beta,
               float eps) {
    for (uint32_t t = 0; t < tokens; ++t) {
        float* r = &x[size_t(t) * h];
        double mean = 0, var = 0;
        for (uint32_t i = 0; i < h; ++i) mean += r[i];
        mean /= h;
        for (uint32_t i = 0; i < h; ++i) var += (r[i] - mean) * (r[i] - mean);
        var /= h;
        const float rstd = float(1.0 / std::sqrt(var + eps));
        for (uint32_t i = 0; i < h; ++i) r[i] = (r[i] - float(mean)) * rstd * gamma[i] + beta[i];
    }
}

class Weights {
public:
    Weights(const ModelSpec& spec, uint64_t seed)
        : m_all(model_weight_tensors(spec)), m_seed(seed) {}
    Matrix operator()(const std::string& name) const {
        return logical_values(find_weight(m_all, name), m_seed);
    }
    // Row `row` of a [rows, width] table in HBM order, without the rest of the table.
    Matrix row(const std::string& name, uint64_t row, uint32_t width) const {
        const WeightTensor& t = find_weight(m_all, name);
        Matrix r(width);
        for (uint32_t i = 0; i < width; ++i) r[i] = weight_value(t, row * width + i, m_seed);
        return r;
    }

private:
    std::vector<WeightTensor> m_all;
    uint64_t m_seed;
};

}  // namespace

ReferenceOutputs reference_forward(const ModelSpec& spec, uint32_t batch, uint64_t seed,
                                   const std::vector<int32_t>& token_ids,
                                   const std::vector<float>& attention_mask) {
    const uint32_t H = spec.hidden, S = spec.sequence_length, T = batch * S, I = spec.intermediate;
    const uint32_t hd = spec.head_dim();
    const Weights w(spec, seed);
    Matrix x(size_t(T) * H);
    {
        // Only the rows of the word table that the tokens name: the table is vocab x H.
        std::map<int32_t, Matrix> word;
        for (int32_t id : token_ids)
            if (!word.count(id)) word.emplace(id, w.row("embeddings.word", uint64_t(id), H));
        const Matrix pos = w("embeddings.position");
        const Matrix type = spec.type_vocab ? w("embeddings.token_type") : Matrix(H, 0.0f);
        for (uint32_t t = 0; t < T; ++t)
            for (uint32_t i = 0; i < H; ++i)
                x[size_t(t) * H + i] =
                    word.at(token_ids[t])[i] + pos[size_t(t % S) * H + i] + type[i];
        layernorm(x, T, H, w("embeddings.ln.gamma"), w("embeddings.ln.beta"), spec.layer_norm_eps);
    }
    const float scale = float(1.0 / std::sqrt(double(hd)));
    for (uint32_t l = 0; l < spec.layers; ++l) {
        const std::string a = "layer" + std::to_string(l) + ".attention.";
        const auto proj = [&](const char* p) {
            return dense(x, T, H, w(a + p + ".weight"), w(a + p + ".bias"), H);
        };
        const Matrix q = proj("query"), k = proj("key"), v = proj("value");
        Matrix ctx(size_t(T) * H, 0.0f);
        std::vector<float> p(S);
        for (uint32_t s = 0; s < batch; ++s)
            for (uint32_t h = 0; h < spec.heads; ++h)
                for (uint32_t qi = 0; qi < S; ++qi) {
                    const float* qr = &q[size_t(s * S + qi) * H + h * hd];
                    float mx = -INFINITY;
                    for (uint32_t ki = 0; ki < S; ++ki) {
                        const float* kr = &k[size_t(s * S + ki) * H + h * hd];
                        float dot = 0;
                        for (uint32_t d = 0; d < hd; ++d) dot += qr[d] * kr[d];
                        p[ki] =
                            dot * scale + (attention_mask[size_t(s) * S + ki] - 1.0f) * 10000.0f;
                        mx = std::max(mx, p[ki]);
                    }
                    float sum = 0;
                    for (auto& e : p) sum += (e = std::exp(e - mx));
                    float* cr = &ctx[size_t(s * S + qi) * H + h * hd];
                    for (uint32_t ki = 0; ki < S; ++ki) {
                        const float* vr = &v[size_t(s * S + ki) * H + h * hd];
                        for (uint32_t d = 0; d < hd; ++d) cr[d] += p[ki] / sum * vr[d];
                    }
                }
        const Matrix o = dense(ctx, T, H, w(a + "output.weight"), w(a + "output.bias"), H);
        for (size_t i = 0; i < x.size(); ++i) x[i] += o[i];
        layernorm(x, T, H, w(a + "ln.gamma"), w(a + "ln.beta"), spec.layer_norm_eps);
        const std::string f = "layer" + std::to_string(l) + ".ffn.";
        Matrix hmid = dense(x, T, H, w(f + "intermediate.weight"), w(f + "intermediate.bias"), I);
        for (auto& e : hmid) e = 0.5f * e * (1.0f + std::erf(e / std::sqrt(2.0f)));
        const Matrix out = dense(hmid, T, I, w(f + "output.weight"), w(f + "output.bias"), H);
        for (size_t i = 0; i < x.size(); ++i) x[i] += out[i];
        layernorm(x, T, H, w(f + "ln.gamma"), w(f + "ln.beta"), spec.layer_norm_eps);
    }
    ReferenceOutputs r;
    if (spec.pooler) {
        Matrix cls(size_t(batch) * H);
        for (uint32_t s = 0; s < batch; ++s)
            std::copy_n(&x[size_t(s) * S * H], H, &cls[size_t(s) * H]);
        r.pooled = dense(cls, batch, H, w("pooler.weight"), w("pooler.bias"), H);
        for (auto& e : r.pooled) e = std::tanh(e);
        if (spec.num_labels)
            r.logits = dense(r.pooled, batch, H, w("classifier.weight"), w("classifier.bias"),
                             spec.num_labels);
    }
    r.hidden = std::move(x);
    return r;
}

double max_error_feature_major(const std::vector<float>& feature_major,
                               const std::vector<float>& token_major, size_t features,
                               size_t tokens) {
    double worst = 0;
    for (size_t f = 0; f < features; ++f)
        for (size_t t = 0; t < tokens; ++t)
            worst = std::max(worst, double(std::abs(feature_major[f * tokens + t] -
                                                    token_major[t * features + f])));
    return worst;
}

}  // namespace nsim::compiler
