// Which bytes of SBUF or PSUM were ever written, kept as disjoint byte intervals each with the set
// of partitions written there. Operands touch a partition range x byte ranges, so marking and
// checking cost a few map steps per operand, not one step per byte or per partition.
#pragma once

#include <bitset>
#include <cstdint>
#include <map>
#include <optional>

#include "isa/access_pattern.h"

namespace nsim::sim {

inline constexpr uint32_t kMaxPartitions = 512;
using PartitionSet = std::bitset<kMaxPartitions>;

// Partitions [begin, end) as a set.
PartitionSet partition_range(uint32_t begin, uint32_t end);

class WrittenMap {
public:
    void mark(const isa::Footprint& fp);
    // The first partition and byte range of `fp` never written, if any.
    std::optional<isa::Overlap> first_unwritten(const isa::Footprint& fp) const;
    size_t segments() const { return m_segments.size(); }

private:
    struct Segment {
        uint64_t end;
        PartitionSet partitions;
    };
    void split_at(uint64_t byte);
    void mark(uint64_t begin, uint64_t end, const PartitionSet& partitions);
    std::optional<isa::Overlap> first_unwritten(uint64_t begin, uint64_t end,
                                                const PartitionSet& partitions) const;

    std::map<uint64_t, Segment> m_segments;  // by first byte; disjoint
};

}  // namespace nsim::sim
