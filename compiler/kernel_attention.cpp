#include "compiler/kernel_attention.h"

#include <algorithm>

namespace nsim::compiler {

using isa::AluOp;
using isa::DType;

void emit_mask_bias(KernelContext& ctx, const std::string& mask_tensor, uint32_t row,
                    uint32_t seq_len, uint64_t dst) {
    auto src = ctx.b().hbm(mask_tensor, row, 1, 0, {seq_len});
    src.dims = {{0, seq_len}, {1, seq_len}};  // the one row to every query partition
    const auto bias = isa::sbuf(0, seq_len, dst, DType::float32, {seq_len});
    ctx.dma(bias, src);
    ctx.b()
        .tensor_scalar(bias, bias, AluOp::subtract, 1.0)
        .arg("op1", AluOp::multiply)
        .arg("operand1", 10000.0);
}

SoftmaxScratch SoftmaxScratch::allocate(KernelContext& ctx, uint32_t seq_len) {
    SoftmaxScratch s;
    s.scores = ctx.sbuf().alloc(uint64_t(seq_len) * 4, "softmax scores");
    s.stats = ctx.sbuf().alloc(12, "softmax max and sum");
    return s;
}

void masked_softmax(KernelContext& ctx, const isa::AccessPattern& scores,
                    const isa::AccessPattern& mask, const isa::AccessPattern& probs,
                    const SoftmaxScratch& scratch) {
    auto& b = ctx.b();
    const uint32_t rows = scores.num_partitions;
    const auto s = isa::sbuf(0, rows, scratch.scores, DType::float32, {scores.free_size()});
    const uint64_t stats = scratch.stats;
    const auto neg_max = isa::sbuf(0, rows, stats, DType::float32, {1});
    const auto sum = isa::sbuf(0, rows, stats + 4, DType::float32, {1});
    const auto inv = isa::sbuf(0, rows, stats + 8, DType::float32, {1});
    b.tensor_tensor(s, scores, mask, AluOp::add);
    b.tensor_reduce(neg_max, AluOp::maximum, s, 1).arg("negate", true);
    b.activation(s, isa::ActFunc::exp, s)
        .arg("bias", neg_max)
        .arg("reduce_cmd", isa::ReduceCmd::reset_reduce)
        .arg("reduce_res", sum);
    // The normalisation on the Scalar engine (a per-row scale), beside the Vector engine's sums.
    b.activation(inv, isa::ActFunc::reciprocal, sum);
    b.activation(probs, isa::ActFunc::copy, s).arg("scale", inv);
}

void attention(KernelContext& ctx, const AttentionShape& shape, const FeatureTiles& q,
               const FeatureTiles& k, uint64_t v_offset, uint64_t v_seq_bytes, uint64_t mask_offset,
               const VectorWeight& bv, const FeatureTiles& out) {
    auto& b = ctx.b();
    const uint32_t S = shape.seq_len, hd = shape.head_dim;
    const DType dt = q.dtype;
    const uint64_t esize = isa::dtype_size(dt);
    const uint64_t mark = ctx.sbuf().mark();
    // The heads (of all sequences) are software-pipelined: each engine runs its instructions in
    // program order, so head i+kAhead's scores and softmax are emitted before head i's transpose
    // and value product, and the Tensor, Vector and Scalar engines work on different heads at once
    // instead of each waiting for the whole chain of one head. Each head in flight has its own
    // probability tiles and softmax scratch (no more sets than heads: a pipeline stage runs its
    // heads a tile at a time to keep its working set small).
    constexpr uint32_t kAhead = 2, kSets = kAhead + 2;
    const uint32_t count = shape.seqs * shape.heads, sets = std::min(kSets, count);
    uint64_t probs_at[kSets], probs_t_at[kSets];
    SoftmaxScratch scratch[kSets];
    for (uint32_t i = 0; i < sets; ++i) {
        probs_at[i] = ctx.sbuf().alloc(S * esize, "attention probabilities");
        probs_t_at[i] = ctx.sbuf().alloc(S * esize, "attention probabilities transposed");
        scratch[i] = SoftmaxScratch::allocate(ctx, S);
    }
    const auto probs = [&](uint32_t i) { return isa::sbuf(0, S, probs_at[i % sets], dt, {S}); };
    const auto softmax = [&](uint32_t i) {
        const uint32_t s = i / shape.heads, h = i % shape.heads;
        const uint32_t tile = h * hd / kCompilerPartitions, p0 = h * hd % kCompilerPartitions;
        const auto mask = isa::sbuf(0, S, mask_offset + uint64_t(s) * S * 4, DType::float32, {S});
        const auto scores = isa::psum(0, S, ctx.next_psum_bank(), DType::float32, {S});
        b.nc_matmul(scores, q.ap(tile, s * S, S, p0, hd), k.ap(tile, s * S, S, p0, hd));
        masked_softmax(ctx, scores, mask, probs(i), scratch[i % sets]);
    };
    const auto context = [&](uint32_t i) {
        const uint32_t s = i / shape.heads, h = i % shape.heads;
        const uint32_t tile = h * hd / kCompilerPartitions, p0 = h * hd % kCompilerPartitions;
        const uint32_t rows = tile_rows(out.tiles * kCompilerPartitions, tile);
        const auto probs_t = isa::sbuf(0, S, probs_t_at[i % sets], dt, {S});
        const auto transposed = isa::psum(0, S, ctx.next_psum_bank(), dt, {S});
        b.nc_transpose(transposed, probs(i));
        b.tensor_copy(probs_t, transposed);
        // All `rows` features of the head's tile come out; the head's own hd rows are kept.
        const uint64_t acc_at = ctx.next_psum_bank();
        const auto v_tile = isa::sbuf(
            0, S, v_offset + s * v_seq_bytes + uint64_t(tile) * kCompilerPartitions * esize, dt,
            {rows});
        b.nc_matmul(isa::psum(0, rows, acc_at, DType::float32, {S}), v_tile, probs_t);
        b.activation(out.ap(tile, s * S, S, p0, hd), isa::ActFunc::copy,
                     isa::psum(p0, hd, acc_at, DType::float32, {S}))
            .arg("bias", bv.ap(tile, p0, hd));
    };
    for (uint32_t i = 0; i < count + kAhead; ++i) {
        if (i < count) softmax(i);
        if (i >= kAhead) context(i - kAhead);
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
