#include "cli/train_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nsim::cli {

namespace {

using json = nlohmann::json;

double ms(double ns) { return ns / 1e6; }
double mib(uint64_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

// What the study assumes, stated in every report.
json assumptions(const runtime::TrainStudy& s) {
    return {
        "data parallel: every NeuronCore holds the whole model and --batch sequences; the global "
        "batch is batch x ranks",
        "one layer's forward and backward programs are simulated once (timing only, on every core "
        "of one chip at "
        "once, sharing its HBM and DMA) and their times reused for every layer, all layers having "
        "the same shapes; "
        "embeddings, pooler and classifier compute are not simulated (their gradients are "
        "all-reduced)",
        "the collective's own HBM and DMA traffic is not charged to the compute running beside it",
        "gradients are fp32 and all-reduced in buckets of --bucket-bytes (default 25 MiB, PyTorch "
        "DDP's "
        "bucket_cap_mb), one bucket at a time in the order the backward pass makes them ready",
        fmt::format("AdamW: {} bytes of HBM traffic per parameter at the core's share of HBM "
                    "bandwidth ({:.0f} GB/s)",
                    runtime::kAdamWBytesPerParameter,
                    s.instance.chip.device_memory.bandwidth_gbps / s.instance.chip.cores),
        "all-reduce: " + s.all_reduce_method,
    };
}

}  // namespace

std::string train_summary(const runtime::TrainStudy& s) {
    const auto& t = s.timeline;
    std::string out = fmt::format(
        "{} on {} ({} NeuronCores, data parallel), {} sequences per core (global batch {}), {} "
        "parameters\n",
        s.spec.name, s.instance.name, s.ranks, s.batch, s.batch * s.ranks, s.parameters);
    out += fmt::format(
        "  one layer: forward {:.3f} ms ({} instructions), backward {:.3f} ms ({} instructions)\n",
        ms(s.forward.time_ns), s.forward.instructions, ms(s.backward.time_ns),
        s.backward.instructions);
    out += fmt::format("  gradients {:.1f} MiB in {} buckets of up to {:.1f} MiB; all-reduce: {}\n",
                       mib(s.gradient_bytes), t.buckets.size(), mib(s.bucket_bytes),
                       s.all_reduce_method);
    out += fmt::format("  step time               {:10.3f} ms   ({:.1f} sequences/s)\n",
                       ms(t.step_ns), s.samples_per_second());
    out += fmt::format("  compute (fwd + bwd)     {:10.3f} ms\n", ms(t.compute_ns));
    out += fmt::format("  optimizer (AdamW)       {:10.3f} ms\n", ms(t.optimizer_ns));
    out += fmt::format("  communication           {:10.3f} ms\n", ms(t.communication_ns));
    out += fmt::format("  exposed communication   {:10.3f} ms   (overlap {:.1f}%)\n",
                       ms(t.exposed_communication_ns), t.overlap_percent());
    out += fmt::format("  all-reduce bus bandwidth {:9.1f} GB/s\n", t.bus_bandwidth_gbps());
    out += fmt::format("  (host {:.1f} s)\n", s.host_seconds);
    return out;
}

std::string train_report_json(const runtime::TrainStudy& s) {
    const auto& t = s.timeline;
    json buckets = json::array();
    for (const auto& b : t.buckets)
        buckets.push_back({{"bytes", b.bytes},
                           {"tensors", b.tensors.size()},
                           {"first_tensor", b.tensors.front()},
                           {"ready_ns", b.ready_ns},
                           {"start_ns", b.start_ns},
                           {"end_ns", b.end_ns}});
    json r = {{"model", s.spec.name},
              {"instance", s.instance.name},
              {"ranks", s.ranks},
              {"batch_per_core", s.batch},
              {"global_batch", s.batch * s.ranks},
              {"parameters", s.parameters},
              {"gradient_bytes", s.gradient_bytes},
              {"bucket_bytes", s.bucket_bytes},
              {"layer_forward",
               {{"time_ns", s.forward.time_ns}, {"instructions", s.forward.instructions}}},
              {"layer_backward",
               {{"time_ns", s.backward.time_ns}, {"instructions", s.backward.instructions}}},
              {"step_time_ns", t.step_ns},
              {"compute_time_ns", t.compute_ns},
              {"optimizer_time_ns", t.optimizer_ns},
              {"communication_time_ns", t.communication_ns},
              {"exposed_communication_ns", t.exposed_communication_ns},
              {"overlap_percent", t.overlap_percent()},
              {"bus_bandwidth_gbps", t.bus_bandwidth_gbps()},
              {"samples_per_second", s.samples_per_second()},
              {"buckets", buckets},
              {"assumptions", assumptions(s)},
              {"host_seconds", s.host_seconds}};
    return r.dump(2) + "\n";
}

std::string train_trace_json(const runtime::TrainStudy& s) {
    json events = json::array();
    const auto bar = [&](int tid, const std::string& name, double start, double end, json args) {
        events.push_back({{"name", name},
                          {"ph", "X"},
                          {"pid", 0},
                          {"tid", tid},
                          {"ts", start / 1000},
                          {"dur", (end - start) / 1000},
                          {"args", std::move(args)}});
    };
    for (const auto& c : s.timeline.compute) bar(0, c.name, c.start_ns, c.end_ns, json::object());
    for (size_t i = 0; i < s.timeline.buckets.size(); ++i) {
        const auto& b = s.timeline.buckets[i];
        bar(1, fmt::format("all_reduce bucket {} ({:.1f} MiB)", i, mib(b.bytes)), b.start_ns,
            b.end_ns, {{"bytes", b.bytes}, {"ready_ns", b.ready_ns}, {"tensors", b.tensors}});
    }
    events.push_back(
        {{"name", "process_name"},
         {"ph", "M"},
         {"pid", 0},
         {"args", {{"name", fmt::format("{} rank 0 ({})", s.instance.name, s.spec.name)}}}});
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", 0},
                      {"tid", 0},
                      {"args", {{"name", "compute"}}}});
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", 0},
                      {"tid", 1},
                      {"args", {{"name", "collective engine"}}}});
    return json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n";
}

}  // namespace nsim::cli
