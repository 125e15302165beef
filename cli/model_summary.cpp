#include "cli/model_summary.h"

#include <fmt/format.h>

namespace nsim::cli {

void print_model_summary(const runtime::ModelRunResult& r) {
    fmt::print("{} on {}: {} parallel, batch {}, {} cop{} x {} core{}, {} worker{} per copy\n",
               r.model, r.instance, runtime::parallelism_name(r.parallel), r.batch, r.copies,
               r.copies == 1 ? "y" : "ies", r.pipeline_cores, r.pipeline_cores == 1 ? "" : "s",
               r.workers_per_model, r.workers_per_model == 1 ? "" : "s");
    const auto& l = r.latency_ms;
    fmt::print("  throughput   {:.1f} inferences/s ({} requests measured after {} warm-up)\n",
               r.throughput_per_s, r.requests, r.warmup_requests);
    fmt::print(
        "  latency ms   p0 {:.3f}  p50 {:.3f}  p90 {:.3f}  p95 {:.3f}  p99 {:.3f}  p100 {:.3f}  "
        "mean {:.3f}\n",
        l.p0, l.p50, l.p90, l.p95, l.p99, l.p100, l.mean);
    fmt::print("  cost         ${:.3f} per hour, ${:.4f} per 1M inferences\n", r.cost_per_hour_usd,
               r.cost_per_1m_usd);
    if (r.functional)
        fmt::print("  functional   max |error| {:.3g} against the fp32 reference ({})\n",
                   r.functional->max_abs_error, r.functional->note);
    const auto& h = r.host;
    fmt::print(
        "  host CPU     {:.0f}% of {} vCPU{}, {:.3f} ms per call ({:.3f} the framework's call, "
        "copies at {:g} GB/s)\n",
        100 * h.busy, h.vcpus, h.vcpus == 1 ? "" : "s", h.cpu_ms_per_call, h.cpu_per_call_us * 1e-3,
        h.copy_gbps);
    fmt::print("  simulated    {:.3f} ms of chip time in {:.1f} s of host time\n",
               r.simulated_ns * 1e-6, r.host_seconds);
    // Weights in MB (1e6 bytes): held in SBUF, and read from device memory per batch.
    fmt::print("\n{:<14} {:>4} {:>5} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>9} {:>11} {:>11}  {}\n",
               "core", "copy", "stage", "stage ms", "busy", "tensor", "vector", "scalar", "gpsimd",
               "dram GB/s", "resident MB", "streamed MB", "roofline ms, bound by, reached");
    for (const auto& c : r.cores) {
        auto pct = [&](isa::Engine e) {
            const auto& busy = c.engine_utilisation[size_t(e)];
            return busy ? fmt::format("{:.0f}%", 100 * *busy) : "-";
        };
        fmt::print(
            "{:<14} {:>4} {:>5} {:>9.3f} {:>5.0f}% {:>7} {:>7} {:>7} {:>7} {:>9.1f} {:>11.2f} "
            "{:>11.2f}  {:.3f} {} {:.0f}%\n",
            c.core, c.copy, c.stage, c.stage_ms, 100 * c.busy, pct(isa::Engine::tensor),
            pct(isa::Engine::vector), pct(isa::Engine::scalar), pct(isa::Engine::gpsimd),
            c.dram_gbps, double(c.resident_weight_bytes) * 1e-6,
            double(c.streamed_weight_bytes) * 1e-6, c.roofline_ms, c.roofline_bound,
            100 * c.roofline_fraction);
    }
    // The vCPUs beside the cores: a call's host time and their busy share.
    fmt::print("{:<14} {:>4} {:>5} {:>9.3f} {:>5.0f}%\n",
               fmt::format("host {} vCPU{}", h.vcpus, h.vcpus == 1 ? "" : "s"), "-", "-",
               h.cpu_ms_per_call, 100 * h.busy);
}

}  // namespace nsim::cli
