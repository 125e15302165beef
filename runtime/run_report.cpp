#include "runtime/run_report.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/chrome_trace.h"
#include "runtime/roofline.h"
#include "sim/checks/race_description.h"

namespace nsim::runtime {

namespace {

using json = nlohmann::json;

double utilization(const sim::EngineReport& e, double time_ns) {
    return time_ns > 0 ? e.busy_ns / time_ns : 0;
}

double mib(uint64_t bytes) { return double(bytes) / (1 << 20); }

// Core `c`'s roofline: every core runs the context's program.
Roofline roofline_of(const RunContext& ctx, const sim::SystemRunResult& s, size_t c) {
    return core_roofline(*ctx.program, *ctx.chip, s.cores[c][0]);
}

std::string roofline_lines(const Roofline& roof, double time_ns) {
    if (!roof.binds())
        return "roofline: none, no engine or DMA work on this core (its time is its collectives' "
               "and its semaphore waits)\n";
    const Roofline::Bound& bound = roof.binding();
    std::string out = fmt::format(
        "roofline: {:.3f} us, bound by {}; the run takes {:.2f}x that ({:.0f}% of the "
        "roofline)\n  bounds in us:",
        bound.ns / 1000, bound.name, time_ns / bound.ns, 100 * roof.fraction_of(time_ns));
    for (const auto& b : roof.bounds) out += fmt::format(" {} {:.3f},", b.name, b.ns / 1000);
    out.back() = '\n';
    return out;
}

json roofline_json(const Roofline& roof, double time_ns) {
    json bounds;
    for (const auto& b : roof.bounds) bounds[b.name] = b.ns;
    return {{"bound_ns", roof.binding().ns},
            {"binding", roof.binding_name()},
            {"fraction", roof.fraction_of(time_ns)},
            {"matmul_flops", roof.matmul_flops},
            {"bounds_ns", bounds}};
}

std::string core_table(const sim::RunResult& r) {
    std::string out = fmt::format("\n{:<8} {:>12} {:>12} {:>7} {:>14}\n", "engine", "instructions",
                                  "busy us", "util", "sem wait us");
    int busiest = 0;
    for (int e = 0; e < isa::kEngineCount; ++e) {
        const auto& er = r.engines[size_t(e)];
        if (er.busy_ns > r.engines[size_t(busiest)].busy_ns) busiest = e;
        out += fmt::format("{:<8} {:>12} {:>12.3f} {:>6.1f}% {:>14.3f}\n",
                           isa::engine_name(isa::Engine(e)), er.instructions, er.busy_ns / 1000,
                           100 * utilization(er, r.time_ns), er.semaphore_wait_ns / 1000);
    }
    const double dma_share = r.time_ns > 0 ? r.dma.busy_ns / r.time_ns : 0;
    out +=
        fmt::format("{:<8} {:>12} {:>12.3f} {:>6.1f}%   {:.1f} MiB moved, {:.1f} GB/s while busy\n",
                    "dma", r.dma.transfers, r.dma.busy_ns / 1000, 100 * dma_share, mib(r.dma.bytes),
                    r.dma.busy_ns > 0 ? double(r.dma.bytes) / r.dma.busy_ns : 0.0);
    const double engine_share = utilization(r.engines[size_t(busiest)], r.time_ns);
    if (std::max(dma_share, engine_share) == 0)
        out += "\nbottleneck: none, no engine or DMA was busy\n";
    else
        out += fmt::format("\nbottleneck: {} ({:.1f}% of the time busy)\n",
                           dma_share > engine_share
                               ? std::string("dma")
                               : std::string(isa::engine_name(isa::Engine(busiest))),
                           100 * std::max(dma_share, engine_share));
    out += fmt::format(
        "traffic: DMA {:.2f} MiB in {} descriptors ({:.2f} MiB from device memory, {:.2f} MiB to "
        "it); "
        "engines SBUF {:.2f} MiB read, {:.2f} MiB written, PSUM {:.2f} MiB read, {:.2f} MiB "
        "written\n",
        mib(r.dma.bytes), r.dma.descriptors, mib(r.dma.device_read_bytes),
        mib(r.dma.device_write_bytes), mib(r.compute.sbuf_read_bytes),
        mib(r.compute.sbuf_write_bytes), mib(r.compute.psum_read_bytes),
        mib(r.compute.psum_write_bytes));
    return out;
}

json core_json(const sim::RunResult& r) {
    json j;
    j["time_ns"] = r.time_ns;
    j["collectives"] = {{"issued", r.collectives.issued},
                        {"bytes", r.collectives.bytes},
                        {"busy_ns", r.collectives.busy_ns},
                        {"analytic_ns", r.collectives.analytic_ns}};
    j["instructions"] = r.instructions;
    for (int e = 0; e < isa::kEngineCount; ++e) {
        const auto& er = r.engines[size_t(e)];
        const std::string name(isa::engine_name(isa::Engine(e)));
        j["engines"][name] = {{"busy_ns", er.busy_ns},
                              {"instructions", er.instructions},
                              {"utilization", utilization(er, r.time_ns)},
                              {"semaphore_wait_ns", er.semaphore_wait_ns}};
        j["semaphore_wait_ns"][name] = er.semaphore_wait_ns;
    }
    j["dma"] = {{"transfers", r.dma.transfers},
                {"descriptors", r.dma.descriptors},
                {"bytes", r.dma.bytes},
                {"device_read_bytes", r.dma.device_read_bytes},
                {"device_write_bytes", r.dma.device_write_bytes},
                {"busy_ns", r.dma.busy_ns},
                {"gbps_while_busy", r.dma.busy_ns > 0 ? double(r.dma.bytes) / r.dma.busy_ns : 0.0}};
    j["compute_traffic"] = {{"sbuf_read_bytes", r.compute.sbuf_read_bytes},
                            {"sbuf_write_bytes", r.compute.sbuf_write_bytes},
                            {"psum_read_bytes", r.compute.psum_read_bytes},
                            {"psum_write_bytes", r.compute.psum_write_bytes}};
    j["races"] = json::array();
    for (const auto& race : r.races) j["races"].push_back(sim::describe_race(race));
    j["race_count"] = r.race_count;
    j["uninitialized_reads"] = r.uninitialized_reads;
    return j;
}

json memory_json(const sim::ChipConfig& chip, const sim::MemoryReport& m) {
    json channels = json::array();
    for (const auto& c : m.channels)
        channels.push_back({{"bytes", c.bytes},
                            {"requests", c.requests},
                            {"busy_ns", c.busy_ns},
                            {"utilization", m.time_ns > 0 ? c.busy_ns / m.time_ns : 0.0},
                            {"achieved_gbps", m.time_ns > 0 ? double(c.bytes) / m.time_ns : 0.0}});
    return {{"bytes_read", m.bytes_read},
            {"bytes_written", m.bytes_written},
            {"achieved_gbps", m.achieved_gbps()},
            {"peak_gbps", chip.device_memory.bandwidth_gbps},
            {"channels", channels}};
}

RankPlace place_of(const RunContext& ctx, size_t c) {
    return ctx.places ? (*ctx.places)[c] : RankPlace{0, uint32_t(c)};
}

// The chips the ranks run on: 0 up to the last one's.
size_t chips_used(const RunContext& ctx, const sim::SystemRunResult& s) {
    return place_of(ctx, s.cores.size() - 1).chip + 1;
}

// One line per rank: where it ran, its time, the time its collectives were in flight and the
// largest analytic time of one of them, its DMA and its roofline.
std::string rank_table(const RunContext& ctx, const sim::SystemRunResult& s) {
    std::string out =
        fmt::format("\n{:>4} {:>4} {:>4} {:>10} {:>14} {:>11} {:>8} {:>11} {:<14} {:>8}\n", "rank",
                    "chip", "core", "time us", "collective us", "analytic us", "DMA MiB",
                    "roofline us", "bound by", "of roof");
    for (size_t c = 0; c < s.cores.size(); ++c) {
        const auto& rc = s.cores[c][0];
        const Roofline roof = roofline_of(ctx, s, c);
        const RankPlace p = place_of(ctx, c);
        out += fmt::format(
            "{:>4} {:>4} {:>4} {:>10.3f} {:>14.3f} {:>11.3f} {:>8.2f} {:>11.3f} {:<14} {:>8}\n", c,
            p.chip, p.core, rc.time_ns / 1000, rc.collectives.busy_ns / 1000,
            rc.collectives.analytic_ns / 1000, mib(rc.dma.bytes), roof.binding().ns / 1000,
            roof.binding_name(),
            roof.binds() ? fmt::format("{:.0f}%", 100 * roof.fraction_of(rc.time_ns)) : "-");
    }
    return out;
}

// The device memory of the one chip, or of the busiest of several with their totals.
std::string memory_lines(const RunContext& ctx, const sim::SystemRunResult& s) {
    const size_t chips = chips_used(ctx, s);
    size_t busiest = 0;
    uint64_t read = 0, written = 0;
    for (size_t c = 0; c < chips; ++c) {
        read += s.chips[c].bytes_read;
        written += s.chips[c].bytes_written;
        if (s.chips[c].achieved_gbps() > s.chips[busiest].achieved_gbps()) busiest = c;
    }
    const sim::MemoryReport& m = s.chips[busiest];
    std::string out = chips > 1
                          ? fmt::format(
                                "device memory of {} chips: {:.2f} MiB read, {:.2f} MiB written; "
                                "the busiest, chip {}: ",
                                chips, mib(read), mib(written), busiest)
                          : "device memory: ";
    out += fmt::format(
        "{:.2f} MiB read, {:.2f} MiB written, {:.1f} GB/s achieved of {:.1f} GB/s peak; channel "
        "utilisation",
        mib(m.bytes_read), mib(m.bytes_written), m.achieved_gbps(),
        ctx.chip->device_memory.bandwidth_gbps);
    for (const auto& ch : m.channels)
        out += fmt::format(" {:.1f}%", m.time_ns > 0 ? 100 * ch.busy_ns / m.time_ns : 0.0);
    return out + "\n";
}

}  // namespace

std::string run_summary(const RunContext& ctx, const sim::SystemRunResult& s) {
    const sim::RunResult& r = s.cores[0][0];
    const std::string where =
        ctx.instance.empty()
            ? fmt::format(
                  "{} (NeuronCore-{}){}", ctx.chip->name,
                  isa::generation_name(ctx.chip->generation),
                  s.cores.size() > 1 ? fmt::format(", {} cores at once", s.cores.size()) : "")
            : fmt::format("{} ({} chips x {} NeuronCore-{}), {} ranks on {} chips at once",
                          ctx.instance, s.chips.size(), ctx.chip->cores,
                          isa::generation_name(ctx.chip->generation), s.cores.size(),
                          chips_used(ctx, s));
    std::string out = fmt::format("{}: kernel {} on {}, {}\n", ctx.kernel_file, ctx.program->name,
                                  where, ctx.timing_only ? "timing only" : "timing and results");
    uint64_t instructions = 0;
    for (const auto& core : s.cores) instructions += core[0].instructions;
    const HostPhases* h = ctx.host_phases;
    out += fmt::format(
        "simulated time  {:.3f} us    instructions {}    host {:.3f} s ({}{:.3f} s simulating, "
        "{:.0f} instructions/s)\n",
        s.time_ns / 1000, instructions, ctx.host_seconds,
        h ? fmt::format("parse {:.3f}, verify {:.3f}, sync {:.3f}, ", h->parse, h->verify, h->sync)
          : "",
        s.host_seconds, s.host_seconds > 0 ? double(instructions) / s.host_seconds : 0.0);
    if (s.cores.size() > 1) out += "\nrank 0:";
    out += core_table(r);
    out += roofline_lines(roofline_of(ctx, s, 0), r.time_ns);
    if (s.cores.size() > 1) out += rank_table(ctx, s);
    out += memory_lines(ctx, s);
    if (ctx.check) out += fmt::format("verified: {}\n", ctx.check->text);
    // Every core runs the same kernel: core 0's findings stand for all.
    for (const auto& race : r.races) out += sim::describe_race(race) + "\n";
    if (r.race_count > r.races.size()) out += fmt::format("... {} races in all\n", r.race_count);
    for (const auto& u : r.uninitialized_reads) out += "warning: " + u + "\n";
    return out;
}

std::string run_report_json(const RunContext& ctx, const sim::SystemRunResult& s) {
    json j = core_json(s.cores[0][0]);
    j["roofline"] = roofline_json(roofline_of(ctx, s, 0), s.cores[0][0].time_ns);
    j["kernel"] = ctx.program->name;
    j["kernel_file"] = ctx.kernel_file;
    j["chip"] = ctx.chip->name;
    j["timing_only"] = ctx.timing_only;
    j["time_ns"] = s.time_ns;
    j["host_seconds"] = ctx.host_seconds;
    j["simulation_host_seconds"] = s.host_seconds;
    if (const HostPhases* h = ctx.host_phases)
        j["host_phases_seconds"] = {{"parse", h->parse},
                                    {"verify", h->verify},
                                    {"sync", h->sync},
                                    {"simulate", h->simulate}};
    j["instance"] = ctx.instance.empty() ? json(nullptr) : json(ctx.instance);
    j["ranks"] = s.cores.size();
    j["cores"] = json::array();
    for (size_t c = 0; c < s.cores.size(); ++c) {
        j["cores"].push_back(core_json(s.cores[c][0]));
        j["cores"].back()["roofline"] =
            roofline_json(roofline_of(ctx, s, c), s.cores[c][0].time_ns);
        const RankPlace p = place_of(ctx, c);
        j["cores"].back()["rank"] = c;
        j["cores"].back()["chip"] = p.chip;
        j["cores"].back()["core"] = p.core;
    }
    j["device_memory"] = memory_json(*ctx.chip, s.chips[0]);
    j["chips"] = json::array();
    for (size_t c = 0; c < chips_used(ctx, s); ++c)
        j["chips"].push_back({{"chip", c}, {"device_memory", memory_json(*ctx.chip, s.chips[c])}});
    if (ctx.check) {
        j["verified"] = ctx.check->ok;
        j["verification"] = ctx.check->text;
    }
    return j.dump(2) + "\n";
}

std::string chrome_trace_json(const RunContext& ctx, const sim::SystemRunResult& s) {
    std::vector<TracedCore> cores;
    for (size_t core = 0; core < s.cores.size(); ++core)
        cores.push_back({!ctx.instance.empty()
                             ? fmt::format("rank {} (chip {} core {})", core,
                                           place_of(ctx, core).chip, place_of(ctx, core).core)
                             : fmt::format("{} core {}", ctx.chip->name, core),
                         ctx.kernel_file, &s.cores[core][0]});
    return chrome_trace_json(cores);
}

}  // namespace nsim::runtime
