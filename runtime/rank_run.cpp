#include "runtime/rank_run.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "compiler/sync_insertion.h"
#include "isa/error.h"
#include "isa/rank_rules.h"
#include "isa/verifier.h"
#include "sim/io/npy.h"
#include "sim/semantics/host_memory.h"

namespace nsim::runtime {

namespace {

// Rank r's tensors: each input and weight from its file (the rank's, with "{rank}"), or filled
// from the rank's seed. Timing only, the files are read and checked but nothing is stored.
void load_rank(sim::DeviceMemory& hbm, const RankRunRequest& r, const isa::Program& program,
               uint32_t rank) {
    for (const auto& t : program.tensors) {
        const auto file = r.input_files.find(t.name);
        if (file != r.input_files.end()) {
            const std::string path = rank_file(file->second, rank);
            if (r.options.timing_only)
                sim::read_tensor_file(t, path);
            else
                sim::load_tensor(hbm, t, path);
        } else if (!r.options.timing_only &&
                   (t.role == isa::TensorRole::input || t.role == isa::TensorRole::weight)) {
            sim::fill_tensor(hbm, t, rank_seed(r.options.seed, rank));
        }
    }
}

uint32_t cores_of(const RankRunRequest& r) {
    return r.instance ? r.instance->chips * r.chip.cores : r.chip.cores;
}

void check_ranks(const RankRunRequest& r) {
    const uint32_t cores = cores_of(r);
    if (r.ranks < 1 || r.ranks > cores)
        throw UsageError(
            r.instance ? fmt::format("{} ranks: instance {} has {} cores ({} x {} of {}), expected "
                                     "1 to {}",
                                     r.ranks, r.instance->name, cores, r.instance->chips,
                                     r.chip.cores, r.chip.name, cores)
                       : fmt::format("{} ranks: chip {} has {} cores, expected 1 to {}", r.ranks,
                                     r.chip.name, cores, cores));
    if (auto diags = isa::check_ranks(r.program, r.ranks); !diags.empty())
        throw isa::KernelError(r.kernel_file, diags);
}

}  // namespace

uint64_t rank_seed(uint64_t seed, uint32_t rank) {
    return seed ^ (uint64_t(rank) * 0x9E3779B97F4A7C15ull);  // 2^64 / golden ratio: spreads ranks
}

std::string rank_file(const std::string& file, uint32_t rank) {
    std::string out = file;
    const std::string key = "{rank}";
    for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at))
        out.replace(at, key.size(), std::to_string(rank));
    return out;
}

RankRunResult run_ranks(RankRunRequest& r) {
    RankRunResult out;
    auto phase_start = std::chrono::steady_clock::now();
    // The seconds since the previous call (or the start).
    const auto lap = [&phase_start] {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - phase_start).count();
        phase_start = now;
        return seconds;
    };
    if (auto diags = isa::verify(r.program, r.chip.limits); !diags.empty())
        throw isa::KernelError(r.kernel_file, diags);
    out.host.verify = lap();
    check_ranks(r);
    // The collectives' check replays the program as written: only then is a copy kept.
    const bool check =
        !r.options.timing_only &&
        std::any_of(r.program.instructions.begin(), r.program.instructions.end(),
                    [](const isa::Instruction& i) { return isa::is_collective(i.op); });
    isa::Program written = check ? r.program : isa::Program();
    lap();
    out.program = r.program.form == isa::ProgramForm::sequential
                      ? compiler::insert_sync(std::move(r.program), r.chip.limits, r.kernel_file)
                      : std::move(r.program);
    r.program = isa::Program();
    out.host.sync = lap();
    // Timing alone never reads device memory; with results, the need is bounded before allocating.
    if (!r.options.timing_only)
        sim::check_host_memory(
            std::vector<std::vector<const isa::Program*>>(r.ranks, {&out.program}), r.chip.limits,
            r.options.max_host_bytes);
    std::vector<sim::CorePlacement> placements;
    out.hbm.resize(r.ranks);
    for (uint32_t rank = 0; rank < r.ranks; ++rank) {
        out.places.push_back({rank / r.chip.cores, rank % r.chip.cores});
        placements.push_back({out.places.back().chip, out.places.back().core, {&out.program}});
        if (!r.options.timing_only) out.hbm[rank].allocate(out.program.tensors);
        load_rank(out.hbm[rank], r, out.program, rank);
    }
    std::vector<sim::DeviceMemory> before;
    if (!r.options.timing_only) before = out.hbm;
    const auto ops = sim::builtin_custom_ops();
    out.system = sim::run_system(r.chip, r.instance ? r.instance->chips : 1, placements, out.hbm,
                                 ops, r.options, r.instance);
    out.host.simulate = lap();
    if (r.options.timing_only)
        out.check.text = "not checked: timing only";
    else
        out.check = check_collectives(written, r.chip.limits, before, out.hbm);
    return out;
}

}  // namespace nsim::runtime
