#include "compiler/layer_training.h"

#include <algorithm>

#include "compiler/kernel_layernorm.h"
#include "compiler/kernel_matmul.h"
#include "compiler/stage_lowering.h"
#include "compiler/sync_insertion.h"
#include "isa/kernel_builder.h"

namespace nsim::compiler {

using isa::AluOp;
using isa::DType;

namespace {

constexpr uint32_t kChunk = 512;  // fp32 columns of one PSUM bank [src:nki-isa, nc_matmul]
constexpr uint64_t kMovingBytes = 48 * 1024;  // per partition: the moving operand of a matmul step
// Per partition: the weight staging ring of the backward's streamed operands, three 8 KiB blocks.
constexpr uint64_t kStagingBytes = 3 * 8192;

BackwardStep mm(std::string name, uint32_t k, uint32_t m, uint32_t n, uint32_t count = 1) {
    return {true, {std::move(name), k, m, n, count}, {}};
}
BackwardStep ew(ElementwisePass p) { return {false, {}, std::move(p)}; }

// Tokens one dW product contracts: 16 K tiles, so a 256-column block of X^T fits a third of the
// weight staging ring (kStagingBytes); more tokens are split into groups whose products are
// accumulated (the additions not counted).
constexpr uint32_t kContractedTokens = 2048;

// The backward of y = x W (W [in, out]) over `tokens`: dX = dY W^T, dW = X^T dY.
void linear_backward(std::vector<BackwardStep>& steps, const std::string& name, uint32_t in,
                     uint32_t out, uint32_t tokens) {
    steps.push_back(mm(name + ".dX", out, in, tokens));
    if (tokens <= kContractedTokens) {
        steps.push_back(mm(name + ".dW", tokens, in, out));
        return;
    }
    for (uint32_t t0 = 0, g = 0; t0 < tokens; t0 += kContractedTokens, ++g)
        steps.push_back(mm(name + ".dW" + std::to_string(g),
                           std::min(kContractedTokens, tokens - t0), in, out));
}

// Emits the backward program: matmul steps through the library's linear(), elementwise passes as
// Scalar/Vector instructions over [128, <=512] tiles.
class BackwardEmitter {
public:
    BackwardEmitter(const ModelSpec& spec, DType activations, isa::Generation target,
                    const isa::TargetLimits& limits)
        : m_spec(spec),
          m_act(activations),
          m_builder(spec.name + "_layer_backward", target),
          m_ctx(m_builder, limits, spec.name + " layer backward") {}

    isa::Program run(const std::vector<BackwardStep>& steps) {
        m_staging.allocate(m_ctx, kStagingBytes);
        m_mean = emit_mean_matrix(m_ctx, m_spec.hidden, m_act);
        for (auto& slot : m_slots) slot = m_ctx.sbuf().alloc(kChunk * 4, "elementwise operand");
        m_evict[0] = m_ctx.sbuf().alloc(kChunk * 4, "matmul eviction 0");
        m_evict[1] = m_ctx.sbuf().alloc(kChunk * 4, "matmul eviction 1");
        m_reduced = m_ctx.sbuf().alloc(64, "reduction");
        for (uint64_t slot : m_slots)
            m_builder.memset(isa::sbuf(0, kCompilerPartitions, slot, m_act, {kChunk}), 0.0);
        for (const auto& s : steps) s.is_matmul ? matmul(s.matmul) : elementwise(s.elementwise);
        return m_builder.build();
    }

private:
    void matmul(const MatmulShape& s) {
        const DType dt = m_spec.matmul_dtype;
        const uint64_t mark = m_ctx.sbuf().mark();
        m_builder.tensor(s.name + ".a", {s.k, s.m}, dt, isa::TensorRole::weight);
        m_builder.tensor(s.name + ".b", {s.k, s.n}, dt, isa::TensorRole::input);
        const bool store = s.count == 1;  // per-head products stay in SBUF for the next step
        if (store) m_builder.tensor(s.name + ".c", {s.m, s.n}, m_act, isa::TensorRole::output);
        MatrixWeight a{s.name + ".a", s.k, s.m, dt, s.count > 1, 0};
        if (a.resident) {
            a.offset = m_ctx.sbuf().alloc(a.sbuf_bytes(), "stationary operand of " + s.name);
            a.emit_load(m_ctx);
        }
        const uint32_t k_tiles = partition_tiles(s.k);
        const uint64_t fit = kMovingBytes / (uint64_t(k_tiles) * isa::dtype_size(dt));
        const uint32_t chunk =
            uint32_t(std::min<uint64_t>(s.n, fit >= kChunk ? fit / kChunk * kChunk : fit));
        if (chunk == 0)
            throw LoweringError(s.name + ": a column of the moving operand does not fit SBUF");
        for (uint32_t c0 = 0; c0 < s.n; c0 += chunk) {
            const uint32_t n = std::min(chunk, s.n - c0);
            const uint64_t inner = m_ctx.sbuf().mark();
            const FeatureTiles b = m_ctx.alloc_features(s.k, n, dt, "moving operand of " + s.name);
            for (uint32_t k = 0; k < k_tiles; ++k) {
                const uint32_t rows = tile_rows(s.k, k);
                m_ctx.dma(b.ap(k, 0, n, 0, rows),
                          m_builder.hbm(s.name + ".b", k * kCompilerPartitions, rows, c0, {n}));
            }
            const EvictFn evict = [&](uint32_t m, const isa::AccessPattern& acc, uint32_t n0,
                                      uint32_t cols) {
                const auto slot =
                    isa::sbuf(0, acc.num_partitions, m_evict[m_next_evict ^= 1], m_act, {cols});
                m_builder.activation(slot, isa::ActFunc::copy, acc);
                if (store)
                    m_ctx.dma(m_builder.hbm(s.name + ".c", m * kCompilerPartitions,
                                            acc.num_partitions, c0 + n0, {cols}),
                              slot);
            };
            const MovingFn moving = [&](uint32_t k, uint32_t n0, uint32_t cols) {
                return b.ap(k, n0, cols, 0, tile_rows(s.k, k));  // K may be below 128 (a head)
            };
            for (uint32_t r = 0; r < s.count; ++r) linear(m_ctx, a, m_staging, moving, n, evict);
            m_ctx.sbuf().release(inner);
        }
        m_ctx.sbuf().release(mark);
    }

    void elementwise(const ElementwisePass& p) {
        if (p.loads)
            m_builder.tensor(p.name + ".saved", {p.features, p.tokens}, m_act,
                             isa::TensorRole::input);
        if (p.stores)
            m_builder.tensor(p.name + ".grad", {p.features, p.tokens}, m_act,
                             isa::TensorRole::output);
        uint32_t parity = 0;
        for (uint32_t r = 0; r < p.count; ++r)
            for (uint32_t f0 = 0; f0 < p.features; f0 += kCompilerPartitions)
                for (uint32_t n0 = 0; n0 < p.tokens; n0 += kChunk, parity ^= 1)
                    elementwise_tile(p, f0, std::min(kCompilerPartitions, p.features - f0), n0,
                                     std::min(kChunk, p.tokens - n0), parity);
    }

    // One [rows, n] tile of a pass on slot set `parity` (two sets, so tiles overlap).
    void elementwise_tile(const ElementwisePass& p, uint32_t f0, uint32_t rows, uint32_t n0,
                          uint32_t n, uint32_t parity) {
        const auto slot = [&](uint32_t i) {
            return isa::sbuf(0, rows, m_slots[parity * 3 + i], m_act, {n});
        };
        for (uint32_t i = 0; i < p.loads; ++i)
            m_ctx.dma(slot(i % 2), m_builder.hbm(p.name + ".saved", f0, rows, n0, {n}));
        for (uint32_t i = 0; i < p.activations; ++i)
            m_builder.activation(slot(2), i % 2 ? isa::ActFunc::exp : isa::ActFunc::erf,
                                 slot(i % 2));
        for (uint32_t i = 0; i < p.feature_sums; ++i) {
            const auto sum =
                isa::psum(0, kCompilerPartitions, m_ctx.next_psum_bank(), DType::float32, {n});
            m_builder.nc_matmul(sum, isa::sbuf(0, rows, m_mean, m_act, {kCompilerPartitions}),
                                slot(i % 2));
            m_builder.tensor_tensor(slot(2), slot(2), isa::rows(sum, 0, rows), AluOp::subtract);
        }
        for (uint32_t i = 0; i < p.vector_ops; ++i)
            m_builder.tensor_tensor(slot(i % 2), slot(i % 2), slot(2),
                                    i % 2 ? AluOp::add : AluOp::multiply);
        for (uint32_t i = 0; i < p.reductions; ++i)
            m_builder.tensor_reduce(isa::sbuf(0, rows, m_reduced, DType::float32, {1}), AluOp::add,
                                    slot(i % 2), 1);
        for (uint32_t i = 0; i < p.stores; ++i)
            m_ctx.dma(m_builder.hbm(p.name + ".grad", f0, rows, n0, {n}), slot(2));
    }

    const ModelSpec& m_spec;
    DType m_act;  // saved activations, gradients and the elementwise work in SBUF
    isa::KernelBuilder m_builder;
    KernelContext m_ctx;
    WeightStaging m_staging;
    uint64_t m_mean = 0;
    uint64_t m_slots[6] = {};
    uint64_t m_evict[2] = {};
    uint32_t m_next_evict = 0;
    uint64_t m_reduced = 0;
};

}  // namespace

std::vector<BackwardStep> layer_backward_steps(const ModelSpec& spec, uint32_t batch) {
    const uint32_t H = spec.hidden, I = spec.intermediate, S = spec.sequence_length, T = batch * S;
    const uint32_t heads = batch * spec.heads, d = spec.head_dim();
    std::vector<BackwardStep> s;
    // LayerNorm backward (the textbook formula): recompute x^ = (x - mean) rstd (2 ops), g = dy
    // gamma, g x^, dy x^ (dgamma), dx = rstd (g - mean(g) - x^ mean(g x^)): 9 Vector ops, of which
    // the two subtractions of the feature means follow their matmuls (feature_sums); sums over the
    // tokens for dgamma, dbeta and the bias of the projection before it.
    const auto layernorm = [&](const std::string& name, uint32_t extra_loads, uint32_t extra_ops) {
        return ElementwisePass{name, H, T, 1, 2 + extra_loads, 1, 0, 7 + extra_ops, 3, 2};
    };
    s.push_back(ew(layernorm("ffn.ln", 0, 0)));
    linear_backward(s, "ffn.output", I, H, T);
    // GELU'(h) = Phi(h) + h phi(h): erf and exp on the Scalar engine, 5 Vector ops, the bias sum.
    s.push_back(ew({"ffn.gelu", I, T, 1, 2, 1, 2, 5, 1, 0}));
    linear_backward(s, "ffn.intermediate", H, I, T);
    s.push_back(ew(layernorm("attention.ln", 1, 1)));  // + the residual gradient from the FFN block
    linear_backward(s, "attention.output", H, H, T);
    // Per (sequence, head), with P = softmax(scores) and C = P V: dV = P^T dC, dP = dC V^T,
    // dS = P (dP - rowsum(P dP)) (3 Vector ops and a sum, in SBUF), dQ = dS K, dK = dS^T Q.
    s.push_back(mm("attention.dV", S, S, d, heads));
    s.push_back(mm("attention.dP", d, S, S, heads));
    s.push_back(ew({"attention.softmax", S, S, heads, 0, 0, 0, 3, 1, 0}));
    s.push_back(mm("attention.dQ", S, S, d, heads));
    s.push_back(mm("attention.dK", S, S, d, heads));
    for (const char* p : {"attention.query", "attention.key", "attention.value"})
        linear_backward(s, p, H, H, T);
    // dX of the block: the three projections' dX plus the residual; the Q/K/V bias sums.
    s.push_back(ew({"attention.input", H, T, 1, 2, 1, 0, 3, 3, 0}));
    return s;
}

std::vector<MatmulShape> layer_forward_matmuls(const ModelSpec& spec, uint32_t batch) {
    const uint32_t H = spec.hidden, I = spec.intermediate, S = spec.sequence_length, T = batch * S;
    const uint32_t heads = batch * spec.heads, d = spec.head_dim();
    return {{"attention.query", H, H, T},          {"attention.key", H, H, T},
            {"attention.value", H, H, T},          {"attention.scores", d, S, S, heads},
            {"attention.context", S, d, S, heads}, {"attention.output", H, H, T},
            {"ffn.intermediate", H, I, T},         {"ffn.output", I, H, T}};
}

LayerTrainingPrograms lower_layer_training(const ModelSpec& spec, uint32_t batch, DType activations,
                                           isa::Generation target,
                                           const isa::TargetLimits& limits) {
    if (batch == 0)
        throw LoweringError(spec.name + ": batch 0, expected at least 1 sequence per core");
    StageRequest forward;  // weights streamed, as data parallelism runs the whole model on one core
    forward.label = spec.name + " layer forward";
    forward.program_name = spec.name + "_layer_forward";
    const std::vector<Unit> units = model_units(spec);  // embeddings, layer 0's two blocks, ...
    forward.units = {units[1], units[2]};
    forward.input = "layer_input";
    forward.output = "layer_output";
    const StagePrograms f = lower_stage(spec, batch, target, limits, forward, {});
    BackwardEmitter backward(spec, activations, target, limits);
    const isa::Program b = backward.run(layer_backward_steps(spec, batch));
    return {insert_sync(f.infer, limits, forward.program_name),
            insert_sync(b, limits, spec.name + "_layer_backward")};
}

}  // namespace nsim::compiler
