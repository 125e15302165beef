#include "sim/semantics/core_state.h"

#include <cstring>

#include "isa/error.h"
#include "sim/semantics/element_runs.h"

namespace nsim::sim {

using isa::AccessPattern;
using isa::MemSpace;

OnChipMemory::OnChipMemory(MemSpace space, uint32_t partitions, uint64_t partition_bytes,
                           bool with_data)
    : m_space(space),
      m_partitions(partitions),
      m_partition_bytes(partition_bytes),
      m_data(with_data ? size_t(partitions) * partition_bytes : 0, 0) {}

DeviceMemory::Tensor& DeviceMemory::place(const isa::TensorDecl& t, bool replace) {
    auto [it, added] = m_tensors.try_emplace(t.name);
    const bool other =
        !added && (it->second.decl.shape != t.shape || it->second.decl.dtype != t.dtype);
    if (other && !replace)
        throw InputError("device memory: tensor '" + t.name +
                         "' is declared again with another shape or dtype than the one it holds");
    if (added || other) {  // a replaced tensor moves to fresh space
        it->second.address = m_extent;
        m_extent += (t.size_bytes() + kAlignment - 1) / kAlignment * kAlignment;
    }
    it->second.decl = t;
    return it->second;
}

std::vector<float> DeviceMemory::values(const std::string& name) const {
    const Tensor& t = m_tensors.at(name);
    const unsigned size = isa::dtype_size(t.decl.dtype);
    std::vector<float> out(t.data.size() / size);
    decode_run(t.decl.dtype, t.data.data(), size, out.size(), out.data());
    return out;
}

void DeviceMemory::set_values(const std::string& name, const std::vector<float>& values) {
    Tensor& t = m_tensors.at(name);
    const unsigned size = isa::dtype_size(t.decl.dtype);
    if (t.data.size() != values.size() * size)
        throw InputError("tensor '" + name + "' has " + std::to_string(t.data.size() / size) +
                         " elements, not the " + std::to_string(values.size()) + " values given");
    encode_run(t.decl.dtype, values.data(), values.size(), t.data.data(), size);
}

void DeviceMemory::allocate(const std::vector<isa::TensorDecl>& tensors) {
    for (const auto& t : tensors) place(t, true).data.assign(t.size_bytes(), 0);
}

void DeviceMemory::declare(const std::vector<isa::TensorDecl>& tensors) {
    for (const auto& t : tensors) place(t, false);
}

CoreState::CoreState(const isa::TargetLimits& limits, DeviceMemory& device, uint64_t seed,
                     bool with_data)
    : sbuf(MemSpace::sbuf, limits.partitions, limits.sbuf_partition_bytes, with_data),
      psum(MemSpace::psum, limits.partitions, limits.psum_partition_bytes, with_data),
      hbm(device),
      scalar_acc(limits.partitions, 0.0f),
      vector_acc(limits.partitions, 0.0f),
      rng(seed) {}

namespace {

// Calls f(first_index, pointer, count, stride_bytes) for every innermost run of `ap`: elements
// first_index .. first_index + count - 1, partition-major in isa's for_each_byte_offset order.
template <class F>
void visit_runs(const CoreState& cs, const AccessPattern& ap, F&& f) {
    auto& s = const_cast<CoreState&>(cs);  // one walker for reads and writes
    const int64_t esize = isa::dtype_size(ap.dtype);
    isa::FreeDim d[isa::kMaxFreeDims];
    const size_t pad = isa::kMaxFreeDims - ap.dims.size();
    for (size_t k = 0; k < ap.dims.size(); ++k) d[pad + k] = ap.dims[k];
    uint64_t index = 0;
    for (uint32_t w = 0; w < ap.num_partitions; ++w) {
        const uint32_t part = ap.start_partition + w;
        uint8_t* base = nullptr;
        switch (ap.space) {
            case MemSpace::sbuf:
                base = s.sbuf.at(part, 0);
                break;
            case MemSpace::psum:
                base = s.psum.at(part, 0);
                break;
            case MemSpace::hbm:
                base = s.hbm.bytes(ap.tensor).data() + uint64_t(part) * ap.partition_stride_bytes;
                break;
        }
        for (uint32_t a = 0; a < d[0].num; ++a)
            for (uint32_t b = 0; b < d[1].num; ++b)
                for (uint32_t c = 0; c < d[2].num; ++c) {
                    const int64_t e =
                        int64_t(a) * d[0].step + int64_t(b) * d[1].step + int64_t(c) * d[2].step;
                    f(index, base + uint64_t(int64_t(ap.byte_offset) + e * esize), d[3].num,
                      d[3].step * esize);
                    index += d[3].num;
                }
    }
}

// Calls f(element_index, byte_pointer) for every element of `ap`, partition-major.
template <class F>
void visit(const CoreState& s, const AccessPattern& ap, F&& f) {
    visit_runs(s, ap, [&](uint64_t first, uint8_t* p, uint32_t count, int64_t stride) {
        for (uint32_t i = 0; i < count; ++i) f(first + i, p + int64_t(i) * stride);
    });
}

}  // namespace

Tile read_tile(const CoreState& s, const AccessPattern& ap) {
    Tile t{ap.num_partitions, ap.free_size(), std::vector<float>(ap.num_elements())};
    visit_runs(s, ap, [&](uint64_t first, const uint8_t* p, uint32_t count, int64_t stride) {
        decode_run(ap.dtype, p, stride, count, &t.values[first]);
    });
    return t;
}

RawTile read_raw(const CoreState& s, const AccessPattern& ap) {
    RawTile t{ap.num_partitions, ap.free_size(), std::vector<uint32_t>(ap.num_elements())};
    const unsigned size = isa::dtype_size(ap.dtype);
    visit_runs(s, ap, [&](uint64_t first, const uint8_t* p, uint32_t count, int64_t stride) {
        load_run(size, p, stride, count, &t.bits[first]);
    });
    return t;
}

void write_tile(CoreState& s, const AccessPattern& ap, const Tile& t, isa::Rounding r,
                const std::function<bool(uint32_t, uint64_t)>& keep) {
    if (!keep && r == isa::Rounding::nearest_even) {
        visit_runs(s, ap, [&](uint64_t first, uint8_t* p, uint32_t count, int64_t stride) {
            encode_run(ap.dtype, &t.values[first], count, p, stride);
        });
        return;
    }
    const unsigned size = isa::dtype_size(ap.dtype);
    const uint64_t free = ap.free_size();
    visit(s, ap, [&](uint64_t i, uint8_t* p) {
        if (keep && !keep(uint32_t(i / free), i % free)) return;
        const uint32_t random = r == isa::Rounding::stochastic ? s.rng.next() : 0;
        store_bits(p, isa::encode(ap.dtype, t.values[i], r, random), size);
    });
}

void write_raw(CoreState& s, const AccessPattern& ap, const RawTile& t) {
    const unsigned size = isa::dtype_size(ap.dtype);
    visit_runs(s, ap, [&](uint64_t first, uint8_t* p, uint32_t count, int64_t stride) {
        store_run(size, &t.bits[first], count, p, stride);
    });
}

}  // namespace nsim::sim
