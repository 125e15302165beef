#include "compiler/stage_lowering.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "compiler/kernel_attention.h"
#include "compiler/kernel_embedding.h"
#include "compiler/kernel_layernorm.h"
#include "compiler/kernel_matmul.h"

namespace nsim::compiler {

using isa::AluOp;
using isa::DType;

namespace {

std::string mib(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f MiB", double(bytes) / (1024.0 * 1024.0));
    return text;
}

// Emits one stage's programs for a given group size.
class StageEmitter {
public:
    StageEmitter(const ModelSpec& spec, uint32_t batch, isa::Generation target,
                 const isa::TargetLimits& limits, const StageRequest& req,
                 const std::vector<int32_t>& ids, uint32_t group, bool probe,
                 uint64_t spare_staging)
        : m_spec(spec),
          m_batch(batch),
          m_req(req),
          m_ids(ids),
          m_group(group),
          m_probe(probe),
          m_spare_staging(spare_staging),
          m_all(model_weight_tensors(spec)),
          m_load_builder(req.program_name + "_load", target),
          m_builder(req.program_name + "_infer", target),
          m_load(m_load_builder, limits, req.label),
          m_ctx(m_builder, limits, req.label) {}

    StagePrograms run() {
        declare_tensors();
        place_weights();
        StagePrograms out;
        if (needs_layernorm()) m_mean = emit_mean_matrix(m_ctx, m_spec.hidden);
        // A probe emits the first group only: it is the largest, so it alone decides the fit.
        for (uint32_t g0 = 0; g0 < (m_probe ? 1 : m_batch); g0 += m_group)
            emit_group(g0, std::min(m_group, m_batch - g0));
        out.load = std::move(m_load_builder).build();  // run() is the emitter's last step
        out.infer = std::move(m_builder).build();
        out.sbuf_peak = m_ctx.sbuf().peak();
        out.seqs_per_group = m_group;
        for (const auto& [name, w] : m_matrices) {
            (w.resident ? out.resident_bytes : out.streamed_bytes) +=
                find_weight(m_all, name).size_bytes();
            out.weights.push_back(name);
        }
        for (const auto& [name, v] : m_vectors) {
            (m_req.resident ? out.resident_bytes : out.streamed_bytes) +=
                find_weight(m_all, name).size_bytes();
            out.weights.push_back(name);
        }
        if (has(UnitKind::embeddings)) {
            out.weights.push_back("embeddings.word");
            out.weights.push_back("embeddings.position");
            if (m_spec.type_vocab) out.weights.push_back("embeddings.token_type");
        }
        return out;
    }

private:
    bool has(UnitKind k) const {
        return std::any_of(m_req.units.begin(), m_req.units.end(),
                           [k](const Unit& u) { return u.kind == k; });
    }
    bool needs_layernorm() const {
        return has(UnitKind::embeddings) || has(UnitKind::attention) || has(UnitKind::ffn);
    }
    uint32_t H() const { return m_spec.hidden; }
    uint32_t S() const { return m_spec.sequence_length; }
    DType mm() const { return m_spec.matmul_dtype; }

    void tensor(const std::string& name, std::vector<uint64_t> shape, DType dt,
                isa::TensorRole role) {
        m_builder.tensor(name, shape, dt, role);
    }

    void declare_tensors() {
        const uint64_t tokens = uint64_t(m_batch) * S();
        if (m_req.input.empty()) {
            tensor("input_ids", {m_batch, S()}, DType::int32, isa::TensorRole::input);
        } else {
            tensor(m_req.input, {H(), tokens}, DType::float32, isa::TensorRole::input);
        }
        if (has(UnitKind::attention))
            tensor("attention_mask", {m_batch, S()}, DType::float32, isa::TensorRole::input);
        if (!m_req.output.empty()) {
            tensor(m_req.output, {H(), tokens}, DType::float32, isa::TensorRole::output);
        } else {
            tensor("hidden_states", {H(), tokens}, DType::float32, isa::TensorRole::output);
            if (m_spec.pooler)
                tensor("pooled_output", {H(), m_batch}, DType::float32, isa::TensorRole::output);
            if (m_spec.num_labels)
                tensor("logits", {m_spec.num_labels, m_batch}, DType::float32,
                       isa::TensorRole::output);
        }
        if (has(UnitKind::embeddings)) {
            for (const char* t :
                 {"embeddings.word", "embeddings.position", "embeddings.token_type"})
                if (m_spec.type_vocab || std::string(t) != "embeddings.token_type")
                    declare_weight(t);
        }
        for (const auto& u : m_req.units) {
            for (const auto& m : unit_matrices(m_spec, u)) declare_weight(m);
            for (const auto& v : unit_vectors(m_spec, u)) declare_weight(v);
        }
    }

    void declare_weight(const std::string& name) {
        const auto& w = find_weight(m_all, name);
        m_builder.tensor(name, w.shape, w.dtype, isa::TensorRole::weight);
    }

    // Resident weights first, at the same offsets in the load and infer programs.
    void place_weights() {
        if (m_req.resident && m_req.resident_matrices.empty()) {
            uint64_t bytes = 0;
            std::string units;
            for (const auto& u : m_req.units) {
                bytes += unit_weight_bytes(m_spec, u);
                units += (units.empty() ? "" : ", ") + u.name();
            }
            const uint64_t capacity = m_ctx.sbuf().capacity();
            if (bytes > capacity)
                throw ResidentWeightsError(
                    m_req.label + ": resident weights of " + units + " need " +
                    std::to_string(bytes) + " bytes per SBUF partition (" +
                    mib(bytes * kCompilerPartitions) + " per core), expected at most " +
                    std::to_string(capacity) + " (" + mib(capacity * kCompilerPartitions) +
                    ", the target's SBUF)");
        }
        bool streamed = !m_req.resident;
        size_t index = 0;
        for (const auto& u : m_req.units) {
            for (const auto& name : unit_matrices(m_spec, u)) {
                const auto& t = find_weight(m_all, name);
                const bool resident = m_req.resident && (m_req.resident_matrices.empty() ||
                                                         m_req.resident_matrices.at(index));
                ++index;
                streamed |= !resident;
                MatrixWeight w{name, uint32_t(t.shape[0]), uint32_t(t.shape[1]), t.dtype, resident,
                               0};
                if (!resident)
                    m_narrowest_ring =
                        std::max(m_narrowest_ring, 2 * WeightStaging::narrowest_block_bytes(w));
                if (resident) {
                    w.offset = m_ctx.sbuf().alloc(w.sbuf_bytes(), "resident weight " + name);
                    m_load.sbuf().alloc(w.sbuf_bytes(), name);
                    m_load_builder.tensor(name, t.shape, t.dtype, isa::TensorRole::weight);
                    w.emit_load(m_load);
                }
                m_matrices.emplace(name, w);
            }
            for (const auto& name : unit_vectors(m_spec, u)) {
                VectorWeight v{name, find_weight(m_all, name).features, 0};
                v.offset = m_ctx.sbuf().alloc(
                    v.sbuf_bytes(),
                    (m_req.resident ? "resident weight " : "streamed weight ") + name);
                if (m_req.resident) {
                    m_load.sbuf().alloc(v.sbuf_bytes(), name);
                    const auto& t = find_weight(m_all, name);
                    m_load_builder.tensor(name, t.shape, t.dtype, isa::TensorRole::weight);
                    v.emit_load(m_load);
                }
                m_vectors.emplace(name, v);
            }
        }
        if (streamed) m_staging.allocate(m_ctx, m_narrowest_ring + m_spare_staging);
    }

    // A unit's vector: resident, or streamed into its own place when the first group first uses
    // it (a place of its own, so the load waits for nothing and the DMAs behind it are issued
    // ahead: the next unit's weight blocks are fetched while this one computes).
    VectorWeight vector(const std::string& name) {
        const VectorWeight& v = m_vectors.at(name);
        if (!m_req.resident && m_loaded.insert(name).second) v.emit_load(m_ctx);
        return v;
    }

    void emit_group(uint32_t g0, uint32_t seqs) {
        auto& b = m_builder;
        const uint64_t mark = m_ctx.sbuf().mark();
        const uint32_t T = seqs * S();
        m_x = m_ctx.alloc_features(H(), T, DType::float32, "residual stream");
        m_xb = m_ctx.alloc_features(H(), T, mm(), "matmul copy of the residual stream");
        m_seqs = seqs;
        if (has(UnitKind::attention)) {
            m_masks = m_ctx.sbuf().alloc(uint64_t(seqs) * S() * 4, "attention masks");
            for (uint32_t s = 0; s < seqs; ++s)
                emit_mask_bias(m_ctx, "attention_mask", g0 + s, S(),
                               m_masks + uint64_t(s) * S() * 4);
        }
        if (m_req.input.empty()) {
            const bool types = m_spec.type_vocab > 0;
            embedding(m_ctx,
                      {"embeddings.word", "embeddings.position",
                       types ? "embeddings.token_type" : "", H()},
                      m_ids, S(), g0, m_x);
        } else {
            for (uint32_t k = 0; k < m_x.tiles; ++k) {
                const uint32_t rows = tile_rows(H(), k);
                m_ctx.dma(m_x.ap(k, 0, T, 0, rows), b.hbm(m_req.input, k * kCompilerPartitions,
                                                          rows, uint64_t(g0) * S(), {T}));
                b.activation(m_xb.ap(k, 0, T, 0, rows), isa::ActFunc::copy,
                             m_x.ap(k, 0, T, 0, rows));
            }
        }
        for (const auto& u : m_req.units) {
            switch (u.kind) {
                case UnitKind::embeddings:
                    emit_layernorm("embeddings.ln");
                    break;
                case UnitKind::attention:
                    emit_attention(u);
                    break;
                case UnitKind::ffn:
                    emit_ffn(u);
                    break;
                case UnitKind::head:
                    break;  // after hidden_states are stored
            }
        }
        const std::string out = m_req.output.empty() ? "hidden_states" : m_req.output;
        for (uint32_t k = 0; k < m_x.tiles; ++k) {
            const uint32_t rows = tile_rows(H(), k);
            m_ctx.dma(b.hbm(out, k * kCompilerPartitions, rows, uint64_t(g0) * S(), {T}),
                      m_x.ap(k, 0, T, 0, rows));
        }
        if (has(UnitKind::head)) emit_head(g0);
        m_ctx.sbuf().release(mark);
    }

    void emit_layernorm(const std::string& prefix) {
        const uint64_t mark = m_ctx.sbuf().mark();
        const VectorWeight g = vector(prefix + ".gamma"), be = vector(prefix + ".beta");
        layernorm(m_ctx, m_x, m_xb, H(), g, be, m_spec.layer_norm_eps, m_mean);
        m_ctx.sbuf().release(mark);
    }

    void emit_attention(const Unit& u) {
        auto& b = m_builder;
        const std::string p = u.name() + ".";
        const uint64_t mark = m_ctx.sbuf().mark();
        const uint32_t T = m_x.tokens;
        const VectorWeight bq = vector(p + "query.bias"), bk = vector(p + "key.bias"),
                           bv = vector(p + "value.bias"), bo = vector(p + "output.bias");
        const FeatureTiles q = m_ctx.alloc_features(H(), T, mm(), "queries");
        const FeatureTiles k = m_ctx.alloc_features(H(), T, mm(), "keys");
        const uint64_t v_seq_bytes = uint64_t(H()) * isa::dtype_size(mm());
        const uint64_t v = m_ctx.sbuf().alloc(v_seq_bytes * m_seqs, "values (token-major)");
        const FeatureTiles c = m_ctx.alloc_features(H(), T, mm(), "attention context");
        const double scale = 1.0 / std::sqrt(double(m_spec.head_dim()));
        linear(m_ctx, m_matrices.at(p + "query.weight"), m_staging, moving_of(m_xb), T,
               [&](uint32_t m, const isa::AccessPattern& acc, uint32_t n0, uint32_t n) {
                   b.tensor_scalar(q.ap(m, n0, n, 0, acc.num_partitions), acc, AluOp::add,
                                   bq.ap(m, 0, acc.num_partitions))
                       .arg("op1", AluOp::multiply)
                       .arg("operand1", scale);
               });
        linear(m_ctx, m_matrices.at(p + "key.weight"), m_staging, moving_of(m_xb), T,
               evict_bias(m_ctx, bk, k, isa::ActFunc::copy));
        linear_token_major(m_ctx, m_matrices.at(p + "value.weight"), m_staging, m_xb, S(), m_seqs,
                           [&](uint32_t s, uint32_t c0, const isa::AccessPattern& acc) {
                               const uint64_t at =
                                   v + s * v_seq_bytes + uint64_t(c0) * isa::dtype_size(mm());
                               b.tensor_copy(isa::sbuf(0, S(), at, mm(), {acc.free_size()}), acc);
                           });
        attention(m_ctx, {m_spec.heads, m_spec.head_dim(), S(), m_seqs}, q, k, v, v_seq_bytes,
                  m_masks, bv, c);
        linear(m_ctx, m_matrices.at(p + "output.weight"), m_staging, moving_of(c), T,
               evict_bias_residual(m_ctx, bo, m_x));
        m_ctx.sbuf().release(mark);
        emit_layernorm(p + "ln");
    }

    void emit_ffn(const Unit& u) {
        const std::string p = u.name() + ".";
        const uint64_t mark = m_ctx.sbuf().mark();
        const uint32_t T = m_x.tokens;
        const VectorWeight b1 = vector(p + "intermediate.bias"), b2 = vector(p + "output.bias");
        const FeatureTiles h =
            m_ctx.alloc_features(m_spec.intermediate, T, mm(), "intermediate activations");
        linear(m_ctx, m_matrices.at(p + "intermediate.weight"), m_staging, moving_of(m_xb), T,
               evict_bias(m_ctx, b1, h, isa::ActFunc::gelu));
        linear(m_ctx, m_matrices.at(p + "output.weight"), m_staging, moving_of(h), T,
               evict_bias_residual(m_ctx, b2, m_x));
        m_ctx.sbuf().release(mark);
        emit_layernorm(p + "ln");
    }

    // Pooler tanh(Wp^T h_[CLS] + bp) on the first token of each sequence, then the classifier.
    void emit_head(uint32_t g0) {
        auto& b = m_builder;
        const uint64_t mark = m_ctx.sbuf().mark();
        const VectorWeight bp = vector("pooler.bias");
        const FeatureTiles pooled =
            m_ctx.alloc_features(H(), m_seqs, DType::float32, "pooled output");
        const FeatureTiles pooled_mm =
            m_ctx.alloc_features(H(), m_seqs, mm(), "pooled output (matmul copy)");
        const FeatureTiles xb = m_xb;
        const uint32_t seq = S();
        const MovingFn cls = [xb, seq](uint32_t k, uint32_t n0, uint32_t n) {
            const uint64_t at = xb.offset + (uint64_t(k) * xb.tokens + uint64_t(n0) * seq) *
                                                isa::dtype_size(xb.dtype);
            return isa::sbuf_pattern(0, kCompilerPartitions, at, xb.dtype, {{int32_t(seq), n}});
        };
        linear(m_ctx, m_matrices.at("pooler.weight"), m_staging, cls, m_seqs,
               [&](uint32_t m, const isa::AccessPattern& acc, uint32_t n0, uint32_t n) {
                   const uint32_t rows = acc.num_partitions;
                   b.activation(pooled.ap(m, n0, n, 0, rows), isa::ActFunc::tanh, acc)
                       .arg("bias", bp.ap(m, 0, rows));
                   b.tensor_copy(pooled_mm.ap(m, n0, n, 0, rows), pooled.ap(m, n0, n, 0, rows));
               });
        for (uint32_t k = 0; k < pooled.tiles; ++k) {
            const uint32_t rows = tile_rows(H(), k);
            m_ctx.dma(b.hbm("pooled_output", k * kCompilerPartitions, rows, g0, {m_seqs}),
                      pooled.ap(k, 0, m_seqs, 0, rows));
        }
        if (m_spec.num_labels) {
            const VectorWeight bc = vector("classifier.bias");
            const FeatureTiles logits =
                m_ctx.alloc_features(m_spec.num_labels, m_seqs, DType::float32, "logits");
            linear(m_ctx, m_matrices.at("classifier.weight"), m_staging, moving_of(pooled_mm),
                   m_seqs, evict_bias(m_ctx, bc, logits, isa::ActFunc::copy));
            m_ctx.dma(b.hbm("logits", 0, m_spec.num_labels, g0, {m_seqs}),
                      logits.ap(0, 0, m_seqs, 0, m_spec.num_labels));
        }
        m_ctx.sbuf().release(mark);
    }

    const ModelSpec& m_spec;
    uint32_t m_batch;
    const StageRequest& m_req;
    const std::vector<int32_t>& m_ids;
    uint32_t m_group;
    bool m_probe;
    uint64_t m_spare_staging;        // ring bytes beyond the narrowest
    uint64_t m_narrowest_ring = 0;   // two 128-column blocks of the tallest streamed matrix
    std::set<std::string> m_loaded;  // streamed vectors loaded
    std::vector<WeightTensor> m_all;
    isa::KernelBuilder m_load_builder, m_builder;
    KernelContext m_load, m_ctx;
    std::map<std::string, MatrixWeight> m_matrices;
    std::map<std::string, VectorWeight> m_vectors;
    WeightStaging m_staging;
    uint64_t m_mean = 0, m_masks = 0;
    FeatureTiles m_x, m_xb;
    uint32_t m_seqs = 0;
};

}  // namespace

bool stage_fits(const ModelSpec& spec, isa::Generation target, const isa::TargetLimits& limits,
                const StageRequest& request, uint32_t group) {
    try {
        const std::vector<int32_t> ids(size_t(group) * spec.sequence_length, 0);
        StageEmitter(spec, group, target, limits, request, ids, group, true, 0).run();
        return true;
    } catch (const LoweringError&) {
        return false;
    }
}

StagePrograms lower_stage(const ModelSpec& spec, uint32_t batch, isa::Generation target,
                          const isa::TargetLimits& limits, const StageRequest& request,
                          const std::vector<int32_t>& token_ids) {
    // The largest group that fits beside the narrowest weight staging: each group re-reads
    // streamed weights, so bigger groups read them less often. A group that does not fit fails at
    // its first allocations, cheaply; the size is found by halving from the batch, then growing
    // one sequence at a time.
    const auto emit = [&](uint32_t group, bool probe, uint64_t spare) {
        return StageEmitter(spec, batch, target, limits, request, token_ids, group, probe, spare)
            .run();
    };
    const auto fits = [&](uint32_t group) -> std::optional<StagePrograms> {
        try {
            return emit(group, true, 0);
        } catch (const ResidentWeightsError&) {
            throw;
        } catch (const LoweringError& e) {
            if (group == 1)
                throw LoweringError(std::string(e.what()) + " (with one sequence per group)");
            return std::nullopt;
        }
    };
    uint32_t group = batch;
    std::optional<StagePrograms> probe;
    while (!(probe = fits(group))) group /= 2;  // fits(1) succeeds or throws
    const uint32_t upper = std::min(batch, 2 * group);
    while (group < upper) {
        auto larger = fits(group + 1);
        if (!larger) break;
        probe = std::move(larger);
        ++group;
    }
    // Then the weight staging ring takes the SBUF the group leaves (the probe's first group is
    // the largest, so its peak is the stage's).
    return emit(group, false, limits.sbuf_partition_bytes - probe->sbuf_peak);
}

}  // namespace nsim::compiler
