// GpSimd custom operators: the registry, nsim's example operators, and the custom_op semantics.
//
// Adding an operator: build a registry (builtin_custom_ops() or an empty CustomOpRegistry) and call
//   registry.add("my_op", {"one-line summary",
//                          [](CustomOpCall& call) { /* read call.srcs / call.imms, fill call.dst */
//                          },
//                          [](const isa::Instruction& inst) -> uint64_t { return /* GpSimd cycles
//                          */; }});
// then pass the registry to the simulation; a kernel calls it as `custom_op name=my_op dst=...
// src0=...`. compute() receives fp32 values (sources decoded, dst pre-loaded with its current
// contents) and must leave call.dst with dst's shape; nsim rounds it into dst's dtype with the
// instruction's rounding mode. Throw SimError from compute() for operands the operator cannot
// handle. Adding a name that exists replaces that operator (so a user may override a builtin).
#include "sim/semantics/custom_ops.h"

#include <cmath>
#include <string>
#include <utility>

#include "isa/error.h"
#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim {

void CustomOpRegistry::add(const std::string& name, CustomOp op) { m_ops[name] = std::move(op); }

const CustomOp* CustomOpRegistry::find(const std::string& name) const {
    const auto it = m_ops.find(name);
    return it == m_ops.end() ? nullptr : &it->second;
}

std::vector<std::string> CustomOpRegistry::names() const {
    std::vector<std::string> n;
    for (const auto& [name, op] : m_ops) n.push_back(name);
    return n;
}

namespace {

// src0 of a one-source operator, which must have dst's [P, F].
const Tile& source0(const CustomOpCall& call, const char* op_name) {
    if (call.srcs.empty()) throw SimError(std::string("custom_op ") + op_name + ": needs src0");
    const Tile& s = call.srcs[0];
    if (s.partitions != call.dst.partitions || s.free != call.dst.free)
        throw SimError(std::string("custom_op ") + op_name + ": src0 must have dst's shape");
    return s;
}

// A cost of `base + per_element * N` GpSimd cycles, N = elements per partition of dst.
std::function<uint64_t(const isa::Instruction&)> linear_cost(uint64_t base, uint64_t per_element) {
    return [base, per_element](const isa::Instruction& inst) {
        const isa::AccessPattern* dst = inst.ap("dst");
        return base + per_element * (dst ? dst->free_size() : 0);
    };
}

// An element-wise operator on src0: dst[p][f] = f(src0[p][f]).
template <class F>
std::function<void(CustomOpCall&)> elementwise(const char* op_name, F f) {
    return [op_name, f](CustomOpCall& call) {
        const Tile& s = source0(call, op_name);
        for (size_t i = 0; i < s.values.size(); ++i) call.dst.values[i] = f(s.values[i]);
    };
}

}  // namespace

// GPSIMD_START (150 cycles [src:nki-isa-cost]) plus a per-element charge growing with the work.
CustomOpRegistry builtin_custom_ops() {
    CustomOpRegistry r;
    r.add("softsign", {"dst = src0 / (1 + |src0|), fp32",
                       elementwise("softsign", [](float x) { return x / (1.0f + std::fabs(x)); }),
                       linear_cost(150, 2)});
    r.add("cumsum", {"dst[p][f] = src0[p][0] + ... + src0[p][f] (inclusive, flattened free axis, "
                     "fp32 left to right)",
                     [](CustomOpCall& call) {
                         const Tile& s = source0(call, "cumsum");
                         for (uint32_t p = 0; p < s.partitions; ++p) {
                             float sum = 0.0f;
                             for (uint64_t f = 0; f < s.free; ++f)
                                 call.dst.at(p, f) = sum += s.at(p, f);
                         }
                     },
                     linear_cost(150, 4)});
    r.add("clip", {"dst = min(max(src0, imm0), imm1); NaN stays NaN",
                   [](CustomOpCall& call) {
                       if (!call.imms[0] || !call.imms[1])
                           throw SimError("custom_op clip: needs imm0 (low) and imm1 (high)");
                       const float lo = *call.imms[0], hi = *call.imms[1];
                       elementwise("clip", [lo, hi](float x) {
                           return x < lo ? lo : (x > hi ? hi : x);
                       })(call);
                   },
                   linear_cost(150, 1)});
    return r;
}

namespace ops {

// Calls the operator registered under `name` on the given sources and immediates; dst is pre-read,
// and written back whole with inst.rounding. Unknown name: SimError listing the registered ones.
void custom_op(Context& c) {
    const auto& name = isa::value<std::string>(c.inst.arg("name"));
    const CustomOp* op = c.custom_ops.find(name);
    if (!op) {
        std::string known;
        for (const auto& n : c.custom_ops.names()) known += (known.empty() ? "" : ", ") + n;
        throw SimError("custom_op: no operator named '" + name +
                       "' is registered (registered: " + (known.empty() ? "none" : known) + ")");
    }
    const auto& dst = ap_operand(c.inst, "dst");
    CustomOpCall call;
    for (const char* src : {"src0", "src1", "src2", "src3"})
        if (const isa::AccessPattern* ap = c.inst.ap(src))
            call.srcs.push_back(read_tile(c.state, *ap));
    const char* imm_names[] = {"imm0", "imm1", "imm2", "imm3"};
    for (size_t i = 0; i < call.imms.size(); ++i)
        if (const double* v = std::get_if<double>(&c.inst.arg(imm_names[i])))
            call.imms[i] = float(*v);
    call.dst = read_tile(c.state, dst);
    op->compute(call);
    if (call.dst.partitions != dst.num_partitions || call.dst.free != dst.free_size() ||
        call.dst.values.size() != dst.num_elements())
        operand_error(c.inst, "operator '" + name + "' changed the shape of dst");
    write_tile(c.state, dst, call.dst, c.inst.rounding);
}

}  // namespace ops

std::vector<OpcodeSemantics> custom_semantics() {
    return {{isa::Opcode::custom_op, ops::custom_op}};
}

}  // namespace nsim::sim
