#include "runtime/chrome_trace.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nsim::runtime {

std::string chrome_trace_json(const std::vector<TracedCore>& cores) {
    using nlohmann::json;
    json events = json::array();
    for (size_t pid = 0; pid < cores.size(); ++pid) {
        const TracedCore& core = cores[pid];
        std::map<std::string, int>
            rows;  // engines first, in engine order, then DMA queues as they appear
        for (int e = 0; e < isa::kEngineCount; ++e)
            rows[std::string(isa::engine_name(isa::Engine(e)))] = e;
        for (const auto& ev : core.result->trace) {
            const int tid = rows.emplace(ev.row, int(rows.size())).first->second;
            json e = {{"name", ev.line ? fmt::format("{} L{}", ev.name, ev.line) : ev.name},
                      {"ph", "X"},
                      {"pid", pid},
                      {"tid", tid},
                      {"ts", ev.start_ns / 1000},
                      {"dur", ev.duration_ns / 1000}};
            if (ev.line && !core.kernel_file.empty())
                e["args"] = {{"line", ev.line}, {"file", core.kernel_file}};
            events.push_back(std::move(e));
        }
        events.push_back(
            {{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", core.name}}}});
        for (const auto& [name, tid] : rows)
            events.push_back({{"name", "thread_name"},
                              {"ph", "M"},
                              {"pid", pid},
                              {"tid", tid},
                              {"args", {{"name", name}}}});
    }
    return json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n";
}

}  // namespace nsim::runtime
