// The simulator tests' one set of helpers: a core fixture (CoreState + DeviceMemory + custom
// operators), instructions built from named operands, small streams programs, element access that
// writes and reads values or raw bits, seeded random fills, and bit-exact checks of a destination
// against a host-side reference.
//
// On-chip access patterns come from isa/kernel_builder.h (sbuf, psum, sbuf_pattern, psum_pattern);
// HBM rows from hbm() below.
//
// Independent reference: every helper here that writes or reads elements (put_bits, get_bits and
// everything built on them) computes element addresses with its own loops (element_addresses), not
// with AccessPattern::for_each_byte_offset or sim::read_tile/write_tile, so the tests do not check
// the simulator's walker with the walker itself.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/instruction.h"
#include "isa/kernel_builder.h"
#include "isa/program.h"
#include "isa/target.h"
#include "sim/semantics/core_state.h"
#include "sim/semantics/custom_ops.h"
#include "sim/semantics/semantics_ops.h"
#include "sim/system/run_kernel.h"

namespace nsim::test {

using namespace nsim::isa;
using nsim::sim::CoreState;
using nsim::sim::CustomOpRegistry;
using nsim::sim::DeviceMemory;
using nsim::sim::RawTile;
using nsim::sim::Tile;

// One core of generation `gen` with its own device memory and the builtin custom operators.
struct Core {
    explicit Core(Generation g = Generation::v2, uint64_t seed = 1)
        : gen(g), state(default_limits(g), hbm, seed) {}
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    // Declares and allocates a zero-filled HBM tensor.
    const TensorDecl& tensor(const std::string& name, std::vector<uint64_t> shape, DType dtype) {
        TensorDecl t;
        t.name = name;
        t.shape = std::move(shape);
        t.dtype = dtype;
        hbm.allocate({t});
        return hbm.decl(name);
    }

    // Runs one opcode function directly (execute() would need every opcode linked in).
    void run(void (*op)(sim::ops::Context&), const Instruction& inst) {
        sim::ops::Context c{inst, gen, state, registry};
        op(c);
    }

    Generation gen;
    DeviceMemory hbm;
    CoreState state;
    CustomOpRegistry registry = sim::builtin_custom_ops();
};

// Rows [first_row, first_row + count) of an HBM tensor; `dims` walk within a row (default: the
// whole row as one dim).
inline AccessPattern hbm(const TensorDecl& t, uint32_t first_row, uint32_t count,
                         std::vector<FreeDim> dims = {}, uint64_t byte_offset = 0) {
    AccessPattern ap = rows(whole_tensor(t), first_row, count);
    ap.dims = dims.empty()
                  ? std::vector<FreeDim>{{1, uint32_t(t.row_bytes() / dtype_size(t.dtype))}}
                  : std::move(dims);
    ap.byte_offset = byte_offset;
    return ap;
}

// An instruction with the named operands set (and semaphores, if any), on the opcode's default
// engine (see on()).
inline Instruction make(Opcode op, std::initializer_list<std::pair<const char*, ArgValue>> args,
                        std::initializer_list<SemWait> waits = {},
                        std::initializer_list<SemInc> incs = {}) {
    Instruction inst = Instruction::make(op);
    for (const auto& [name, value] : args) {
        const int i = arg_index(op, name);
        REQUIRE(i >= 0);
        inst.args[size_t(i)] = value;
    }
    inst.waits = waits;
    inst.incs = incs;
    return inst;
}

// Sets an optional operand when `v` holds one.
inline void set_arg(Instruction& i, const char* name, ArgValue v) {
    if (!std::holds_alternative<std::monostate>(v))
        i.args[size_t(arg_index(i.op, name))] = std::move(v);
}

inline ArgValue alu_arg(AluOp op) { return int64_t(op); }

inline Instruction on(Engine e, Instruction inst) {
    inst.engine = e;
    return inst;
}

// A streams-form program of `instructions` for generation `g`.
inline Program streams(std::vector<Instruction> instructions, Generation g = Generation::v2) {
    Program p;
    p.name = "test";
    p.target = g;
    p.form = ProgramForm::streams;
    p.instructions = std::move(instructions);
    return p;
}

inline uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

inline float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline uint32_t width_mask(DType t) {
    const unsigned w = 8 * dtype_size(t);
    return w >= 32 ? 0xffffffffu : (1u << w) - 1;
}

// Address of every element of `ap`, partition-major, last free dim fastest: an odometer over the
// index tuple, independent of AccessPattern::for_each_byte_offset (see the top of this file).
inline std::vector<uint8_t*> element_addresses(Core& core, const AccessPattern& ap) {
    CoreState& s = core.state;
    std::vector<uint8_t*> out;
    const size_t nd = ap.dims.size();
    for (uint32_t w = 0; w < ap.num_partitions; ++w) {
        const uint32_t part = ap.start_partition + w;
        uint8_t* base = ap.space == MemSpace::sbuf ? s.sbuf.at(part, 0)
                        : ap.space == MemSpace::psum
                            ? s.psum.at(part, 0)
                            : s.hbm.bytes(ap.tensor).data() + part * ap.partition_stride_bytes;
        std::vector<uint32_t> idx(nd, 0);
        while (true) {
            int64_t e = 0;
            for (size_t d = 0; d < nd; ++d) e += int64_t(idx[d]) * ap.dims[d].step;
            out.push_back(base + ap.byte_offset + e * int64_t(dtype_size(ap.dtype)));
            size_t d = nd;
            while (d > 0 && ++idx[d - 1] == ap.dims[d - 1].num) idx[--d] = 0;
            if (d == 0) break;
        }
    }
    return out;
}

// Raw element bits (low bits of each word), partition-major.
inline void put_bits(Core& core, const AccessPattern& ap, const std::vector<uint32_t>& bits) {
    const auto addr = element_addresses(core, ap);
    REQUIRE(addr.size() == bits.size());
    for (size_t i = 0; i < addr.size(); ++i) std::memcpy(addr[i], &bits[i], dtype_size(ap.dtype));
}
inline std::vector<uint32_t> get_bits(Core& core, const AccessPattern& ap) {
    const auto addr = element_addresses(core, ap);
    std::vector<uint32_t> bits(addr.size(), 0);
    for (size_t i = 0; i < addr.size(); ++i) std::memcpy(&bits[i], addr[i], dtype_size(ap.dtype));
    return bits;
}

// fp32 values encoded (RNE) into the operand's dtype / decoded from it.
inline void put_values(Core& core, const AccessPattern& ap, const std::vector<float>& v) {
    std::vector<uint32_t> bits(v.size());
    for (size_t i = 0; i < v.size(); ++i) bits[i] = encode(ap.dtype, v[i]);
    put_bits(core, ap, bits);
}
inline std::vector<float> get_values(Core& core, const AccessPattern& ap) {
    std::vector<float> v;
    for (uint32_t b : get_bits(core, ap)) v.push_back(decode(ap.dtype, b));
    return v;
}

// n values uniform in [lo, hi] (whole numbers for integer dtypes), rounded (RNE) into `t`: each
// exactly representable.
inline std::vector<float> random_values(std::mt19937& rng, size_t n, DType t, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = quantize(t, is_integer(t) ? std::nearbyint(u(rng)) : u(rng));
    return v;
}
// n uniformly random bit patterns of the width of `t` (any NaN payload, -0, ...).
inline std::vector<uint32_t> random_bits(std::mt19937& rng, size_t n, DType t) {
    std::vector<uint32_t> v(n);
    for (uint32_t& x : v) x = uint32_t(rng()) & width_mask(t);
    return v;
}

// Writes host values (quantized to the operand's dtype, RNE) and returns them as stored.
inline Tile put(Core& core, const AccessPattern& a, std::vector<float> values) {
    REQUIRE(values.size() == a.num_elements());
    for (float& v : values) v = quantize(a.dtype, v);
    put_values(core, a, values);
    return Tile{a.num_partitions, a.free_size(), std::move(values)};
}

// Random values (random_values) written into the operand, returned as stored.
inline Tile fill(Core& core, const AccessPattern& a, std::mt19937& rng, float lo, float hi) {
    return put(core, a, random_values(rng, a.num_elements(), a.dtype, lo, hi));
}

// Random bit patterns (random_bits) written raw into the operand, returned as stored.
inline RawTile fill_bits(Core& core, const AccessPattern& a, std::mt19937& rng) {
    RawTile t{a.num_partitions, a.free_size(), random_bits(rng, a.num_elements(), a.dtype)};
    put_bits(core, a, t.bits);
    return t;
}

// dst holds exactly the expected raw bits; reports the first mismatch.
inline void require_bits(Core& core, const AccessPattern& dst,
                         const std::vector<uint32_t>& expected) {
    const std::vector<uint32_t> got = get_bits(core, dst);
    REQUIRE(got.size() == expected.size());
    size_t mismatches = 0, first = 0;
    for (size_t i = 0; i < expected.size(); ++i)
        if (got[i] != expected[i] && mismatches++ == 0) first = i;
    if (mismatches) {
        INFO("element " << first << " (p " << first / dst.free_size() << ", f "
                        << first % dst.free_size() << "): got 0x" << std::hex << got[first]
                        << " expected 0x" << expected[first] << std::dec << "; " << mismatches
                        << " mismatches in " << dtype_name(dst.dtype));
        CHECK(mismatches == 0);
    }
}

// dst holds the fp32 reference values rounded (RNE) into its dtype, bit for bit.
inline void require_values(Core& core, const AccessPattern& dst, const std::vector<float>& ref) {
    std::vector<uint32_t> expected(ref.size());
    for (size_t i = 0; i < ref.size(); ++i) expected[i] = encode(dst.dtype, ref[i]);
    require_bits(core, dst, expected);
}

// Reference values (fp32 or raw bits) of a P x F destination computed by fn(p, f), partition-major.
template <class T = float, class Fn>
std::vector<T> reference(const AccessPattern& dst, Fn&& fn) {
    std::vector<T> out;
    for (uint32_t p = 0; p < dst.num_partitions; ++p)
        for (uint64_t f = 0; f < dst.free_size(); ++f) out.push_back(fn(p, f));
    return out;
}

}  // namespace nsim::test
