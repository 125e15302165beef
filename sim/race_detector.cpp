#include "sim/race_detector.h"

#include <algorithm>

namespace nsim::sim {

void RaceDetector::access(size_t agent, const VectorClock& clock, const isa::Footprint& fp, bool write,
                          const AccessSite& site) {
    for (const Record& r : m_live) {
        if (r.agent == agent || (!write && !r.write)) continue;  // one agent runs in order
        if (clock.has_seen(r.agent, r.epoch)) continue;            // ordered by synchronisation
        if (auto where = isa::overlap(*r.fp, fp)) {
            ++m_race_count;
            if (m_races.size() < m_max_reports)
                m_races.push_back({r.site, site, r.write, write, fp.space, fp.tensor, *where});
        }
    }
    m_live.push_back({agent, clock[agent], &fp, write, site});
}

void RaceDetector::prune(const std::vector<const VectorClock*>& live_clocks) {
    m_live.erase(std::remove_if(m_live.begin(), m_live.end(),
                                [&](const Record& r) {
                                    return std::all_of(live_clocks.begin(), live_clocks.end(),
                                                       [&](const VectorClock* c) { return c->has_seen(r.agent, r.epoch); });
                                }),
                 m_live.end());
}

}  // namespace nsim::sim
