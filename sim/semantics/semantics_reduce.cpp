// Semantics of the reductions and statistics [src:nki-isa]: tensor_reduce, tensor_partition_reduce
// (across partitions), bn_stats and bn_aggr. All arithmetic is fp32 in a fixed sequential order
// (documented per op), so results are reproducible bit for bit.
#include <string>
#include <vector>

#include "sim/semantics/alu.h"
#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim::ops {

using isa::AccessPattern;
using isa::AluClass;
using isa::AluOp;

namespace {

// Throws unless dst has data's partitions and `free` elements in each.
void check_dst(const isa::Instruction& inst, const AccessPattern& dst, const AccessPattern& data,
               uint64_t free) {
    if (dst.num_partitions != data.num_partitions || dst.free_size() != free)
        operand_error(inst, "dst must be [" + std::to_string(data.num_partitions) + "," +
                                std::to_string(free) + "], is [" +
                                std::to_string(dst.num_partitions) + "," +
                                std::to_string(dst.free_size()) + "]");
}

// count, mean and M2 of the elements f = first, first+2, ... < n of row `x` (bn_stats), fp32:
//   sum = ((x0 + x2) + x4) + ...;  mean = sum / count;  M2 = ((d0*d0) + d2*d2) + ...,  d = x -
//   mean.
// An empty half (a row of one element has no odd elements) gives count 0, mean 0, M2 0.
void half_stats(const float* x, uint64_t n, uint64_t first, float* out) {
    out[0] = out[1] = out[2] = 0.0f;
    if (first >= n) return;
    float count = 0.0f, sum = 0.0f;
    for (uint64_t f = first; f < n; f += 2) {
        sum += x[f];
        count += 1.0f;
    }
    const float mean = sum / count;
    float m2 = 0.0f;
    for (uint64_t f = first; f < n; f += 2) {
        const float d = x[f] - mean;
        m2 += d * d;
    }
    out[0] = count;
    out[1] = mean;
    out[2] = m2;
}

}  // namespace

// out[p][k] = fold(op) over the free dims from `axis` (tile dim, partition = 0) to the last,
// k over the kept leading dims. The fold runs left to right in row-major order starting from the
// first element: r = x0; r = op(r, x1); ... (so `subtract` is x0 - x1 - x2 - ...). Logical ops
// start from (x0 != 0) so that the result is always 0 or 1, as op(identity, x0) would give.
// Bit-vector ops fold the raw bits (alu_bits) and are copied raw into a dst of the same dtype (else
// converted through fp32); negate applies to every fp32 operator (arithmetic and logical) and is
// ignored for bit-vector ones, whose result is raw bits.
void tensor_reduce(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& data = ap_operand(c.inst, "data");
    const auto op = AluOp(std::get<int64_t>(c.inst.arg("op")));
    std::vector<uint64_t> shape = data.free_shape();
    if (shape.empty()) shape = {1};
    const int64_t axis = std::get<int64_t>(c.inst.arg("axis"));
    if (axis < 1 || axis > int64_t(shape.size()))
        operand_error(c.inst, "axis " + std::to_string(axis) +
                                  " is not a free dimension of data (1.." +
                                  std::to_string(shape.size()) + ")");
    if (data.free_size() == 0) operand_error(c.inst, "data has no elements");
    uint64_t kept = 1;
    for (int64_t d = 0; d < axis - 1; ++d) kept *= shape[size_t(d)];
    const uint64_t reduced = data.free_size() / kept;
    check_dst(c.inst, dst, data, kept);
    const auto cls = isa::alu_op_info(op).cls;

    if (cls == AluClass::bitvec) {
        const RawTile in = read_raw(c.state, data);
        RawTile out{dst.num_partitions, kept, std::vector<uint32_t>(dst.num_elements())};
        for (uint64_t row = 0; row < out.bits.size(); ++row) {
            const uint32_t* x = &in.bits[row * reduced];
            uint32_t r = x[0];
            for (uint64_t j = 1; j < reduced; ++j) r = alu_bits(op, r, x[j], data.dtype);
            out.bits[row] = r;
        }
        if (dst.dtype == data.dtype) return write_raw(c.state, dst, out);
        Tile t{out.partitions, out.free, std::vector<float>(out.bits.size())};
        for (size_t i = 0; i < t.values.size(); ++i)
            t.values[i] = isa::decode(data.dtype, out.bits[i]);
        return write_tile(c.state, dst, t, c.inst.rounding);
    }

    const Tile in = read_tile(c.state, data);
    const bool negate = flag_operand(c.inst, "negate");
    Tile out{dst.num_partitions, kept, std::vector<float>(dst.num_elements())};
    with_alu(op, [&](auto fn) {
        for (uint64_t row = 0; row < out.values.size(); ++row) {
            const float* x = &in.values[row * reduced];
            float r = cls == AluClass::logical ? (x[0] != 0.0f ? 1.0f : 0.0f) : x[0];
            for (uint64_t j = 1; j < reduced; ++j) r = fn(r, x[j]);
            out.values[row] = negate ? -r : r;
        }
    });
    write_tile(c.state, dst, out, c.inst.rounding);
}

// dst[0][f] = fold(op) of data[0][f], data[1][f], ... left to right from data[0][f], in fp32 for
// add and maximum, on the raw bits of data's dtype for bitwise_or and bitwise_and (copied raw into
// a dst of the same dtype, else converted through fp32) [src:nki-isa, tensor_partition_reduce].
void tensor_partition_reduce(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& data = ap_operand(c.inst, "data");
    const auto op = AluOp(std::get<int64_t>(c.inst.arg("op")));
    const uint64_t free = data.free_size();
    if (dst.num_partitions != 1 || dst.free_size() != free)
        operand_error(c.inst, "dst must be [1," + std::to_string(free) + "]");
    if (isa::alu_op_info(op).cls == AluClass::bitvec) {
        const RawTile in = read_raw(c.state, data);
        RawTile out{1, free, std::vector<uint32_t>(in.bits.begin(), in.bits.begin() + free)};
        for (uint32_t p = 1; p < in.partitions; ++p)
            for (uint64_t f = 0; f < free; ++f)
                out.bits[f] = alu_bits(op, out.bits[f], in.bits[p * free + f], data.dtype);
        if (dst.dtype == data.dtype) return write_raw(c.state, dst, out);
        Tile t{1, free, std::vector<float>(free)};
        for (uint64_t f = 0; f < free; ++f) t.values[f] = isa::decode(data.dtype, out.bits[f]);
        return write_tile(c.state, dst, t, c.inst.rounding);
    }
    const Tile in = read_tile(c.state, data);
    Tile out{1, free, std::vector<float>(in.values.begin(), in.values.begin() + free)};
    with_alu(op, [&](auto fn) {
        for (uint32_t p = 1; p < in.partitions; ++p)
            for (uint64_t f = 0; f < free; ++f) out.values[f] = fn(out.values[f], in.at(p, f));
    });
    write_tile(c.state, dst, out, c.inst.rounding);
}

// dst[p] = [count, mean, M2] of the even-indexed then of the odd-indexed elements of the
// flattened row (algorithm at half_stats), converted into dst's dtype.
void bn_stats(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& data = ap_operand(c.inst, "data");
    check_dst(c.inst, dst, data, 6);
    const Tile in = read_tile(c.state, data);
    Tile out{dst.num_partitions, 6, std::vector<float>(dst.num_elements())};
    for (uint32_t p = 0; p < in.partitions; ++p) {
        const float* x = &in.values[p * in.free];
        half_stats(x, in.free, 0, &out.at(p, 0));
        half_stats(x, in.free, 1, &out.at(p, 3));
    }
    write_tile(c.state, dst, out, c.inst.rounding);
}

// Merges the k tuples (n_i, mu_i, M2_i) of each row into [mean, population variance], fp32,
// tuples in order, those with n_i == 0 skipped (their mean and M2 are ignored):
//   n = ((n_0 + n_1) + ...);  mu = ((n_0*mu_0) + n_1*mu_1 + ...) / n;
//   var = (((M2_0 + (n_0*d_0)*d_0) + (M2_1 + (n_1*d_1)*d_1)) + ...) / n,  d_i = mu_i - mu.
// A row whose total count is 0 gives mean 0 and variance 0.
void bn_aggr(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& data = ap_operand(c.inst, "data");
    check_dst(c.inst, dst, data, 2);
    if (data.free_size() % 3 != 0)
        operand_error(c.inst, "data has " + std::to_string(data.free_size()) +
                                  " elements per partition, not a multiple of 3");
    const Tile in = read_tile(c.state, data);
    const uint64_t k = in.free / 3;
    Tile out{dst.num_partitions, 2, std::vector<float>(dst.num_elements())};
    for (uint32_t p = 0; p < in.partitions; ++p) {
        const float* t = &in.values[p * in.free];
        float n = 0.0f, weighted = 0.0f;
        for (uint64_t i = 0; i < k; ++i)
            if (t[3 * i] != 0.0f) {
                n += t[3 * i];
                weighted += t[3 * i] * t[3 * i + 1];
            }
        if (n == 0.0f) continue;  // out stays 0, 0
        const float mean = weighted / n;
        float m2 = 0.0f;
        for (uint64_t i = 0; i < k; ++i)
            if (t[3 * i] != 0.0f) {
                const float d = t[3 * i + 1] - mean;
                m2 += t[3 * i + 2] + (t[3 * i] * d) * d;
            }
        out.at(p, 0) = mean;
        out.at(p, 1) = m2 / n;
    }
    write_tile(c.state, dst, out, c.inst.rounding);
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> reduce_semantics() {
    using isa::Opcode;
    return {{Opcode::tensor_reduce, ops::tensor_reduce},
            {Opcode::tensor_partition_reduce, ops::tensor_partition_reduce},
            {Opcode::bn_stats, ops::bn_stats},
            {Opcode::bn_aggr, ops::bn_aggr}};
}

}  // namespace nsim::sim
