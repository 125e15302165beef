// The race detector: two accesses to overlapping bytes, at least one a write, that no semaphore,
// engine order or queue order puts one before the other.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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
    // epoch) and reports a race against every earlier unordered conflicting access. The detector
    // keeps `fp`'s address: a footprint must stay alive and unchanged as long as the detector.
    void access(size_t agent, const VectorClock& clock, const isa::Footprint& fp, bool write,
                const AccessSite& site);
    // Forgets accesses that every agent still able to access memory has already seen.
    void prune(const std::vector<const VectorClock*>& live_clocks);

    const std::vector<Race>& races() const { return m_races; }
    size_t race_count() const { return m_race_count; }

private:
    // Where a footprint lies at most: disjoint boxes rule out an overlap without the exact test.
    // kNoBox (below) is disjoint from every box.
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
        uint32_t order;  // the agent's access count before it: orders races across its logs
        const isa::Footprint* fp;
        Box box;
        AccessSite site;
    };
    // One agent's accesses of one kind (read or write) to one memory space, in epoch order: an
    // access only needs checking against the records of each other agent from the first epoch it
    // has not seen, a read only against writes and only in its own space, and pruning drops from
    // the front. `head` is the first live record (dropped ones are erased in batches).
    struct Log {
        std::vector<Record> records;
        size_t head = 0;
        // Holds the boxes of the live records: an access outside it skips the log (two engines
        // that never synchronise, each in its own bytes, cost no scan of each other's history).
        Box hull = kNoBox;
        void extend_hull(const Box& b);
    };
    static constexpr Box kNoBox{isa::MemSpace::sbuf, ~0u, 0, ~0ull, 0};
    static constexpr size_t kSpaces = 3;  // isa::MemSpace: hbm, sbuf, psum
    static constexpr size_t kLogs = 2 * kSpaces;
    static size_t log_of(isa::MemSpace space, bool write) {
        return size_t(space) * 2 + (write ? 1 : 0);
    }
    // Whether a log may hold a record that races with an access in `box` whose clock has seen
    // its agent's epochs below `seen`: some live record is unseen and the hull meets the box.
    static bool worth_scanning(const Log& log, uint32_t seen, const Box& box) {
        return log.head < log.records.size() && log.records.back().epoch >= seen &&
               !disjoint(log.hull, box);
    }
    // Reports the races of an access against the unseen part of one log of agent `other`; appends
    // them to `found` with the other record's order.
    void scan(const Log& log, bool log_writes, uint32_t seen, const isa::Footprint& fp,
              const Box& fp_box, bool write, const AccessSite& site,
              std::vector<std::pair<uint32_t, Race>>& found);
    // isa::overlap, remembered for footprints of many ranges (e.g. a tile of rows in HBM beside
    // the next tile): the same pairs meet again whenever a loop body repeats.
    std::optional<isa::Overlap> overlap(const isa::Footprint& a, const isa::Footprint& b);
    struct PairHash {
        size_t operator()(const std::pair<const void*, const void*>& p) const {
            return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
        }
    };
    std::unordered_map<std::pair<const void*, const void*>, std::optional<isa::Overlap>, PairHash>
        m_overlaps;

    std::array<std::array<Log, kLogs>, kMaxAgents> m_logs;
    std::array<uint64_t, kLogs> m_agents_with_records{};  // per log, a bit per agent
    std::array<uint32_t, kMaxAgents> m_order{};           // per agent, accesses recorded
    std::vector<std::pair<uint32_t, Race>> m_found;       // scratch of access()
    std::vector<Race> m_races;
    size_t m_race_count = 0;
    size_t m_max_reports;
};

}  // namespace nsim::sim
