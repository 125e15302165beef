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

SoftmaxScratch SoftmaxScratch::allocate(KernelContext& ctx, uint32_t seq_len, uint32_t heads) {
    SoftmaxScratch s;
    s.scores = ctx.sbuf().alloc(uint64_t(heads) * seq_len * 4, "softmax scores");
    s.stats = ctx.sbuf().alloc(uint64_t(heads) * 12, "softmax max and sum");
    return s;
}

namespace {

// `ap` (one free dimension of heads * S elements) seen as [heads, S].
isa::AccessPattern by_head(isa::AccessPattern ap, uint32_t heads) {
    const uint32_t S = uint32_t(ap.free_size() / heads);
    ap.dims = {{int32_t(S), heads}, {1, S}};
    return ap;
}

// Columns [col0, col0 + count) of `ap` (one contiguous free dimension).
isa::AccessPattern columns(isa::AccessPattern ap, uint32_t col0, uint32_t count) {
    ap.byte_offset += uint64_t(col0) * isa::dtype_size(ap.dtype);
    ap.dims = {{1, count}};
    return ap;
}

}  // namespace

void softmax_rows(KernelContext& ctx, const isa::AccessPattern& scores, uint32_t heads,
                  const isa::AccessPattern& probs, const SoftmaxScratch& scratch) {
    auto& b = ctx.b();
    const uint32_t rows = scores.num_partitions;
    const uint32_t S = uint32_t(scores.free_size() / heads);
    const auto s = isa::sbuf(0, rows, scratch.scores, DType::float32, {heads * S});
    const auto stat = [&](uint32_t i) {
        return isa::sbuf(0, rows, scratch.stats + uint64_t(i) * heads * 4, DType::float32, {heads});
    };
    const auto neg_max = stat(0), sum = stat(1), inv = stat(2);
    // One Vector instruction for all heads (the free dimension spans them), so its fixed
    // overheads are paid once per group: the max over each head's keys.
    b.tensor_reduce(neg_max, AluOp::maximum, by_head(scores, heads), 2).arg("negate", true);
    // exp(s - max) per head (the bias is one per partition), its sum on the side.
    for (uint32_t h = 0; h < heads; ++h)
        b.activation(columns(s, h * S, S), isa::ActFunc::exp, columns(scores, h * S, S))
            .arg("bias", columns(neg_max, h, 1))
            .arg("reduce_cmd", isa::ReduceCmd::reset_reduce)
            .arg("reduce_res", columns(sum, h, 1));
    // The normalisation on the Scalar engine (a per-row scale), beside the Vector engine's sums.
    b.activation(inv, isa::ActFunc::reciprocal, sum);
    for (uint32_t h = 0; h < heads; ++h)
        b.activation(columns(probs, h * S, S), isa::ActFunc::copy, columns(s, h * S, S))
            .arg("scale", columns(inv, h, 1));
}

void masked_softmax(KernelContext& ctx, const isa::AccessPattern& scores,
                    const isa::AccessPattern& mask, const isa::AccessPattern& probs,
                    const SoftmaxScratch& scratch) {
    const uint32_t S = uint32_t(mask.free_size()), heads = uint32_t(scores.free_size() / S);
    const auto s = isa::sbuf(0, scores.num_partitions, scratch.scores, DType::float32, {heads * S});
    // The mask, the same for every head, broadcast over the heads (step 0).
    auto mask_all = mask;
    mask_all.dims = {{0, heads}, {1, S}};
    ctx.b().tensor_tensor(by_head(s, heads), by_head(scores, heads), mask_all, AluOp::add);
    softmax_rows(ctx, s, heads, probs, scratch);
}

void attention(KernelContext& ctx, const AttentionShape& shape, const FeatureTiles& q,
               const FeatureTiles& k, uint64_t v_offset, uint64_t v_seq_bytes, uint64_t mask_offset,
               const VectorWeight& bv, const FeatureTiles& out,
               const std::function<void(uint32_t seq)>& values_of,
               const std::function<void(uint32_t next, uint32_t done)>& between) {
    auto& b = ctx.b();
    const uint32_t S = shape.seq_len, hd = shape.head_dim;
    const DType dt = q.dtype;
    const uint64_t esize = isa::dtype_size(dt);
    const uint64_t mark = ctx.sbuf().mark();
    const isa::Engine side = ctx.limits().has_gpsimd ? isa::Engine::gpsimd : isa::Engine::vector;
    // The heads of one sequence go in groups whose fp32 scores fill one PSUM bank, so that each
    // Vector instruction of the softmax and the transposes' eviction covers the whole group.
    const uint32_t group = std::max<uint32_t>(
        1, std::min<uint64_t>(shape.heads, ctx.psum_bank_bytes() / (uint64_t(S) * 4)));
    const uint32_t groups_per_seq = (shape.heads + group - 1) / group;
    // The groups (of all sequences) are software-pipelined: each engine runs its instructions in
    // program order, so group i+kAhead's scores and softmax are emitted before group i's
    // transposes and value products, and the Tensor, Vector and Scalar engines work on different
    // groups at once instead of each waiting for the whole chain of one. Group i's transposes
    // come right after group i+kAhead's scores, its value products after the other work (values,
    // `between`), so the Vector engine evicts P^T while the Tensor engine does that work. Each
    // group in flight has its own probability tile and softmax statistics (no more sets than
    // groups: a pipeline stage runs its heads a tile at a time to keep its working set small); the
    // exponentials, written and read by the Scalar engine alone in program order, need one buffer.
    constexpr uint32_t kAhead = 2, kSets = kAhead + 1;
    const uint32_t count = shape.seqs * groups_per_seq, sets = std::min(kSets, count);
    uint64_t probs_at[kSets];
    SoftmaxScratch scratch[kSets];
    const uint64_t exps = ctx.sbuf().alloc(uint64_t(group) * S * 4, "softmax exponentials");
    for (uint32_t i = 0; i < sets; ++i) {
        probs_at[i] = ctx.sbuf().alloc(uint64_t(group) * S * esize, "attention probabilities");
        scratch[i].scores = exps;
        scratch[i].stats = ctx.sbuf().alloc(uint64_t(group) * 12, "softmax max and sum");
    }
    // The mask joins the scores in PSUM as one more matmul of the group, ones [1, S] (queries) by
    // the sequence's mask bias row [1, S] (keys) broadcast over the group's heads, so the Vector
    // engine adds nothing. Each group in flight copies its row (partition 0 of the sequence's
    // [S, S] bias) into the matmul dtype on the side engine (-10000 rounds to -9984 in bf16, still
    // exp() = 0); one row of ones serves them all.
    const uint64_t mask_rows =
        ctx.sbuf().alloc(uint64_t(sets + 1) * S * esize, "attention mask rows and ones");
    const auto mask_row = [&](uint32_t slot) {
        return isa::sbuf(0, 1, mask_rows + uint64_t(slot) * S * esize, dt, {S});
    };
    const auto ones_row = mask_row(sets);
    b.memset(ones_row, 1.0);
    struct Group {
        uint32_t seq, head0, heads;
    };
    const auto at = [&](uint32_t i) {
        const uint32_t h0 = i % groups_per_seq * group;
        return Group{i / groups_per_seq, h0, std::min(group, shape.heads - h0)};
    };
    const auto head_tile = [&](uint32_t h) { return h * hd / kCompilerPartitions; };
    const auto head_p0 = [&](uint32_t h) { return h * hd % kCompilerPartitions; };
    const auto probs = [&](uint32_t i, uint32_t n) {
        return isa::sbuf(0, S, probs_at[i % sets], dt, {n * S});
    };
    const auto softmax = [&](uint32_t i) {
        const Group g = at(i);
        const auto scores = isa::psum(0, S, ctx.next_psum_bank(), DType::float32, {g.heads * S});
        auto mask = mask_row(i % sets);
        b.tensor_copy(mask,
                      isa::sbuf(0, 1, mask_offset + uint64_t(g.seq) * S * 4, DType::float32, {S}))
            .engine(side);
        mask.dims = {{0, g.heads}, {1, S}};
        b.nc_matmul(scores, ones_row, mask);
        for (uint32_t j = 0; j < g.heads; ++j) {
            const uint32_t h = g.head0 + j;
            b.nc_matmul(columns(scores, j * S, S), q.ap(head_tile(h), g.seq * S, S, head_p0(h), hd),
                        k.ap(head_tile(h), g.seq * S, S, head_p0(h), hd))
                .arg("accumulate", true);
        }
        softmax_rows(ctx, scores, g.heads, probs(i, g.heads), scratch[i % sets]);
    };
    const auto transposes = [&](uint32_t i) {
        const Group g = at(i);
        // P^T replaces P in its tile: the transposes have read P before their eviction writes.
        const auto probs_t = probs(i, g.heads);
        const auto transposed = isa::psum(0, S, ctx.next_psum_bank(), dt, {g.heads * S});
        for (uint32_t j = 0; j < g.heads; ++j)
            b.nc_transpose(columns(transposed, j * S, S), columns(probs(i, g.heads), j * S, S));
        b.tensor_copy(probs_t, transposed);
    };
    const auto products = [&](uint32_t i) {
        const Group g = at(i);
        const auto probs_t = probs(i, g.heads);
        // Each head's product takes the head's own hd features of V as the stationary operand and
        // lands on the head's partitions of its tile, so the heads of a tile share one PSUM tile
        // (the group's in one bank) and one eviction with the value bias.
        const uint64_t bank = ctx.next_psum_bank();
        const uint32_t tile0 = head_tile(g.head0);
        const auto acc = [&](uint32_t tile, uint32_t p0, uint32_t rows) {
            return isa::psum(p0, rows, bank + uint64_t(tile - tile0) * S * 4, DType::float32, {S});
        };
        uint32_t first = head_p0(g.head0);  // partition of the tile's first head in the group
        for (uint32_t j = 0; j < g.heads; ++j) {
            const uint32_t h = g.head0 + j, tile = head_tile(h), p0 = head_p0(h);
            const auto v_head = isa::sbuf(
                0, S, v_offset + g.seq * v_seq_bytes + uint64_t(h) * hd * esize, dt, {hd});
            b.nc_matmul(acc(tile, p0, hd), v_head, columns(probs_t, j * S, S));
            if (j + 1 < g.heads && head_tile(h + 1) == tile) continue;
            const uint32_t rows = p0 + hd - first;
            b.activation(out.ap(tile, g.seq * S, S, first, rows), isa::ActFunc::copy,
                         acc(tile, first, rows))
                .arg("bias", bv.ap(tile, first, rows));
            first = 0;
        }
    };
    if (values_of) values_of(0);
    for (uint32_t i = 0; i < count + kAhead; ++i) {
        if (i < count) softmax(i);
        if (i >= kAhead) transposes(i - kAhead);
        if (values_of && i < count && at(i).head0 == 0 && at(i).seq + 1 < shape.seqs)
            values_of(at(i).seq + 1);
        if (between)
            between(i + 1 < count ? at(i + 1).seq : shape.seqs,
                    i < kAhead ? 0 : (i - kAhead) / groups_per_seq);
        if (i >= kAhead) products(i - kAhead);
    }
    ctx.sbuf().release(mark);
}

}  // namespace nsim::compiler
