#include "sim/checks/race_detector.h"

#include <algorithm>
#include <limits>

namespace nsim::sim {

void RaceDetector::Log::extend_hull(const Box& b) {
    if (b.highest <= b.lowest) return;  // no bytes: never overlaps
    hull.space = b.space;
    hull.partition_begin = std::min(hull.partition_begin, b.partition_begin);
    hull.partition_end = std::max(hull.partition_end, b.partition_end);
    hull.lowest = std::min(hull.lowest, b.lowest);
    hull.highest = std::max(hull.highest, b.highest);
}

void RaceDetector::scan(const Log& log, bool log_writes, uint32_t seen, const isa::Footprint& fp,
                        const Box& fp_box, bool write, const AccessSite& site,
                        std::vector<std::pair<uint32_t, Race>>& found) {
    // Records up to the epoch this clock has seen are ordered before this access.
    auto it = std::lower_bound(log.records.begin() + std::ptrdiff_t(log.head), log.records.end(),
                               seen, [](const Record& r, uint32_t s) { return r.epoch < s; });
    for (; it != log.records.end(); ++it) {
        if (disjoint(it->box, fp_box)) continue;
        if (auto where = overlap(*it->fp, fp))
            found.push_back(
                {it->order, {it->site, site, log_writes, write, fp.space, fp.tensor, *where}});
    }
}

std::optional<isa::Overlap> RaceDetector::overlap(const isa::Footprint& a,
                                                  const isa::Footprint& b) {
    constexpr size_t kRemembered = 16;  // ranges on both sides together: below, compute again
    constexpr size_t kMaxPairs = size_t(1) << 20;  // a bound on the memory: then start afresh
    if (a.ranges.size() + b.ranges.size() < kRemembered) return isa::overlap(a, b);
    if (m_overlaps.size() >= kMaxPairs) m_overlaps.clear();
    auto [it, added] = m_overlaps.try_emplace({&a, &b});
    if (added) it->second = isa::overlap(a, b);
    return it->second;
}

void RaceDetector::access(size_t agent, const VectorClock& clock, const isa::Footprint& fp,
                          bool write, const AccessSite& site) {
    const Box fp_box = box(fp);
    const size_t writes = log_of(fp.space, true), reads = log_of(fp.space, false);
    // A read conflicts with writes only, a write with both.
    const uint64_t candidates =
        m_agents_with_records[writes] | (write ? m_agents_with_records[reads] : 0);
    for (uint64_t others = candidates & ~(1ull << agent); others; others &= others - 1) {
        const size_t other =
            size_t(__builtin_ctzll(others));  // one agent runs in order: skip its own
        const auto& logs = m_logs[other];
        const uint32_t seen = clock[other];
        if (worth_scanning(logs[writes], seen, fp_box))
            scan(logs[writes], true, seen, fp, fp_box, write, site, m_found);
        if (write && worth_scanning(logs[reads], seen, fp_box))
            scan(logs[reads], false, seen, fp, fp_box, write, site, m_found);
        if (m_found.empty()) continue;
        // In the order the other agent made its accesses, as one log per agent would report them.
        std::sort(m_found.begin(), m_found.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& f : m_found) {
            ++m_race_count;
            if (m_races.size() < m_max_reports) m_races.push_back(std::move(f.second));
        }
        m_found.clear();
    }
    const size_t own = log_of(fp.space, write);
    Log& log = m_logs[agent][own];
    log.records.push_back({clock[agent], m_order[agent]++, &fp, fp_box, site});
    log.extend_hull(fp_box);
    m_agents_with_records[own] |= 1ull << agent;
}

void RaceDetector::prune(const std::vector<const VectorClock*>& live_clocks) {
    uint64_t agents = 0;  // those with a record: the others have nothing to forget
    for (uint64_t in_log : m_agents_with_records) agents |= in_log;
    for (; agents; agents &= agents - 1) {
        const size_t agent = size_t(__builtin_ctzll(agents));
        uint32_t seen_by_all = std::numeric_limits<uint32_t>::max();
        for (const VectorClock* c : live_clocks) seen_by_all = std::min(seen_by_all, (*c)[agent]);
        for (size_t k = 0; k < kLogs; ++k) {
            Log& log = m_logs[agent][k];
            const size_t head = log.head;
            while (log.head < log.records.size() && log.records[log.head].epoch < seen_by_all)
                ++log.head;
            if (log.head == head) continue;  // nothing forgotten
            log.hull = kNoBox;
            for (size_t i = log.head; i < log.records.size(); ++i)
                log.extend_hull(log.records[i].box);
            if (log.head == log.records.size()) {
                log.records.clear();
                log.head = 0;
                m_agents_with_records[k] &= ~(1ull << agent);
            } else if (log.head >= 64 && log.head * 2 >= log.records.size()) {
                log.records.erase(log.records.begin(),
                                  log.records.begin() + std::ptrdiff_t(log.head));
                log.head = 0;
            }
        }
    }
}

}  // namespace nsim::sim
