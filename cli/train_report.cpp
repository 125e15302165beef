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
        "data parallel: every NeuronCore holds the whole model and --batch sequences per "
        "micro-batch; the global batch is batch x ranks x micro-batches (gradient accumulation)",
        "one layer's forward and backward programs are simulated once for one micro-batch (timing "
        "only, on every core of one chip at once, sharing its HBM and DMA) and their times reused "
        "for every layer and every micro-batch, all having the same shapes; embeddings, pooler and "
        "classifier compute are not simulated (their gradients are all-reduced)",
        "the micro-batches before the last only compute and accumulate gradients (no "
        "communication, as DDP's no_sync); the all-reduce overlaps the last micro-batch's backward "
        "pass; the optimizer runs once per global step",
        fmt::format("--dtype {}: {}", runtime::name(s.dtype),
                    s.dtype == runtime::TrainDtype::fp32
                        ? "matmuls, activations and gradients in fp32 (fp32 matmuls cost 4x bf16)"
                        : "matmul operands, the backward pass's saved activations, its gradients "
                          "(accumulated and all-reduced) in bf16 with stochastic rounding; master "
                          "weights and optimizer states in fp32; the forward pass keeps the "
                          "inference lowering's fp32 activations between its kernels"),
        "the collective's own HBM and DMA traffic is not charged to the compute running beside it",
        "gradients are all-reduced in buckets of --bucket-bytes (default 25 MiB, PyTorch DDP's "
        "bucket_cap_mb), one bucket at a time in the order the backward pass makes them ready",
        s.optimizer_work.what,
        s.accumulation_work.what,
        fmt::format("optimizer and accumulation passes: the larger of their HBM traffic at the "
                    "core's share of HBM bandwidth ({:.0f} GB/s) and their operations on the "
                    "Vector and Scalar engines ({} elements per cycle each)",
                    s.instance.chip.device_memory.bandwidth_gbps / s.instance.chip.cores,
                    s.instance.chip.limits.partitions),
        "all-reduce: " + s.all_reduce_method,
    };
}

}  // namespace

std::string train_summary(const runtime::TrainStudy& s) {
    const auto& t = s.timeline;
    std::string out = fmt::format(
        "{} on {} ({} NeuronCores, data parallel), {}, {}, {} parameters\n", s.spec.name,
        s.instance.name, s.ranks, runtime::name(s.dtype), runtime::name(s.optimizer), s.parameters);
    out += fmt::format("  global batch {} = {} sequences per core x {} cores x {}\n",
                       s.global_batch, s.batch, s.ranks,
                       s.micro_steps > 1
                           ? fmt::format("{} micro-batches (gradient accumulation)", s.micro_steps)
                           : std::string("1 micro-batch (no gradient accumulation)"));
    out += fmt::format(
        "  one layer, one micro-batch: forward {:.3f} ms ({} instructions), backward {:.3f} ms ({} "
        "instructions)\n",
        ms(s.forward.time_ns), s.forward.instructions, ms(s.backward.time_ns),
        s.backward.instructions);
    out += fmt::format(
        "  one micro-batch {:.3f} ms (forward + backward); gradient accumulation {:.3f} ms each\n",
        ms(s.micro_step_ns), ms(s.accumulation_ns));
    out += fmt::format(
        "  gradients {:.1f} MiB in {} buckets of up to {:.1f} MiB, once per global step; "
        "all-reduce: {}\n",
        mib(s.gradient_bytes), t.buckets.size(), mib(s.bucket_bytes), s.all_reduce_method);
    const auto row = [&](const std::string& label, double ns, double percent,
                         const std::string& note) {
        out += fmt::format("  {:<31}{:10.3f} ms  {:5.1f}%{}\n", label, ms(ns), percent, note);
    };
    out += fmt::format("  {:<31}{:10.3f} ms  ({:.1f} sequences/s)\n", "global step time",
                       ms(t.step_ns), s.sequences_per_second());
    row("compute (fwd, bwd, accumulate)", t.compute_ns, s.compute_percent(), "");
    row("exposed communication", t.exposed_communication_ns, s.communication_percent(),
        fmt::format("   (all-reduce {:.3f} ms, overlap {:.1f}%)", ms(t.communication_ns),
                    t.overlap_percent()));
    row(fmt::format("optimizer ({})", runtime::name(s.optimizer)), t.optimizer_ns,
        s.optimizer_percent(), "");
    out +=
        fmt::format("  {:<31}{:10.1f} GB/s\n", "all-reduce bus bandwidth", t.bus_bandwidth_gbps());
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
              {"global_batch", s.global_batch},
              {"micro_steps", s.micro_steps},
              {"dtype", runtime::name(s.dtype)},
              {"optimizer", runtime::name(s.optimizer)},
              {"parameters", s.parameters},
              {"gradient_bytes", s.gradient_bytes},
              {"bucket_bytes", s.bucket_bytes},
              {"layer_forward",
               {{"time_ns", s.forward.time_ns}, {"instructions", s.forward.instructions}}},
              {"layer_backward",
               {{"time_ns", s.backward.time_ns}, {"instructions", s.backward.instructions}}},
              {"micro_step_ns", s.micro_step_ns},
              {"accumulation_ns", s.accumulation_ns},
              {"optimizer_work",
               {{"hbm_bytes_per_parameter", s.optimizer_work.hbm_bytes},
                {"operations_per_parameter", s.optimizer_work.elementwise_ops}}},
              {"step_time_ns", t.step_ns},
              {"compute_time_ns", t.compute_ns},
              {"optimizer_time_ns", t.optimizer_ns},
              {"communication_time_ns", t.communication_ns},
              {"exposed_communication_ns", t.exposed_communication_ns},
              {"overlap_percent", t.overlap_percent()},
              {"bus_bandwidth_gbps", t.bus_bandwidth_gbps()},
              {"sequences_per_second", s.sequences_per_second()},
              {"share_percent",
               {{"compute", s.compute_percent()},
                {"communication", s.communication_percent()},
                {"optimizer", s.optimizer_percent()}}},
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
