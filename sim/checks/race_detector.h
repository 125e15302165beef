// The race detector: two accesses to overlapping bytes, at least one a write, that no semaphore,
// engine order or queue order puts one before the other.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "isa/access_pattern.h"
#include "isa/instruction.h"
#include "sim/checks/vector_clock.h"

namespace nsim::sim {

// Who made an access: the instruction and the agent (an engine, or a DMA queue for a transfer).
struct AccessSite {
    const isa::Instruction* inst = nullptr;
    std::string_view
        agent;  // "vector", "dma queue 3 (issued by sync)", ...: names that outlive the run
};

struct Race {
    AccessSite first, second;
    bool first_writes = false, second_writes = false;
    isa::MemSpace space = isa::MemSpace::sbuf;
    std::string tensor;  // HBM only
    isa::Overlap where;  // partition and byte range
};

class RaceDetector {
public:
    explicit RaceDetector(size_t max_reports = 20) : m_max_reports(max_reports) {}

    // Records an access by `agent` whose clock is `clock` (its own component is the access's
    // epoch) and reports a race against every earlier unordered conflicting access.
    void access(size_t agent, const VectorClock& clock, const isa::Footprint& fp, bool write,
                const AccessSite& site);
    // Forgets accesses that every agent still able to access memory has already seen.
    void prune(const std::vector<const VectorClock*>& live_clocks);

    const std::vector<Race>& races() const { return m_races; }
    size_t race_count() const { return m_race_count; }

private:
    // Where a footprint lies at most: disjoint boxes rule out an overlap without the exact test.
    struct Box {
        isa::MemSpace space;
        uint32_t partition_begin, partition_end;
        uint64_t lowest, highest;  // bytes [lowest, highest); empty when the footprint is
    };
    static Box box(const isa::Footprint& fp) {
        Box b{fp.space, fp.partition_begin, fp.partition_end, 0, 0};
        if (!fp.ranges.empty()) {  // the ranges are sorted and disjoint
            b.lowest = fp.ranges.front().begin;
            b.highest = fp.ranges.back().end;
        }
        return b;
    }
    // Inline: it runs for every pair of unordered accesses.
    static bool disjoint(const Box& a, const Box& b) {
        if (a.space != b.space || a.highest <= b.lowest || b.highest <= a.lowest) return true;
        // HBM footprints name a tensor instead of partitions: isa::overlap compares those.
        return a.space != isa::MemSpace::hbm &&
               (a.partition_end <= b.partition_begin || b.partition_end <= a.partition_begin);
    }
    struct Record {
        uint32_t epoch;
        const isa::Footprint* fp;
        bool write;
        Box box;
        AccessSite site;
    };
    // Per agent, its accesses in epoch order: an access only needs checking against the records of
    // each other agent from the first epoch it has not seen, and pruning pops from the front.
    std::array<std::deque<Record>, kMaxAgents> m_by_agent;
    uint64_t m_agents_with_records = 0;  // bit per agent
    std::vector<Race> m_races;
    size_t m_race_count = 0;
    size_t m_max_reports;
};

}  // namespace nsim::sim
