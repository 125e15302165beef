#include "compiler/stage_lowering.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
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
        check_carries();
        declare_tensors();
        place_weights();
        StagePrograms out;
        if (needs_layernorm()) m_ones = emit_ones_matrix(m_ctx, m_spec.matmul_dtype);
        // A probe emits the first group only: it is the largest, so it alone decides the fit.
        for (uint32_t g0 = 0; g0 < (m_probe ? 1 : m_batch); g0 += m_group)
            emit_group(g0, std::min(m_group, m_batch - g0));
        out.load = std::move(m_load_builder).build();  // run() is the emitter's last step
        out.infer = std::move(m_builder).build();
        out.sbuf_peak = m_ctx.sbuf().peak();
        out.seqs_per_group = m_group;
        for (const auto& [key, w] : m_matrices) {
            (w.resident ? out.resident_bytes : out.streamed_bytes) +=
                uint64_t(w.rows) * w.cols * isa::dtype_size(w.dtype);
            if (std::find(out.weights.begin(), out.weights.end(), w.name) == out.weights.end())
                out.weights.push_back(w.name);
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
        return std::any_of(m_req.units.begin(), m_req.units.end(), [](const Unit& u) {
            return u.kind != UnitKind::head && u.end == u.steps;
        });
    }
    bool needs_mask() const {
        return std::any_of(m_req.units.begin(), m_req.units.end(), [](const Unit& u) {
            return u.kind == UnitKind::attention && u.begin == 0;
        });
    }
    // A matrix (part) the units read, by unit_matrices' name and origin.
    const MatrixWeight& matrix(const std::string& name, uint32_t row0 = 0, uint32_t col0 = 0) {
        return m_matrices.at(UnitMatrix{name, row0, 0, col0, 0}.key());
    }

    // A carry crosses only a stage boundary: the first unit's from carry_input, the last one's to
    // carry_output.
    void check_carries() const {
        const auto& u = m_req.units;
        for (size_t i = 0; i < u.size(); ++i) {
            const bool in = carry_in(u[i]) != Carry::none, out = carry_out(u[i]) != Carry::none;
            if ((in && (i > 0 || m_req.carry_input.empty())) ||
                (out && (i + 1 < u.size() || m_req.carry_output.empty())))
                throw LoweringError(m_req.label + ": unit " + u[i].name() +
                                    " continues a block from or into another stage, expected it "
                                    "first or last with a carry tensor");
        }
        if ((!m_req.carry_input.empty() && carry_in(u.front()) == Carry::none) ||
            (!m_req.carry_output.empty() && carry_out(u.back()) == Carry::none))
            throw LoweringError(m_req.label + ": a carry tensor without a unit that uses it");
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
        if (!m_req.carry_input.empty())
            tensor(m_req.carry_input, {H(), tokens}, mm(), isa::TensorRole::input);
        if (needs_mask())
            tensor("attention_mask", {m_batch, S()}, DType::float32, isa::TensorRole::input);
        if (!m_req.carry_output.empty())
            tensor(m_req.carry_output, {H(), tokens}, mm(), isa::TensorRole::output);
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
            for (const auto& m : unit_matrices(m_spec, u, m_req.all_resident()))
                declare_weight(m.name);
            for (const auto& v : unit_vectors(m_spec, u)) declare_weight(v);
        }
    }

    void declare_weight(const std::string& name) { declare_weight(m_builder, m_declared, name); }
    // Declares weight `name` in `builder` unless done (a feed-forward unit reads a matrix in
    // chunks).
    void declare_weight(isa::KernelBuilder& builder, std::set<std::string>& declared,
                        const std::string& name) {
        if (!declared.insert(name).second) return;
        const auto& w = find_weight(m_all, name);
        builder.tensor(name, w.shape, w.dtype, isa::TensorRole::weight);
    }

    // Resident weights first, at the same offsets in the load and infer programs.
    void place_weights() {
        if (m_req.all_resident()) {
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
            for (const auto& part : unit_matrices(m_spec, u, m_req.all_resident())) {
                const std::string& name = part.name;
                const auto& t = find_weight(m_all, name);
                const bool resident = m_req.resident && (m_req.resident_matrices.empty() ||
                                                         m_req.resident_matrices.at(index));
                ++index;
                streamed |= !resident;
                MatrixWeight w{name,     part.rows, part.cols, t.dtype,
                               resident, 0,         part.row0, part.col0};
                if (!resident)
                    m_narrowest_ring =
                        std::max(m_narrowest_ring, 2 * WeightStaging::narrowest_block_bytes(w));
                if (resident) {
                    w.offset = m_ctx.sbuf().alloc(w.sbuf_bytes(), "resident weight " + name);
                    m_load.sbuf().alloc(w.sbuf_bytes(), name);
                    declare_weight(m_load_builder, m_load_declared, name);
                    w.emit_load(m_load);
                }
                m_matrices.emplace(part.key(), w);
            }
            for (const auto& name : unit_vectors(m_spec, u)) {
                VectorWeight v{name, find_weight(m_all, name).features, 0};
                v.offset = m_ctx.sbuf().alloc(
                    v.sbuf_bytes(),
                    (m_req.resident ? "resident weight " : "streamed weight ") + name);
                if (m_req.resident) {
                    m_load.sbuf().alloc(v.sbuf_bytes(), name);
                    declare_weight(m_load_builder, m_load_declared, name);
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
        m_g0 = g0;
        m_x = m_ctx.alloc_features(H(), T, DType::float32, "residual stream");
        m_xb = m_ctx.alloc_features(H(), T, mm(), "matmul copy of the residual stream");
        m_seqs = seqs;
        if (needs_mask()) {
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
                if (m_req.carry_input.empty())
                    b.activation(m_xb.ap(k, 0, T, 0, rows), isa::ActFunc::copy,
                                 m_x.ap(k, 0, T, 0, rows));
            }
            if (!m_req.carry_input.empty()) load_carry(m_xb);
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
        layernorm(m_ctx, m_x, m_xb, H(), g, be, m_spec.layer_norm_eps, m_ones);
        m_ctx.sbuf().release(mark);
    }

    // The carry tensor `name` [hidden, batch*seq] of this group's tokens to or from `t`.
    void load_carry(const FeatureTiles& t) { move_carry(t, m_req.carry_input, true); }
    void store_carry(const FeatureTiles& t) { move_carry(t, m_req.carry_output, false); }
    void move_carry(const FeatureTiles& t, const std::string& name, bool load) {
        for (uint32_t k = 0; k < t.tiles; ++k) {
            const uint32_t rows = tile_rows(H(), k);
            const auto hbm = m_builder.hbm(name, k * kCompilerPartitions, rows,
                                           uint64_t(m_g0) * S(), {t.tokens});
            const auto sb = t.ap(k, 0, t.tokens, 0, rows);
            load ? m_ctx.dma(sb, hbm) : m_ctx.dma(hbm, sb);
        }
    }

    void emit_attention(const Unit& u) {
        const std::string p = u.block() + ".";
        const uint64_t mark = m_ctx.sbuf().mark();
        const uint32_t T = m_x.tokens;
        if (u.begin == 0 && u.end == u.steps) {
            // The output projection's tiles go between the attention's last groups, each once
            // the context it reads is complete.
            const VectorWeight bo = vector(p + "output.bias");
            emit_self_attention(p, [&](DeferredTiles& after, const FeatureTiles& c) {
                after.linear(m_ctx, matrix(p + "output.weight"), m_staging, moving_of(c), T,
                             evict_bias_residual(m_ctx, bo, m_x), 0);
            });
        } else {
            // A stage continuing the block has the context in xb already.
            const FeatureTiles c = u.begin == 0 ? emit_self_attention(p) : m_xb;
            if (u.end < u.steps) {
                store_carry(c);
                m_ctx.sbuf().release(mark);
                return;
            }
            const VectorWeight bo = vector(p + "output.bias");
            linear(m_ctx, matrix(p + "output.weight"), m_staging, moving_of(c), T,
                   evict_bias_residual(m_ctx, bo, m_x));
        }
        m_ctx.sbuf().release(mark);
        emit_layernorm(p + "ln");
    }

    // Tiles [t0, t0+n) of `t`, and a vector from tile t0 on.
    static FeatureTiles tiles_of(const FeatureTiles& t, uint32_t t0, uint32_t n) {
        return {t.offset + uint64_t(t0) * t.tokens * isa::dtype_size(t.dtype), n, t.tokens,
                t.dtype};
    }
    static VectorWeight tiles_of(const VectorWeight& v, uint32_t t0) {
        return {v.name, v.size - t0 * kCompilerPartitions, v.offset + uint64_t(t0) * 4};
    }

    // Q/K/V projections and the attention itself of the block `p`; returns the context, allocated
    // in the caller's scope. With all weights resident they come per tile of heads
    // (unit_matrices), computed into two alternating sets of small buffers; else whole, the
    // context then taking the place of xb, which the projections were the last to read (the
    // LayerNorm writes it anew). `then`, when given, keeps the work that reads the context in
    // tiles, emitted between the last attention's groups as the context they read is complete.
    using ContextReader = std::function<void(DeferredTiles&, const FeatureTiles& context)>;
    FeatureTiles emit_self_attention(const std::string& p, const ContextReader& then = {}) {
        auto& b = m_builder;
        const uint32_t T = m_x.tokens, hd = m_spec.head_dim();
        const uint32_t group = m_req.all_resident() ? 1 : m_xb.tiles;  // tiles of heads at a time
        const FeatureTiles c =
            m_req.all_resident() ? m_ctx.alloc_features(H(), T, mm(), "attention context") : m_xb;
        const uint64_t mark = m_ctx.sbuf().mark();
        const VectorWeight bq = vector(p + "query.bias"), bk = vector(p + "key.bias"),
                           bv = vector(p + "value.bias");
        const uint32_t width = std::min(group * kCompilerPartitions, H());
        const uint64_t v_seq_bytes = uint64_t(width) * isa::dtype_size(mm());
        const uint32_t sets = group < m_xb.tiles ? 2 : 1;
        FeatureTiles q[2], k[2];
        uint64_t v[2];
        for (uint32_t i = 0; i < sets; ++i) {
            q[i] = m_ctx.alloc_features(width, T, mm(), "queries");
            k[i] = m_ctx.alloc_features(width, T, mm(), "keys");
            v[i] = m_ctx.sbuf().alloc(v_seq_bytes * m_seqs, "values (token-major)");
        }
        const double scale = 1.0 / std::sqrt(double(hd));
        for (uint32_t t0 = 0, i = 0; t0 < m_xb.tiles; t0 += group, i = (i + 1) % sets) {
            const uint32_t f0 = t0 * kCompilerPartitions;
            const VectorWeight gq = tiles_of(bq, t0), gk = tiles_of(bk, t0);
            const EvictFn evict_q = [&](uint32_t m, const isa::AccessPattern& acc, uint32_t n0,
                                        uint32_t n) {
                b.tensor_scalar(q[i].ap(m, n0, n, 0, acc.num_partitions), acc, AluOp::add,
                                gq.ap(m, 0, acc.num_partitions))
                    .arg("op1", AluOp::multiply)
                    .arg("operand1", scale);
            };
            const EvictFn evict_k = evict_bias(m_ctx, gk, k[i], isa::ActFunc::copy);
            const MatrixWeight &wq = matrix(p + "query.weight", 0, f0),
                               &wk = matrix(p + "key.weight", 0, f0);
            // Queries and keys: the first 512 tokens' now, the other output tiles (of a matrix of
            // one block) between the attention's groups, a tile after each group's scores and all
            // a sequence reads before its first group, so the Tensor engine computes them while
            // the softmaxes run.
            DeferredTiles later;
            later.linear(m_ctx, wq, m_staging, moving_of(m_xb), T, evict_q);
            later.linear(m_ctx, wk, m_staging, moving_of(m_xb), T, evict_k);
            DeferredTiles after;
            if (then && t0 + group >= m_xb.tiles) then(after, c);
            const auto between = [&](uint32_t next, uint32_t done) {
                later.emit_needed((next + 1) * S());
                later.emit_next(T);
                after.emit_next(done * S());
            };
            const MatrixWeight& wv = matrix(p + "value.weight", 0, f0);
            const TokenEvictFn evict_v = [&](uint32_t s, uint32_t c0,
                                             const isa::AccessPattern& acc) {
                const uint64_t at = v[i] + s * v_seq_bytes + uint64_t(c0) * isa::dtype_size(mm());
                b.tensor_copy(isa::sbuf(0, S(), at, mm(), {acc.free_size()}), acc);
            };
            // A value matrix of one block is fetched here and its sequences computed inside the
            // attention, between the softmaxes; else all of them now.
            std::function<void(uint32_t)> values_of;
            if (m_staging.block_width(wv) >= wv.cols) {
                const MatrixBlock block = m_staging.fetch(m_ctx, wv, 0);
                values_of = [&, block](uint32_t s) {
                    token_major_block(m_ctx, block, wv, m_xb, S(), s, evict_v);
                };
            } else {
                linear_token_major(m_ctx, wv, m_staging, m_xb, S(), m_seqs, evict_v);
            }
            const uint32_t tiles = std::min(group, m_xb.tiles - t0);
            attention(m_ctx, {std::min(width, H() - f0) / hd, hd, S(), m_seqs}, q[i], k[i], v[i],
                      v_seq_bytes, m_masks, tiles_of(bv, t0), tiles_of(c, t0, tiles), values_of,
                      between);
            later.emit_all();
            after.emit_all();
        }
        m_ctx.sbuf().release(mark);
        return c;
    }

    // The block's intermediate features [begin, end) x 128, a chunk of kFfnChunkSteps at a time:
    // h = GELU(W1 chunk^T xb + b1 chunk), x += W2 chunk^T h, the output bias with the block's
    // last chunk. In a stage that continues the block, x holds the residual plus the output's
    // partial sum and xb the block's input; in one that does not finish it, both go on.
    void emit_ffn(const Unit& u) {
        auto& b = m_builder;
        const std::string p = u.block() + ".";
        const uint32_t T = m_x.tokens;
        const uint64_t mark = m_ctx.sbuf().mark();
        const VectorWeight b1 = vector(p + "intermediate.bias");
        const bool last = u.end == u.steps;
        const VectorWeight b2 = last ? vector(p + "output.bias") : VectorWeight{};
        for (uint32_t s = u.begin; s < u.end; s += kFfnChunkSteps) {
            const uint64_t chunk_mark = m_ctx.sbuf().mark();
            const uint32_t f0 = s * kCompilerPartitions;
            const MatrixWeight& w1 = matrix(p + "intermediate.weight", 0, f0);
            const FeatureTiles h =
                m_ctx.alloc_features(w1.cols, T, mm(), "intermediate activations");
            linear(m_ctx, w1, m_staging, moving_of(m_xb), T,
                   [&](uint32_t m, const isa::AccessPattern& acc, uint32_t n0, uint32_t n) {
                       b.activation(h.ap(m, n0, n, 0, acc.num_partitions), isa::ActFunc::gelu, acc)
                           .arg("bias", b1.ap(s + m, 0, acc.num_partitions));
                   });
            const bool final_chunk = last && s + kFfnChunkSteps >= u.end;
            linear(m_ctx, matrix(p + "output.weight", f0, 0), m_staging, moving_of(h), T,
                   final_chunk ? evict_bias_residual(m_ctx, b2, m_x) : evict_residual(m_ctx, m_x));
            m_ctx.sbuf().release(chunk_mark);
        }
        m_ctx.sbuf().release(mark);
        if (last)
            emit_layernorm(p + "ln");
        else
            store_carry(m_xb);
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
        linear(m_ctx, matrix("pooler.weight"), m_staging, cls, m_seqs,
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
            linear(m_ctx, matrix("classifier.weight"), m_staging, moving_of(pooled_mm), m_seqs,
                   evict_bias(m_ctx, bc, logits, isa::ActFunc::copy));
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
    std::set<std::string> m_declared, m_load_declared;
    std::map<std::string, MatrixWeight> m_matrices;
    std::map<std::string, VectorWeight> m_vectors;
    WeightStaging m_staging;
    uint64_t m_ones = 0, m_masks = 0;
    FeatureTiles m_x, m_xb;
    uint32_t m_seqs = 0, m_g0 = 0;
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

uint64_t stage_sbuf_need(const ModelSpec& spec, isa::Generation target,
                         const isa::TargetLimits& limits, const StageRequest& request) {
    isa::TargetLimits unbounded = limits;
    unbounded.sbuf_partition_bytes = std::numeric_limits<uint64_t>::max() / 2;
    const std::vector<int32_t> ids(spec.sequence_length, 0);
    return StageEmitter(spec, 1, target, unbounded, request, ids, 1, true, 0).run().sbuf_peak;
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
