// Shared fixture of the semantics tests: a core's state, operand and instruction builders, seeded
// random fills written through write_tile/write_raw, and bit-exact checks of a destination against
// a host-side reference (fp32 values rounded into dst's dtype with isa::encode, or raw bits).
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <utility>
#include <vector>

#include "isa/instruction.h"
#include "sim/core_state.h"
#include "sim/semantics_ops.h"

namespace nsim::test {

using namespace nsim::isa;
using nsim::sim::CoreState;
using nsim::sim::RawTile;
using nsim::sim::Tile;

// One core of generation `gen` with its own device memory.
struct Core {
    explicit Core(Generation g = Generation::v2, uint64_t seed = 1)
        : gen(g), state(default_limits(g), hbm, seed) {}
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    Generation gen;
    sim::DeviceMemory hbm;
    CoreState state;
};

// Partitions [start, start + parts) of SBUF/PSUM with the free pattern `dims` from `offset` bytes.
inline AccessPattern ap(MemSpace space, DType t, uint32_t start, uint32_t parts, std::vector<FreeDim> dims,
                        uint64_t offset = 0) {
    AccessPattern a;
    a.space = space;
    a.dtype = t;
    a.start_partition = start;
    a.num_partitions = parts;
    a.dims = std::move(dims);
    a.byte_offset = offset;
    return a;
}

// An instruction with the named operands set, on the opcode's default engine (see on()).
inline Instruction make(Opcode op, std::initializer_list<std::pair<const char*, ArgValue>> args) {
    Instruction inst = Instruction::make(op);
    for (const auto& [name, value] : args) {
        const int i = arg_index(op, name);
        REQUIRE(i >= 0);
        inst.args[size_t(i)] = value;
    }
    return inst;
}

// Sets an optional operand when `v` holds one.
inline void set_arg(Instruction& i, const char* name, ArgValue v) {
    if (!std::holds_alternative<std::monostate>(v)) i.args[size_t(arg_index(i.op, name))] = std::move(v);
}

inline Instruction on(Engine e, Instruction inst) {
    inst.engine = e;
    return inst;
}

// Runs one opcode function directly (execute() would need every opcode linked in).
inline void run(void (*op)(sim::ops::Context&), Core& core, const Instruction& inst) {
    static const sim::CustomOpRegistry no_custom_ops;
    sim::ops::Context c{inst, core.gen, core.state, no_custom_ops};
    op(c);
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

// Writes host values (quantized to the operand's dtype, RNE) and returns them as stored.
inline Tile put(Core& core, const AccessPattern& a, std::vector<float> values) {
    REQUIRE(values.size() == a.num_elements());
    for (float& v : values) v = quantize(a.dtype, v);
    Tile t{a.num_partitions, a.free_size(), std::move(values)};
    sim::write_tile(core.state, a, t, Rounding::nearest_even);
    return t;
}

// Uniform values in [lo, hi] (integers for integer dtypes), written into the operand.
inline Tile fill(Core& core, const AccessPattern& a, std::mt19937& rng, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(a.num_elements());
    for (float& x : v) x = is_integer(a.dtype) ? std::nearbyint(u(rng)) : u(rng);
    return put(core, a, std::move(v));
}

// Uniformly random bit patterns of the operand's width, written raw (any NaN payload, -0, ...).
inline RawTile fill_bits(Core& core, const AccessPattern& a, std::mt19937& rng) {
    RawTile t{a.num_partitions, a.free_size(), std::vector<uint32_t>(a.num_elements())};
    for (uint32_t& b : t.bits) b = uint32_t(rng()) & width_mask(a.dtype);
    sim::write_raw(core.state, a, t);
    return t;
}

// dst holds exactly the expected raw bits; reports the first mismatch.
inline void require_bits(const Core& core, const AccessPattern& dst, const std::vector<uint32_t>& expected) {
    const RawTile got = sim::read_raw(core.state, dst);
    REQUIRE(got.bits.size() == expected.size());
    size_t mismatches = 0, first = 0;
    for (size_t i = 0; i < expected.size(); ++i)
        if (got.bits[i] != expected[i] && mismatches++ == 0) first = i;
    if (mismatches) {
        INFO("element " << first << " (p " << first / dst.free_size() << ", f " << first % dst.free_size()
                        << "): got 0x" << std::hex << got.bits[first] << " expected 0x" << expected[first]
                        << std::dec << "; " << mismatches << " mismatches in " << dtype_name(dst.dtype));
        CHECK(mismatches == 0);
    }
}

// dst holds the fp32 reference values rounded (RNE) into its dtype, bit for bit.
inline void require_values(const Core& core, const AccessPattern& dst, const std::vector<float>& ref) {
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
