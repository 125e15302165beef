// The functional state of a NeuronCore and its chip's device memory: real bytes in SBUF, PSUM and
// HBM, which of them were ever written, and the engines' accumulator registers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/access_pattern.h"
#include "isa/dtype.h"
#include "isa/program.h"
#include "isa/target.h"
#include "sim/checks/written_map.h"

namespace nsim::sim {

// SBUF or PSUM: partitions of bytes, plus one flag per byte saying whether it was ever written
// (reads of never-written bytes are flagged, as the NKI simulator does with its NaN sentinels).
class OnChipMemory {
public:
    // Without `with_data` only the written-bytes record is kept (timing-only runs read no values).
    OnChipMemory(isa::MemSpace space, uint32_t partitions, uint64_t partition_bytes,
                 bool with_data);

    isa::MemSpace space() const { return m_space; }
    uint32_t partitions() const { return m_partitions; }
    uint64_t partition_bytes() const { return m_partition_bytes; }
    uint8_t* at(uint32_t partition, uint64_t byte) {
        return &m_data[partition * m_partition_bytes + byte];
    }
    const uint8_t* at(uint32_t partition, uint64_t byte) const {
        return &m_data[partition * m_partition_bytes + byte];
    }

    void mark_written(const isa::Footprint& fp) { m_written.mark(fp); }
    // The first bytes of `fp` never written, if any.
    std::optional<isa::Overlap> first_unwritten(const isa::Footprint& fp) const {
        return m_written.first_unwritten(fp);
    }

private:
    isa::MemSpace m_space;
    uint32_t m_partitions;
    uint64_t m_partition_bytes;
    std::vector<uint8_t> m_data;
    WrittenMap m_written;
};

// The chip's HBM (DDR on inf1) as the kernel sees it: one byte array per declared tensor, each at
// its own address (page-aligned, packed in declaration order) so that accesses interleave over the
// memory channels as on hardware. Addresses count from 0; a chip maps the whole space at a base.
class DeviceMemory {
public:
    static constexpr uint64_t kAlignment = 4096;  // assumption: page-aligned allocations
    // Allocates every tensor of the program, zero-filled (a tensor already placed with the same
    // shape keeps its address; one with another shape is replaced).
    void allocate(const std::vector<isa::TensorDecl>& tensors);
    // Gives an address to every tensor not yet placed, without its bytes (timing-only runs). Throws
    // std::invalid_argument when a tensor is already placed with another shape or dtype.
    void declare(const std::vector<isa::TensorDecl>& tensors);
    bool has(const std::string& name) const { return m_tensors.count(name) != 0; }
    const isa::TensorDecl& decl(const std::string& name) const { return m_tensors.at(name).decl; }
    uint64_t address(const std::string& name) const { return m_tensors.at(name).address; }
    uint64_t extent() const { return m_extent; }  // one past the last placed byte
    std::vector<uint8_t>& bytes(const std::string& name) { return m_tensors.at(name).data; }
    const std::vector<uint8_t>& bytes(const std::string& name) const {
        return m_tensors.at(name).data;
    }
    // The tensor's elements decoded to fp32, and fp32 values encoded into its dtype (round to
    // nearest even); set_values throws nsim::InputError when the count differs from the
    // tensor's.
    std::vector<float> values(const std::string& name) const;
    void set_values(const std::string& name, const std::vector<float>& values);

private:
    struct Tensor {
        isa::TensorDecl decl;
        uint64_t address = 0;
        std::vector<uint8_t> data;
    };
    Tensor& place(const isa::TensorDecl& t, bool replace);
    std::map<std::string, Tensor> m_tensors;
    uint64_t m_extent = 0;
};

// Everything an instruction's semantics reads and writes.
struct CoreState {
    CoreState(const isa::TargetLimits& limits, DeviceMemory& hbm, uint64_t seed,
              bool with_data = true);

    OnChipMemory sbuf;
    OnChipMemory psum;
    DeviceMemory& hbm;
    std::vector<float> scalar_acc;  // ScalarE accumulator per lane (partition) [src:nki-isa]
    std::vector<float> vector_acc;  // VectorE accumulator per lane (partition) [src:nki-isa]
    isa::RandomBits rng;            // stochastic rounding and random instructions
};

// A tile of values as the engines compute on them: P partitions x F elements, partition-major.
struct Tile {
    uint32_t partitions = 0;
    uint64_t free = 0;
    std::vector<float> values;
    float& at(uint32_t p, uint64_t f) { return values[p * free + f]; }
    float at(uint32_t p, uint64_t f) const { return values[p * free + f]; }
};

// Raw element bit patterns of a tile (for bit-exact copies and integer/bitvec arithmetic).
struct RawTile {
    uint32_t partitions = 0;
    uint64_t free = 0;
    std::vector<uint32_t> bits;
};

// Reads an operand, decoding each element to fp32 (engines compute in fp32, [src:nki-arch-v2]).
Tile read_tile(const CoreState& s, const isa::AccessPattern& ap);
RawTile read_raw(const CoreState& s, const isa::AccessPattern& ap);
// Writes fp32 values into an operand, rounding each into its dtype. `keep(p, f)` false leaves an
// element as it was (predicated instructions); null writes all.
void write_tile(CoreState& s, const isa::AccessPattern& ap, const Tile& t, isa::Rounding r,
                const std::function<bool(uint32_t, uint64_t)>& keep = nullptr);
void write_raw(CoreState& s, const isa::AccessPattern& ap, const RawTile& t);

}  // namespace nsim::sim
