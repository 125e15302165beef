// Engines run ahead of SystemC's time where nothing can tell (engine.h): the same kernel run with
// and without it must give the same times, trace, stalls, races and never-written reads. Each run
// is a forked child (one simulation per process) that sends back its results as text.
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "isa/kernel_text.h"
#include "output_in_child.h"
#include "sim/checks/race_description.h"
#include "sim/config/chip_config.h"
#include "sim/system/run_kernel.h"

using namespace nsim;

namespace {

// The tensor engine runs a long accumulation with no semaphore between its matmuls (it runs
// ahead) while the vector and scalar engines, unsynchronised, race with it and with each other in
// the middle of that run.
std::string kernel_text() {
    std::string k =
        "kernel run_ahead\ntarget v2\ntensor a [128,2048] bf16 input\n"
        "tensor out [128,512] f32 output\n"
        "stream sync\n"
        "dma_copy dst=sbuf[0:128]@0.bf16[2048] src=a[0:128]@0.bf16[2048] queue=0 inc=s0\n"
        "dma_copy dst=out[0:128]@0.f32[512] src=sbuf[0:128]@8192.f32[512] queue=1 wait=s2>=1\n"
        "stream tensor\n";
    for (int i = 0; i < 24; ++i)
        k += fmt::format(
            "nc_matmul dst=psum[0:128]@0.f32[512] stationary=sbuf[0:128]@{}.bf16[128] "
            "moving=sbuf[0:128]@{}.bf16[512] accumulate={}{}{}\n",
            (i % 4) * 256, (i % 4) * 1024, i > 0, i == 0 ? " wait=s0>=1" : "",
            i == 23 ? " inc=s1" : "");
    k += "stream vector\n";
    for (int i = 0; i < 6; ++i)
        k += fmt::format("memset dst=sbuf[0:128]@{}.f32[64] value=1\n", 12288 + i * 256);
    k += "tensor_copy dst=sbuf[0:128]@16384.f32[512] src=psum[0:128]@0.f32[512]\n"
         "tensor_copy dst=sbuf[0:128]@8192.f32[512] src=psum[0:128]@0.f32[512] wait=s1>=1 "
         "inc=s2\n"
         "stream scalar\n";
    for (int i = 0; i < 5; ++i)
        k += fmt::format(
            "activation dst=sbuf[0:128]@{}.f32[64] op=copy data=sbuf[0:128]@{}.f32[64]\n",
            20480 + i * 256, 12288 + i * 256);
    k += "activation dst=sbuf[0:128]@512.bf16[64] op=copy data=sbuf[0:128]@24576.f32[64]\n";
    return k;
}

std::string results(bool run_ahead, bool timing_only) {
    const isa::Program program = isa::parse_kernel(kernel_text(), "run_ahead.nki");
    sim::DeviceMemory hbm;
    hbm.allocate(program.tensors);
    sim::RunOptions options;
    options.timing_only = timing_only;
    options.races = sim::RaceMode::warn;
    options.trace = true;
    options.run_ahead = run_ahead;
    const sim::RunResult r =
        sim::run_kernel(program, sim::load_chip("trn1"), hbm, sim::builtin_custom_ops(), options);
    std::string text = fmt::format("time {:.17g} instructions {} races {}\n", r.time_ns,
                                   r.instructions, r.race_count);
    for (const auto& e : r.engines)
        text += fmt::format("engine {} {:.17g} {:.17g}\n", e.instructions, e.busy_ns,
                            e.semaphore_wait_ns);
    for (const auto& race : r.races) text += sim::describe_race(race) + "\n";
    for (const auto& read : r.uninitialized_reads) text += read + "\n";
    for (const auto& t : r.trace)
        text += fmt::format("{} {} {} {:.17g} {:.17g}\n", t.row, t.name, t.line, t.start_ns,
                            t.duration_ns);
    if (!timing_only)
        for (uint8_t byte : hbm.bytes("out")) text += char('a' + byte % 16);
    return text;
}

// `results` in a forked child.
std::string results_in_child(bool run_ahead, bool timing_only) {
    return test::output_in_child([&] { return results(run_ahead, timing_only); });
}

}  // namespace

TEST_CASE("engine: running ahead of SystemC's time changes no time, trace, race or value",
          "[sim]") {
    for (bool timing_only : {true, false}) {
        const std::string ahead = results_in_child(true, timing_only);
        const std::string waiting = results_in_child(false, timing_only);
        CHECK(ahead == waiting);
        // The kernel does what it is meant to: races in the middle of the tensor engine's run.
        CHECK_THAT(ahead, Catch::Contains("on vector reads and line 12 (nc_matmul) on tensor"));
        CHECK_THAT(ahead, Catch::Contains("on scalar writes and line 13 (nc_matmul) on tensor"));
    }
}
