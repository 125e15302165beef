#include "sim/checks/race_detector.h"

#include <algorithm>
#include <limits>

namespace nsim::sim {

void RaceDetector::access(size_t agent, const VectorClock& clock, const isa::Footprint& fp,
                          bool write, const AccessSite& site) {
    const Box fp_box = box(fp);
    for (uint64_t others = m_agents_with_records & ~(1ull << agent); others; others &= others - 1) {
        const size_t other =
            size_t(__builtin_ctzll(others));  // one agent runs in order: skip its own
        const auto& records = m_by_agent[other];
        // Records up to the epoch this clock has seen are ordered before this access.
        auto it = std::lower_bound(records.begin(), records.end(), clock[other],
                                   [](const Record& r, uint32_t seen) { return r.epoch < seen; });
        for (; it != records.end(); ++it) {
            if ((!write && !it->write) || disjoint(it->box, fp_box)) continue;
            if (auto where = isa::overlap(*it->fp, fp)) {
                ++m_race_count;
                if (m_races.size() < m_max_reports)
                    m_races.push_back(
                        {it->site, site, it->write, write, fp.space, fp.tensor, *where});
            }
        }
    }
    m_by_agent[agent].push_back({clock[agent], &fp, write, fp_box, site});
    m_agents_with_records |= 1ull << agent;
}

void RaceDetector::prune(const std::vector<const VectorClock*>& live_clocks) {
    for (size_t agent = 0; agent < kMaxAgents; ++agent) {
        auto& records = m_by_agent[agent];
        uint32_t seen_by_all = std::numeric_limits<uint32_t>::max();
        for (const VectorClock* c : live_clocks) seen_by_all = std::min(seen_by_all, (*c)[agent]);
        while (!records.empty() && records.front().epoch < seen_by_all) records.pop_front();
        if (records.empty()) m_agents_with_records &= ~(1ull << agent);
    }
}

}  // namespace nsim::sim
