// Test helpers for the semantics tests: a core state, hand-built instructions, and element access
// that computes addresses with its own loops (independent of AccessPattern's walker).
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/instruction.h"
#include "isa/program.h"
#include "isa/target.h"
#include "sim/core_state.h"
#include "sim/custom_ops.h"
#include "sim/semantics_ops.h"

namespace nsim::sim::test {

using namespace nsim::isa;

// A v2 core with its device memory and the builtin custom operators.
struct SimFixture {
    DeviceMemory hbm;
    CoreState state{default_limits(Generation::v2), hbm, 7};
    CustomOpRegistry registry = builtin_custom_ops();

    // Declares and allocates a zero-filled HBM tensor.
    const TensorDecl& tensor(const std::string& name, std::vector<uint64_t> shape, DType dtype) {
        TensorDecl t;
        t.name = name;
        t.shape = std::move(shape);
        t.dtype = dtype;
        hbm.allocate({t});
        return hbm.decl(name);
    }

    template <class F>
    void run(F&& op, const Instruction& inst) {
        ops::Context c{inst, Generation::v2, state, registry};
        op(c);
    }
};

inline AccessPattern on_chip(MemSpace space, uint32_t start, uint32_t partitions, DType dtype,
                             std::vector<FreeDim> dims, uint64_t byte_offset = 0) {
    AccessPattern ap;
    ap.space = space;
    ap.start_partition = start;
    ap.num_partitions = partitions;
    ap.dtype = dtype;
    ap.dims = std::move(dims);
    ap.byte_offset = byte_offset;
    return ap;
}
inline AccessPattern sbuf(uint32_t start, uint32_t partitions, DType dtype, std::vector<FreeDim> dims,
                          uint64_t byte_offset = 0) {
    return on_chip(MemSpace::sbuf, start, partitions, dtype, std::move(dims), byte_offset);
}
inline AccessPattern psum(uint32_t start, uint32_t partitions, DType dtype, std::vector<FreeDim> dims,
                          uint64_t byte_offset = 0) {
    return on_chip(MemSpace::psum, start, partitions, dtype, std::move(dims), byte_offset);
}
// Rows [first_row, +rows) of an HBM tensor; `dims` walk within a row (default: the whole row).
inline AccessPattern hbm(const TensorDecl& t, uint32_t first_row, uint32_t rows, std::vector<FreeDim> dims = {},
                         uint64_t byte_offset = 0) {
    AccessPattern ap;
    ap.space = MemSpace::hbm;
    ap.tensor = t.name;
    ap.start_partition = first_row;
    ap.num_partitions = rows;
    ap.dtype = t.dtype;
    ap.partition_stride_bytes = t.row_bytes();
    ap.dims = dims.empty() ? std::vector<FreeDim>{{1, uint32_t(t.row_bytes() / dtype_size(t.dtype))}} : std::move(dims);
    ap.byte_offset = byte_offset;
    return ap;
}

inline Instruction make(Opcode op, std::initializer_list<std::pair<const char*, ArgValue>> args) {
    Instruction inst = Instruction::make(op);
    for (const auto& [name, value] : args) inst.args.at(size_t(arg_index(op, name))) = value;
    return inst;
}
inline ArgValue alu_arg(AluOp op) { return int64_t(op); }

// Address of every element of `ap`, partition-major, last free dim fastest: an odometer over the
// index tuple, independent of AccessPattern::for_each_byte_offset.
inline std::vector<uint8_t*> element_addresses(CoreState& s, const AccessPattern& ap) {
    std::vector<uint8_t*> out;
    const size_t nd = ap.dims.size();
    for (uint32_t w = 0; w < ap.num_partitions; ++w) {
        const uint32_t part = ap.start_partition + w;
        uint8_t* base = ap.space == MemSpace::sbuf   ? s.sbuf.at(part, 0)
                        : ap.space == MemSpace::psum ? s.psum.at(part, 0)
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

inline void put_bits(CoreState& s, const AccessPattern& ap, const std::vector<uint32_t>& bits) {
    const auto addr = element_addresses(s, ap);
    REQUIRE(addr.size() == bits.size());
    for (size_t i = 0; i < addr.size(); ++i) std::memcpy(addr[i], &bits[i], dtype_size(ap.dtype));
}
inline std::vector<uint32_t> get_bits(CoreState& s, const AccessPattern& ap) {
    const auto addr = element_addresses(s, ap);
    std::vector<uint32_t> bits(addr.size(), 0);
    for (size_t i = 0; i < addr.size(); ++i) std::memcpy(&bits[i], addr[i], dtype_size(ap.dtype));
    return bits;
}
inline void put_values(CoreState& s, const AccessPattern& ap, const std::vector<float>& v) {
    std::vector<uint32_t> bits(v.size());
    for (size_t i = 0; i < v.size(); ++i) bits[i] = encode(ap.dtype, v[i]);
    put_bits(s, ap, bits);
}
inline std::vector<float> get_values(CoreState& s, const AccessPattern& ap) {
    std::vector<float> v;
    for (uint32_t b : get_bits(s, ap)) v.push_back(decode(ap.dtype, b));
    return v;
}

// n values uniform in [lo, hi), each exactly representable in `t`.
inline std::vector<float> random_values(std::mt19937& rng, size_t n, DType t, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = quantize(t, u(rng));
    return v;
}
// n random bit patterns of the width of `t`.
inline std::vector<uint32_t> random_bits(std::mt19937& rng, size_t n, DType t) {
    const unsigned width = 8 * dtype_size(t);
    std::vector<uint32_t> v(n);
    for (uint32_t& x : v) x = width >= 32 ? uint32_t(rng()) : uint32_t(rng()) & ((1u << width) - 1);
    return v;
}

}  // namespace nsim::sim::test
