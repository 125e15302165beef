#include "sim/timing/cost_rules.h"

#include <algorithm>
#include <cstdlib>

namespace nsim::sim {

using isa::AccessPattern;
using isa::DType;
using isa::Instruction;
using isa::MemSpace;

bool is_16bit_float(DType t) { return t == DType::bfloat16 || t == DType::float16; }

uint64_t free_size(const AccessPattern* ap) { return ap ? ap->free_size() : 0; }

// Innermost step in bytes, as the v2 access rule counts it (a single element has no stride).
bool unit_inner_stride(const AccessPattern& ap) {
    return ap.dims.empty() || ap.dims.back().num <= 1 || ap.dims.back().step == 1;
}

namespace {

bool strided_beyond_limit(const AccessPattern& ap, const CoreTiming& t) {
    if (ap.dims.empty() || ap.dims.back().num <= 1) return false;
    const int64_t bytes = int64_t(ap.dims.back().step) * isa::dtype_size(ap.dtype);
    return std::abs(bytes) > int64_t(t.strided_access_limit_bytes);
}

}  // namespace

uint64_t stream_elements(const Instruction& inst, uint64_t n, const CoreTiming& t) {
    for (const auto& a : inst.args)
        if (const auto* ap = isa::pattern_of(a))
            if (ap->space != MemSpace::hbm && strided_beyond_limit(*ap, t))
                return n * t.strided_access_factor;
    return n;
}

uint64_t operand_elements(const Instruction& inst, const char* operand, const CoreTiming& t) {
    return stream_elements(inst, free_size(inst.ap(operand)), t);
}

uint64_t floor_min_ii(uint64_t cycles, const CoreTiming& t) {
    return std::max<uint64_t>(t.min_ii_cycles, cycles);
}

bool all_in(const std::initializer_list<const AccessPattern*>& aps, MemSpace s) {
    return std::all_of(aps.begin(), aps.end(),
                       [&](const AccessPattern* a) { return a && a->space == s; });
}

uint64_t vector_perf_mode(uint64_t cycles, const AccessPattern* in, const AccessPattern* out,
                          const CoreTiming& t) {
    if (t.vector_perf_mode_factor <= 1 || !in || !out) return cycles;
    if (!is_16bit_float(in->dtype) || !is_16bit_float(out->dtype)) return cycles;
    const bool full =
        all_in({in, out}, MemSpace::sbuf) && unit_inner_stride(*in) && unit_inner_stride(*out);
    const uint64_t factor =
        full ? t.vector_perf_mode_factor : std::max<uint32_t>(1, t.vector_perf_mode_factor / 2);
    return std::max<uint64_t>(1, cycles / factor);
}

uint64_t two_input_cycles(const AccessPattern* a, const AccessPattern* b, uint64_t n) {
    if (a && b && a->space != b->space) return n;
    return 2 * n;
}

InstructionCost cycles_cost(uint64_t cycles) {
    InstructionCost c;
    c.cycles = cycles;
    return c;
}

}  // namespace nsim::sim
