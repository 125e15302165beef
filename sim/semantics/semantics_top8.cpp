// Semantics of the top-8 instructions of the Vector engine [src:nki-isa]: max8, nc_find_index8
// and nc_match_replace8, which kernels chain to find the k largest values of a row and where they
// are. Values are compared in fp32.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim::ops {

using isa::AccessPattern;
using isa::DType;

namespace {

constexpr uint64_t kEight = 8;

// The order of max8: by value, a NaN above every number [policy: the sources do not rank NaN].
bool ranks_above(float a, float b) {
    if (std::isnan(a)) return !std::isnan(b);
    return !std::isnan(b) && a > b;
}

// An index in dst's integer dtype: all ones of its width when absent (`found` false).
uint32_t index_bits(uint64_t index, bool found, DType t) {
    const uint32_t all_ones = t == DType::uint16 ? 0xffffu : 0xffffffffu;
    return found ? uint32_t(index) & all_ones : all_ones;
}

// Throws unless `ap` has `partitions` partitions of 8 elements.
void check_eight(const isa::Instruction& inst, const AccessPattern& ap, uint32_t partitions) {
    if (ap.num_partitions != partitions || ap.free_size() != kEight)
        operand_error(inst, "8 values per partition of data expected");
}

}  // namespace

// dst[p] = the 8 largest fp32 values of src[p] in descending order (a value occurring several
// times among them appears as often), converted into dst's dtype.
void max8(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const Tile src = read_tile(c.state, ap_operand(c.inst, "src"));
    check_eight(c.inst, dst, src.partitions);
    if (src.free < kEight) operand_error(c.inst, "src has fewer than 8 elements per partition");
    Tile out{src.partitions, kEight, std::vector<float>(src.partitions * kEight)};
    for (uint32_t p = 0; p < src.partitions; ++p) {
        std::vector<float> row(src.values.begin() + p * src.free,
                               src.values.begin() + (p + 1) * src.free);
        std::partial_sort(row.begin(), row.begin() + kEight, row.end(), ranks_above);
        std::copy(row.begin(), row.begin() + kEight, out.values.begin() + p * kEight);
    }
    write_tile(c.state, dst, out, c.inst.rounding);
}

// dst[p][j] = the flattened index of the first element of data[p] equal (fp32 ==) to vals[p][j];
// the k-th repeat of a value in vals takes its k-th match, ascending; no match: all ones of dst's
// width (the current API's documented value).
void nc_find_index8(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const Tile data = read_tile(c.state, ap_operand(c.inst, "data"));
    const Tile vals = read_tile(c.state, ap_operand(c.inst, "vals"));
    check_eight(c.inst, dst, data.partitions);
    check_eight(c.inst, ap_operand(c.inst, "vals"), data.partitions);
    RawTile out{data.partitions, kEight, std::vector<uint32_t>(data.partitions * kEight)};
    for (uint32_t p = 0; p < data.partitions; ++p)
        for (uint64_t j = 0; j < kEight; ++j) {
            const float v = vals.at(p, j);
            uint64_t skip = 0;  // earlier entries of vals with this value
            for (uint64_t k = 0; k < j; ++k) skip += vals.at(p, k) == v;
            uint64_t i = 0;
            for (; i < data.free; ++i)
                if (data.at(p, i) == v && skip-- == 0) break;
            out.bits[p * kEight + j] = index_bits(i, i < data.free, dst.dtype);
        }
    write_raw(c.state, dst, out);
}

// For j = 7 down to 0: the first element of data[p] equal (fp32 ==) to vals[p][j] and not yet
// replaced becomes imm, and dst_idx[p][j] its flattened index. A value with no such element
// replaces nothing and gets index all ones [policy: undefined in the sources, as
// nc_find_index8's absent value]. dst = the result converted into its dtype.
void nc_match_replace8(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    Tile work = read_tile(c.state, ap_operand(c.inst, "data"));
    const Tile vals = read_tile(c.state, ap_operand(c.inst, "vals"));
    check_eight(c.inst, ap_operand(c.inst, "vals"), work.partitions);
    if (dst.num_partitions != work.partitions || dst.free_size() != work.free)
        operand_error(c.inst, "dst must have data's shape");
    const auto imm = float(std::get<double>(c.inst.arg("imm")));
    const AccessPattern* dst_idx = c.inst.ap("dst_idx");
    if (dst_idx) check_eight(c.inst, *dst_idx, work.partitions);
    RawTile idx{work.partitions, kEight, std::vector<uint32_t>(work.partitions * kEight)};
    std::vector<char> replaced(work.free);
    for (uint32_t p = 0; p < work.partitions; ++p) {
        std::fill(replaced.begin(), replaced.end(), 0);
        for (uint64_t j = kEight; j-- > 0;) {
            uint64_t i = 0;
            while (i < work.free && (replaced[i] || work.at(p, i) != vals.at(p, j))) ++i;
            const bool found = i < work.free;
            if (found) {
                work.at(p, i) = imm;
                replaced[i] = 1;
            }
            idx.bits[p * kEight + j] =
                index_bits(i, found, dst_idx ? dst_idx->dtype : DType::uint32);
        }
    }
    write_tile(c.state, dst, work, c.inst.rounding);
    if (dst_idx) write_raw(c.state, *dst_idx, idx);
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> top8_semantics() {
    using isa::Opcode;
    return {{Opcode::max8, ops::max8},
            {Opcode::nc_find_index8, ops::nc_find_index8},
            {Opcode::nc_match_replace8, ops::nc_match_replace8}};
}

}  // namespace nsim::sim
