#include "sim/memory/channel_server.h"

#include <algorithm>
#include <limits>

namespace nsim::sim {

std::pair<double, double> ChannelServer::serve(double earliest_ns, double bytes, double now_ns) {
    // Forget what ended before now.
    size_t keep = 0;
    while (keep < m_busy.size() && m_busy[keep].second <= now_ns) ++keep;
    if (keep) m_busy.erase(m_busy.begin(), m_busy.begin() + long(keep));

    const double duration = bytes * m_ns_per_byte;
    m_busy_total_ns += duration;
    m_scratch.clear();
    // Appends an interval in time order, merged with the last one where they touch.
    auto append = [this](double from, double to) {
        if (!m_scratch.empty() && m_scratch.back().second >= from)
            m_scratch.back().second = std::max(m_scratch.back().second, to);
        else
            m_scratch.emplace_back(from, to);
    };
    double t = std::max(earliest_ns, now_ns), left = duration, start = -1;
    size_t i = 0;
    for (; i < m_busy.size() && m_busy[i].second <= t; ++i)
        append(m_busy[i].first, m_busy[i].second);
    // Fill the gaps from t on, in time order.
    while (left > 0) {
        const double gap_end =
            i < m_busy.size() ? m_busy[i].first : std::numeric_limits<double>::infinity();
        if (t < gap_end) {
            const double piece = std::min(left, gap_end - t);
            if (start < 0) start = t;
            append(t, t + piece);
            t += piece;
            left -= piece;
            if (left <= 0) break;
        }
        t = std::max(t, m_busy[i].second);
        append(m_busy[i].first, m_busy[i].second);
        ++i;
    }
    for (; i < m_busy.size(); ++i) append(m_busy[i].first, m_busy[i].second);
    m_busy.swap(m_scratch);
    return {start < 0 ? t : start, t};
}

}  // namespace nsim::sim
