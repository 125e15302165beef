// Semantics of the instructions that move data across partitions: nc_matmul and nc_transpose
// (Tensor Engine, or Vector for small transposes), nc_stream_shuffle (Vector), as their pages say
// [src:nki-isa].
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <variant>

#include "sim/semantics/matmul_kernel.h"
#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim::ops {

using isa::AccessPattern;

namespace {

// sum_k fp32(a[k][i]) * fp32(b[k][j]) inside the PE array. The summation order is
// undocumented; we fix it as sequential in ascending k starting from s = +0. Each product is
// rounded to fp32 before the add (exact for inputs of at most 16 bits; the internal product
// precision of fp32/tf32 inputs is undocumented); the build disables FMA contraction
// (-ffp-contract=off). `a` and `b` hold their columns contiguously (K values each), so the loop
// walks memory in order.
float column_dot(const float* a, const float* b, uint32_t k_size) {
    float s = 0.0f;
    for (uint32_t k = 0; k < k_size; ++k) {
        const float product = a[k] * b[k];
        s = s + product;
    }
    return s;
}

// The identity matrix the Tensor Engine multiplies by for a v2 transpose, as a [P, P] tile.
Tile identity(uint32_t n) {
    Tile t{n, n, std::vector<float>(size_t(n) * n, 0.0f)};
    for (uint32_t i = 0; i < n; ++i) t.at(i, i) = 1.0f;
    return t;
}

// out[f][p] = in[p][f] for a partition-major P x F buffer (flattened free index).
template <class T>
std::vector<T> transposed(const std::vector<T>& in, uint32_t partitions, uint64_t free) {
    std::vector<T> out(in.size());
    for (uint32_t p = 0; p < partitions; ++p)
        for (uint64_t f = 0; f < free; ++f) out[f * partitions + p] = in[p * free + f];
    return out;
}

}  // namespace

// dst[m][n] = s(m, n) (overwrite) or fp32(dst[m][n]) + s(m, n) (accumulate = true:
// PSUM near-memory read-add-write), rounded into dst's dtype (fp32 on v2/v3: exact). An absent
// `accumulate` overwrites (the compiler's "first write overwrites" choice is made before us).
// dst has M = stationary's free size partitions and N = moving's flattened free size per partition.
void nc_matmul(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const Tile stationary = read_tile(c.state, *c.inst.ap("stationary"));
    const Tile moving = read_tile(c.state, *c.inst.ap("moving"));
    const bool* flag = std::get_if<bool>(&c.inst.arg("accumulate"));
    const bool accumulate = flag && *flag;

    Tile out = accumulate ? read_tile(c.state, dst)
                          : Tile{dst.num_partitions, dst.free_size(),
                                 std::vector<float>(dst.num_elements())};
    matmul_sums({stationary.values.data(), stationary.free, moving.values.data(), moving.free,
                 stationary.partitions, out.partitions, out.free, out.values.data()},
                accumulate);
    write_tile(c.state, dst, out, c.inst.rounding);
}

// dst[f][p] = data[p][f] on the flattened free index.
// - Tensor Engine on v1/v2: a matmul of `data` (stationary) with an identity (moving), i.e.
//   out[f][p] = sum_k data[k][f] * I[k][p] in fp32 with nc_matmul's order, so NaN/Inf in data[k][f]
//   spread over the whole output row f (0 * inf = NaN) and -0 becomes +0.
// - Tensor Engine from v3 (transpose mode) and the Vector Engine: a bit-exact copy when the dtypes
//   match; otherwise through fp32, rounded into dst's dtype. (The v3 quirk of fp8 input giving
//   16-bit PSUM elements with a zero upper byte is not modelled: dst's declared dtype decides.)
void nc_transpose(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const AccessPattern& data = *c.inst.ap("data");
    const bool arithmetic = c.inst.engine == isa::Engine::tensor && c.gen <= isa::Generation::v2;

    if (!arithmetic && dst.dtype == data.dtype) {
        const RawTile in = read_raw(c.state, data);
        const RawTile out{uint32_t(in.free), in.partitions,
                          transposed(in.bits, in.partitions, in.free)};
        write_raw(c.state, dst, out);
        return;
    }
    const Tile in = read_tile(c.state, data);
    Tile out{uint32_t(in.free), in.partitions, {}};
    if (arithmetic) {
        // column_dot(column f, I's column p) adds data[k][f] * 0 = +-0 for k != p, which leaves
        // the sum from +0 as it is, and data[p][f] * 1 at k = p: the sum is +0 + data[p][f]
        // exactly (-0 becomes +0). A column holding an inf or a NaN (0 * inf = NaN) takes
        // column_dot itself.
        const Tile eye = identity(in.partitions);  // symmetric: its columns are its rows
        const auto columns = transposed(in.values, in.partitions, in.free);
        out.values.resize(in.values.size());
        for (uint64_t f = 0; f < in.free; ++f) {
            const float* column = &columns[f * in.partitions];
            const bool finite = std::all_of(column, column + in.partitions,
                                            [](float v) { return std::isfinite(v); });
            for (uint32_t p = 0; p < in.partitions; ++p)
                out.at(uint32_t(f), p) =
                    finite ? 0.0f + column[p]
                           : column_dot(column, &eye.values[p * in.partitions], in.partitions);
        }
    } else {
        out.values = transposed(in.values, in.partitions, in.free);
    }
    write_tile(c.state, dst, out, c.inst.rounding);
}

// For each quadrant q and lane i with 32q + i < P_dst and shuffle_mask[i] != 255: partition
// 32q + i of dst = partition 32q + shuffle_mask[i] of src, raw bits (equal dtypes); the other
// partitions of dst are not written. The whole of src is read first, so dst may be src
// [src:nki-isa, nc_stream_shuffle].
void nc_stream_shuffle(Context& c) {
    constexpr uint32_t kLanes = 32;
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& src = ap_operand(c.inst, "src");
    const auto& mask = isa::value<std::vector<int64_t>>(c.inst.arg("shuffle_mask"));
    if (mask.size() != kLanes || src.free_size() != dst.free_size())
        operand_error(c.inst, "expected 32 mask entries and src of dst's free size");
    const RawTile in = read_raw(c.state, src);
    for (uint32_t r = 0; r < dst.num_partitions; ++r) {
        const int64_t m = mask[r % kLanes];
        if (m == 255) continue;
        const uint64_t from = uint64_t(r - r % kLanes) + uint64_t(m);
        if (m < 0 || m >= int64_t(kLanes) || from >= in.partitions)
            operand_error(
                c.inst, "shuffle_mask entry " + std::to_string(r % kLanes) + " reads outside src");
        AccessPattern row = dst;
        row.start_partition = dst.start_partition + r;
        row.num_partitions = 1;
        write_raw(c.state, row,
                  RawTile{1, in.free,
                          std::vector<uint32_t>(in.bits.begin() + from * in.free,
                                                in.bits.begin() + (from + 1) * in.free)});
    }
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> tensor_semantics() {
    using isa::Opcode;
    return {{Opcode::nc_matmul, ops::nc_matmul},
            {Opcode::nc_transpose, ops::nc_transpose},
            {Opcode::nc_stream_shuffle, ops::nc_stream_shuffle}};
}

}  // namespace nsim::sim
