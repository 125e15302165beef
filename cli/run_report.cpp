#include "cli/run_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace nsim::cli {

namespace {

using json = nlohmann::json;

std::string site(const sim::AccessSite& s) {
    const std::string op(isa::opcode_info(s.inst->op).name);
    return s.inst->loc.line ? fmt::format("line {} ({}) on {}", s.inst->loc.line, op, s.agent)
                            : fmt::format("{} on {}", op, s.agent);
}

double utilization(const sim::EngineReport& e, double time_ns) { return time_ns > 0 ? e.busy_ns / time_ns : 0; }

}  // namespace

std::string describe_race(const sim::Race& race) {
    const std::string memory = race.space == isa::MemSpace::hbm
                                   ? fmt::format("hbm tensor '{}'", race.tensor)
                                   : fmt::format("{} partition {}", isa::mem_space_name(race.space), race.where.partition);
    return fmt::format("race: {} {} and {} {} bytes [{}, {}) of {} with no semaphore ordering them", site(race.first),
                       race.first_writes ? "writes" : "reads", site(race.second),
                       race.second_writes ? "writes" : "reads", race.where.bytes.begin, race.where.bytes.end, memory);
}

std::string run_summary(const RunContext& ctx, const sim::RunResult& r) {
    std::string out = fmt::format("{}: kernel {} on {} (NeuronCore-{}), {}\n", ctx.kernel_file, ctx.program->name,
                                  ctx.chip->name, isa::generation_name(ctx.chip->generation),
                                  ctx.timing_only ? "timing only" : "timing and results");
    out += fmt::format("simulated time  {:.3f} us    instructions {}    host {:.3f} s ({:.3f} s simulating, {:.0f} "
                       "instructions/s)\n",
                       r.time_ns / 1000, r.instructions, ctx.host_seconds, r.host_seconds,
                       r.host_seconds > 0 ? double(r.instructions) / r.host_seconds : 0.0);
    out += fmt::format("\n{:<8} {:>12} {:>12} {:>7} {:>14}\n", "engine", "instructions", "busy us", "util",
                       "sem wait us");
    int busiest = 0;
    for (int e = 0; e < isa::kEngineCount; ++e) {
        const auto& er = r.engines[size_t(e)];
        if (er.busy_ns > r.engines[size_t(busiest)].busy_ns) busiest = e;
        out += fmt::format("{:<8} {:>12} {:>12.3f} {:>6.1f}% {:>14.3f}\n", isa::engine_name(isa::Engine(e)),
                           er.instructions, er.busy_ns / 1000, 100 * utilization(er, r.time_ns),
                           er.semaphore_wait_ns / 1000);
    }
    const double dma_share = r.time_ns > 0 ? r.dma.busy_ns / r.time_ns : 0;
    out += fmt::format("{:<8} {:>12} {:>12.3f} {:>6.1f}%   {:.1f} MiB moved, {:.1f} GB/s while busy\n", "dma",
                       r.dma.transfers, r.dma.busy_ns / 1000, 100 * dma_share, double(r.dma.bytes) / (1 << 20),
                       r.dma.busy_ns > 0 ? double(r.dma.bytes) / r.dma.busy_ns : 0.0);
    const double engine_share = utilization(r.engines[size_t(busiest)], r.time_ns);
    out += fmt::format("\nbottleneck: {} ({:.1f}% of the time busy)\n",
                       dma_share > engine_share ? std::string("dma") : std::string(isa::engine_name(isa::Engine(busiest))),
                       100 * std::max(dma_share, engine_share));
    for (const auto& race : r.races) out += describe_race(race) + "\n";
    if (r.race_count > r.races.size()) out += fmt::format("... {} races in all\n", r.race_count);
    for (const auto& u : r.uninitialized_reads) out += "warning: " + u + "\n";
    return out;
}

std::string run_report_json(const RunContext& ctx, const sim::RunResult& r) {
    json j;
    j["kernel"] = ctx.program->name;
    j["kernel_file"] = ctx.kernel_file;
    j["chip"] = ctx.chip->name;
    j["timing_only"] = ctx.timing_only;
    j["time_ns"] = r.time_ns;
    j["instructions"] = r.instructions;
    j["host_seconds"] = ctx.host_seconds;
    j["simulation_host_seconds"] = r.host_seconds;
    for (int e = 0; e < isa::kEngineCount; ++e) {
        const auto& er = r.engines[size_t(e)];
        const std::string name(isa::engine_name(isa::Engine(e)));
        j["engines"][name] = {{"busy_ns", er.busy_ns},
                              {"instructions", er.instructions},
                              {"utilization", utilization(er, r.time_ns)},
                              {"semaphore_wait_ns", er.semaphore_wait_ns}};
        j["semaphore_wait_ns"][name] = er.semaphore_wait_ns;
    }
    j["dma"] = {{"transfers", r.dma.transfers}, {"bytes", r.dma.bytes}, {"busy_ns", r.dma.busy_ns}};
    j["races"] = json::array();
    for (const auto& race : r.races) j["races"].push_back(describe_race(race));
    j["race_count"] = r.race_count;
    j["uninitialized_reads"] = r.uninitialized_reads;
    return j.dump(2) + "\n";
}

std::string chrome_trace_json(const RunContext& ctx, const sim::RunResult& r) {
    std::map<std::string, int> rows;
    for (int e = 0; e < isa::kEngineCount; ++e) rows[std::string(isa::engine_name(isa::Engine(e)))] = e;
    json events = json::array();
    for (const auto& ev : r.trace) {
        auto [it, added] = rows.emplace(ev.row, int(rows.size()));
        (void)added;
        json e = {{"name", ev.line ? fmt::format("{} L{}", ev.name, ev.line) : ev.name},
                  {"ph", "X"}, {"pid", 0}, {"tid", it->second},
                  {"ts", ev.start_ns / 1000}, {"dur", ev.duration_ns / 1000}};
        if (ev.line) e["args"] = {{"line", ev.line}, {"file", ctx.kernel_file}};
        events.push_back(std::move(e));
    }
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"args", {{"name", ctx.chip->name + " core 0"}}}});
    for (const auto& [name, tid] : rows)
        events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", tid}, {"args", {{"name", name}}}});
    return json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n";
}

}  // namespace nsim::cli
