#include "sim/semantics/core_state.h"

#include <cstring>

#include "isa/error.h"

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
    for (size_t i = 0; i < out.size(); ++i) {
        uint32_t bits = 0;
        std::memcpy(&bits, &t.data[i * size], size);  // little-endian host, as the .npy files
        out[i] = isa::decode(t.decl.dtype, bits);
    }
    return out;
}

void DeviceMemory::set_values(const std::string& name, const std::vector<float>& values) {
    Tensor& t = m_tensors.at(name);
    const unsigned size = isa::dtype_size(t.decl.dtype);
    if (t.data.size() != values.size() * size)
        throw InputError("tensor '" + name + "' has " + std::to_string(t.data.size() / size) +
                         " elements, not the " + std::to_string(values.size()) + " values given");
    for (size_t i = 0; i < values.size(); ++i) {
        const uint32_t bits = isa::encode(t.decl.dtype, values[i]);
        std::memcpy(&t.data[i * size], &bits, size);
    }
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

// Calls f(element_index, byte_pointer) for every element of `ap`, partition-major.
template <class F>
void visit(const CoreState& cs, const AccessPattern& ap, F&& f) {
    auto& s = const_cast<CoreState&>(cs);  // one walker for reads and writes
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
        ap.for_each_byte_offset([&](uint64_t off) { f(index++, base + off); });
    }
}

// Element sizes are 1, 2 or 4 bytes: a fixed-size copy each, inlined, not a call to memcpy.
uint32_t load_bits(const uint8_t* p, unsigned size) {
    uint32_t v = 0;  // little-endian host, as the device
    switch (size) {
        case 1:
            std::memcpy(&v, p, 1);
            break;
        case 2:
            std::memcpy(&v, p, 2);
            break;
        default:
            std::memcpy(&v, p, 4);
            break;
    }
    return v;
}

void store_bits(uint8_t* p, uint32_t v, unsigned size) {
    switch (size) {
        case 1:
            std::memcpy(p, &v, 1);
            break;
        case 2:
            std::memcpy(p, &v, 2);
            break;
        default:
            std::memcpy(p, &v, 4);
            break;
    }
}

}  // namespace

Tile read_tile(const CoreState& s, const AccessPattern& ap) {
    Tile t{ap.num_partitions, ap.free_size(), std::vector<float>(ap.num_elements())};
    const unsigned size = isa::dtype_size(ap.dtype);
    visit(s, ap, [&](uint64_t i, const uint8_t* p) {
        t.values[i] = isa::decode(ap.dtype, load_bits(p, size));
    });
    return t;
}

RawTile read_raw(const CoreState& s, const AccessPattern& ap) {
    RawTile t{ap.num_partitions, ap.free_size(), std::vector<uint32_t>(ap.num_elements())};
    const unsigned size = isa::dtype_size(ap.dtype);
    visit(s, ap, [&](uint64_t i, const uint8_t* p) { t.bits[i] = load_bits(p, size); });
    return t;
}

void write_tile(CoreState& s, const AccessPattern& ap, const Tile& t, isa::Rounding r,
                const std::function<bool(uint32_t, uint64_t)>& keep) {
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
    visit(s, ap, [&](uint64_t i, uint8_t* p) { store_bits(p, t.bits[i], size); });
}

}  // namespace nsim::sim
