#include "sim/timing/cost_model.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>

namespace nsim::sim {

using isa::AccessPattern;
using isa::AluOp;
using isa::DType;
using isa::Engine;
using isa::Instruction;
using isa::MemSpace;
using isa::Opcode;

namespace {

bool is_16bit_float(DType t) { return t == DType::bfloat16 || t == DType::float16; }

uint64_t free_size(const AccessPattern* ap) { return ap ? ap->free_size() : 0; }

// Innermost step in bytes, as the v2 access rule counts it (a single element has no stride).
bool unit_inner_stride(const AccessPattern& ap) {
    return ap.dims.empty() || ap.dims.back().num <= 1 || ap.dims.back().step == 1;
}

bool strided_beyond_limit(const AccessPattern& ap, const CoreTiming& t) {
    if (ap.dims.empty() || ap.dims.back().num <= 1) return false;
    const int64_t bytes = int64_t(ap.dims.back().step) * isa::dtype_size(ap.dtype);
    return std::abs(bytes) > int64_t(t.strided_access_limit_bytes);
}

// N grows by the strided-access factor when any on-chip operand walks its innermost dim with a
// stride above the limit [src:nki-arch-v2, access pattern: half bandwidth].
uint64_t stream_elements(const Instruction& inst, uint64_t n, const CoreTiming& t) {
    for (const auto& a : inst.args)
        if (const auto* ap = std::get_if<AccessPattern>(&a))
            if (ap->space != MemSpace::hbm && strided_beyond_limit(*ap, t))
                return n * t.strided_access_factor;
    return n;
}

uint64_t floor_min_ii(uint64_t cycles, const CoreTiming& t) {
    return std::max<uint64_t>(t.min_ii_cycles, cycles);
}

bool all_in(const std::initializer_list<const AccessPattern*>& aps, MemSpace s) {
    return std::all_of(aps.begin(), aps.end(),
                       [&](const AccessPattern* a) { return a && a->space == s; });
}

// Vector perf mode (v3, [src:nki-arch-v3]): full speed-up when in and out are 16-bit floats in
// SBUF with a unit inner stride; half of it when only the types qualify.
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

// Two tile inputs: N when they come from different memories (separate SBUF and PSUM ports), else
// 2N.
uint64_t two_input_cycles(const AccessPattern* a, const AccessPattern* b, uint64_t n) {
    if (a && b && a->space != b->space) return n;
    return 2 * n;
}

InstructionCost matmul_cost(const Instruction& inst, const CoreTiming& t) {
    const auto* st = inst.ap("stationary");
    const auto* mv = inst.ap("moving");
    const uint64_t n_stat = free_size(st), n_mov = free_size(mv);
    const bool fp32 = (st && st->dtype == DType::float32) || (mv && mv->dtype == DType::float32);
    const uint64_t factor = fp32 ? t.fp32_matmul_factor : 1;
    InstructionCost c;
    c.cycles = factor * std::max<uint64_t>(std::min<uint64_t>(t.matmul_min_cycles, n_stat), n_mov);
    c.load_stationary_cycles =
        factor * ((n_stat + t.load_stationary_speedup - 1) / t.load_stationary_speedup);
    return c;
}

uint64_t tensor_tensor_cycles(const Instruction& inst, const CoreTiming& t) {
    const auto* d1 = inst.ap("data1");
    const auto* d2 = inst.ap("data2");
    const auto* dst = inst.ap("dst");
    const uint64_t n = stream_elements(inst, free_size(d1), t);
    const auto op = AluOp(std::get<int64_t>(inst.arg("op")));
    const bool split_memories = d1 && d2 && d1->space != d2->space;
    const bool fast_bf16 = all_in({d1, d2}, MemSpace::sbuf) && dst &&
                           d1->dtype == DType::bfloat16 && d2->dtype == DType::bfloat16 &&
                           dst->dtype == DType::bfloat16 &&
                           (op == AluOp::add || op == AluOp::multiply || op == AluOp::subtract) &&
                           unit_inner_stride(*d1) && unit_inner_stride(*d2);
    uint64_t cycles = floor_min_ii(split_memories || fast_bf16 ? n : 2 * n, t);
    if (t.vector_perf_mode_factor > 1 && all_in({d1, d2}, MemSpace::sbuf) &&
        is_16bit_float(d1->dtype) && is_16bit_float(d2->dtype))
        cycles =
            std::max<uint64_t>(1, cycles / 2);  // tensor_tensor 2x in bf16/fp16 [src:nki-arch-v3]
    return cycles;
}

}  // namespace

double engine_clock_ghz(Engine engine, const CoreTiming& t) {
    switch (engine) {
        case Engine::tensor:
            return t.tensor_clock_ghz;
        case Engine::vector:
            return t.vector_clock_ghz;
        case Engine::scalar:
            return t.scalar_clock_ghz;
        case Engine::gpsimd:
            return t.gpsimd_clock_ghz;
        case Engine::sync:
            return t.scalar_clock_ghz;  // a sequencer only; DMA triggers cost nothing here
    }
    return t.vector_clock_ghz;
}

InstructionCost instruction_cost(const Instruction& inst, const CoreTiming& t) {
    const auto n_of = [&](const char* operand) {
        return stream_elements(inst, free_size(inst.ap(operand)), t);
    };
    InstructionCost c;
    switch (inst.op) {
        case Opcode::nc_matmul:
            return matmul_cost(inst, t);
        case Opcode::nc_transpose: {
            const auto* data = inst.ap("data");
            if (inst.engine == Engine::tensor)  // max(P, min(64, F)) back to back
                c.cycles =
                    std::max<uint64_t>(data ? data->num_partitions : 0,
                                       std::min<uint64_t>(t.matmul_min_cycles, free_size(data)));
            else
                c.cycles = floor_min_ii(n_of("data"), t);
            break;
        }
        case Opcode::activation:
            c.cycles = floor_min_ii(n_of("data"), t) +
                       (inst.has("reduce_res") ? t.read_accumulator_cycles : 0);
            break;
        case Opcode::tensor_tensor:
            c.cycles = tensor_tensor_cycles(inst, t);
            break;
        case Opcode::tensor_scalar:
        case Opcode::tensor_copy: {
            const char* in = inst.op == Opcode::tensor_copy ? "src" : "data";
            c.cycles = floor_min_ii(n_of(in), t);
            if (inst.engine == Engine::vector)
                c.cycles = vector_perf_mode(c.cycles, inst.ap(in), inst.ap("dst"), t);
            break;
        }
        case Opcode::tensor_reduce: {
            const auto* data = inst.ap("data");
            const auto* dst = inst.ap("dst");
            const auto op = AluOp(std::get<int64_t>(inst.arg("op")));
            const bool halved = data && dst && data->dtype == DType::bfloat16 &&
                                dst->dtype == DType::bfloat16 &&
                                (op == AluOp::add || op == AluOp::maximum);
            const uint64_t n = n_of("data");
            c.cycles = floor_min_ii(halved ? n / 2 : n, t);
            break;
        }
        case Opcode::tensor_copy_predicated:
            c.cycles = floor_min_ii(
                two_input_cycles(inst.ap("src"), inst.ap("predicate"), n_of("dst")), t);
            if (!inst.ap("src"))
                c.cycles = floor_min_ii(n_of("dst"), t);  // immediate source: one input
            break;
        case Opcode::select_reduce:
            // ASSUMPTION: no published formula; costed like tensor_copy_predicated (two tile
            // inputs), plus the accumulator read-out when reduce_res is written.
            c.cycles =
                floor_min_ii(
                    two_input_cycles(inst.ap("on_true"), inst.ap("predicate"), n_of("dst")), t) +
                (inst.has("reduce_res") ? t.read_accumulator_cycles : 0);
            break;
        case Opcode::memset: {
            const auto* dst = inst.ap("dst");
            const bool zero16 =
                dst && is_16bit_float(dst->dtype) && std::get<double>(inst.arg("value")) == 0.0;
            const uint64_t n = n_of("dst");
            c.cycles = floor_min_ii(zero16 ? n / 2 : n, t);
            break;
        }
        case Opcode::iota:
        case Opcode::affine_select:
            c.cycles = t.gpsimd_start_cycles + n_of("dst");
            break;
        case Opcode::bn_stats:
            c.cycles = floor_min_ii(n_of("data"), t);
            break;
        case Opcode::bn_aggr:
            c.cycles = floor_min_ii(13 * n_of("data") / 3, t);
            break;
        case Opcode::reciprocal:
            c.cycles = floor_min_ii(uint64_t(t.reciprocal_factor) * n_of("data"), t);
            break;
        case Opcode::dma_copy:    // timed by the DMA model
        case Opcode::all_reduce:  // timed by the collective engine (sim/collective_engine.h)
        case Opcode::all_gather:
        case Opcode::reduce_scatter:
        case Opcode::send:
        case Opcode::recv:
        case Opcode::custom_op:
            break;
    }
    return c;
}

}  // namespace nsim::sim
