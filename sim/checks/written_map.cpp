#include "sim/checks/written_map.h"

#include <algorithm>

namespace nsim::sim {

PartitionSet partition_range(uint32_t begin, uint32_t end) {
    end = std::min(end, uint32_t(kMaxPartitions));
    if (begin >= end) return {};
    // Word-wide shifts of an all-ones set, not a bit at a time.
    return (~PartitionSet() >> (kMaxPartitions - (end - begin))) << begin;
}

namespace {

uint32_t first_partition(const PartitionSet& s) {
    for (uint32_t p = 0; p < kMaxPartitions; ++p)
        if (s.test(p)) return p;
    return 0;
}

}  // namespace

void WrittenMap::split_at(uint64_t byte) {
    auto it = m_segments.upper_bound(byte);
    if (it == m_segments.begin()) return;
    --it;
    if (it->first < byte && byte < it->second.end) {
        m_segments.emplace(byte, Segment{it->second.end, it->second.partitions});
        it->second.end = byte;
    }
}

void WrittenMap::mark(uint64_t begin, uint64_t end, const PartitionSet& partitions) {
    if (begin >= end) return;
    split_at(begin);
    split_at(end);
    uint64_t cursor = begin;
    auto it = m_segments.lower_bound(begin);
    while (cursor < end) {
        if (it == m_segments.end() || it->first >= end) {  // a gap up to the end
            it = m_segments.emplace_hint(it, cursor, Segment{end, partitions});
            break;
        }
        if (it->first > cursor)  // a gap before the next segment
            m_segments.emplace_hint(it, cursor, Segment{it->first, partitions});
        it->second.partitions |= partitions;
        cursor = it->second.end;
        ++it;
    }
    // Merge neighbours that now carry the same partitions, around the marked range only.
    auto first = m_segments.lower_bound(begin);
    if (first != m_segments.begin()) --first;
    while (first != m_segments.end() && first->first <= end) {
        auto next = std::next(first);
        if (next != m_segments.end() && next->first == first->second.end &&
            next->second.partitions == first->second.partitions) {
            first->second.end = next->second.end;
            m_segments.erase(next);
        } else {
            first = next;
        }
    }
}

std::optional<isa::Overlap> WrittenMap::first_unwritten(uint64_t begin, uint64_t end,
                                                        const PartitionSet& partitions) const {
    uint64_t cursor = begin;
    auto it = m_segments.upper_bound(begin);
    if (it != m_segments.begin() && std::prev(it)->second.end > begin) --it;
    for (; cursor < end; ++it) {
        if (it == m_segments.end() || it->first >= end)
            return isa::Overlap{first_partition(partitions), {cursor, end}};
        if (it->first > cursor)
            return isa::Overlap{first_partition(partitions), {cursor, it->first}};
        const PartitionSet missing = partitions & ~it->second.partitions;
        if (missing.any())
            return isa::Overlap{first_partition(missing), {cursor, std::min(end, it->second.end)}};
        cursor = it->second.end;
    }
    return std::nullopt;
}

void WrittenMap::mark(const isa::Footprint& fp) {
    const PartitionSet parts = partition_range(fp.partition_begin, fp.partition_end);
    for (const auto& r : fp.ranges) mark(r.begin, r.end, parts);
}

std::optional<isa::Overlap> WrittenMap::first_unwritten(const isa::Footprint& fp) const {
    const PartitionSet parts = partition_range(fp.partition_begin, fp.partition_end);
    for (const auto& r : fp.ranges)
        if (auto hole = first_unwritten(r.begin, r.end, parts)) return hole;
    return std::nullopt;
}

}  // namespace nsim::sim
