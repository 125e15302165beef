#include "runtime/kernel_run.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "compiler/sync_insertion.h"
#include "isa/diagnostic.h"
#include "isa/verifier.h"
#include "runtime/child_process.h"
#include "runtime/run_report.h"
#include "sim/io/npy.h"
#include "sim/semantics/host_memory.h"
#include "sim/system/run_system.h"

namespace nsim::runtime {

namespace {

// The child's answer: length-prefixed pieces, the texts first, then name and bytes per output.
void put(std::string& out, const void* data, uint64_t size) {
    out.append(reinterpret_cast<const char*>(&size), sizeof size);
    out.append(static_cast<const char*>(data), size);
}
void put(std::string& out, const std::string& s) { put(out, s.data(), s.size()); }

class Reader {
public:
    explicit Reader(const std::string& bytes) : m_bytes(bytes) {}
    bool done() const { return m_at == m_bytes.size(); }
    std::string next() {
        uint64_t size = 0;
        if (m_bytes.size() - m_at < sizeof size) fail();
        std::memcpy(&size, m_bytes.data() + m_at, sizeof size);
        m_at += sizeof size;
        if (m_bytes.size() - m_at < size) fail();
        std::string piece = m_bytes.substr(m_at, size);
        m_at += size;
        return piece;
    }

private:
    [[noreturn]] static void fail() {
        throw std::runtime_error("the simulation process sent a truncated result");
    }
    const std::string& m_bytes;
    size_t m_at = 0;
};

void check_inputs(const KernelRunRequest& r) {
    for (const auto& [name, bytes] : r.inputs) {
        const isa::TensorDecl* t = r.programs[0]->find_tensor(name);
        // An output may be given too: its starting contents (NKI kernels that store into an
        // argument leave the elements they do not write as the caller had them).
        if (!t)
            throw InputError(fmt::format("{}: input '{}': the kernel has no tensor of that name",
                                         r.kernel_file, name));
        if (bytes.size() != t->size_bytes())
            throw InputError(fmt::format("{}: input '{}': {} bytes given, expected {}",
                                         r.kernel_file, name, bytes.size(), t->size_bytes()));
    }
    if (r.cores < 1 || r.cores > r.chip->cores)
        throw UsageError(fmt::format("cores {}: chip {} has {} cores, expected 1 to {}", r.cores,
                                     r.chip->name, r.chip->cores, r.chip->cores));
}

// Runs in the child: the simulation, then everything the parent wants, packed.
std::string simulate(const KernelRunRequest& r, const std::vector<isa::Program>& programs) {
    const auto host_start = std::chrono::steady_clock::now();
    const isa::Program& program = programs[0];
    const uint32_t cores =
        programs.size() > 1 ? std::min<uint32_t>(r.cores, uint32_t(programs.size())) : r.cores;
    std::vector<sim::DeviceMemory> hbm(cores);
    std::vector<sim::CorePlacement> placements;
    for (uint32_t c = 0; c < cores; ++c) {
        placements.push_back({0, c, {}});
        for (size_t p = c; p < std::max<size_t>(programs.size(), cores); p += cores)
            placements.back().programs.push_back(&programs[p % programs.size()]);
    }
    // Timing alone never reads device memory; with results, the need is bounded before allocating.
    if (!r.options.timing_only) {
        std::vector<std::vector<const isa::Program*>> per_core;
        for (const auto& p : placements) per_core.push_back(p.programs);
        sim::check_host_memory(per_core, r.chip->limits, r.options.max_host_bytes);
        for (uint32_t c = 0; c < cores; ++c) {
            hbm[c].allocate(program.tensors);
            for (const auto& t : program.tensors) {
                if (auto it = r.inputs.find(t.name); it != r.inputs.end())
                    hbm[c].bytes(t.name) = it->second;
                else if (t.role == isa::TensorRole::input || t.role == isa::TensorRole::weight)
                    sim::fill_tensor(hbm[c], t, r.options.seed);
            }
        }
    }
    const auto ops = sim::builtin_custom_ops();
    const sim::SystemRunResult result =
        sim::run_system(*r.chip, 1, placements, hbm, ops, r.options);
    RunContext ctx;
    ctx.kernel_file = r.kernel_file;
    ctx.program = &program;
    ctx.chip = r.chip;
    ctx.timing_only = r.options.timing_only;
    ctx.host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
    std::string out;
    const uint64_t races = result.cores[0][0].race_count;
    put(out, &races, sizeof races);
    put(out, run_summary(ctx, result));
    put(out, run_report_json(ctx, result));
    put(out, r.options.trace ? chrome_trace_json(ctx, result) : std::string());
    if (!r.options.timing_only)
        for (uint32_t c = 0; c < cores; ++c)
            for (const auto& t : program.tensors)
                if (t.role == isa::TensorRole::output) {
                    put(out, std::to_string(c));
                    put(out, t.name);
                    const auto& bytes = hbm[c].bytes(t.name);
                    put(out, bytes.data(), bytes.size());
                }
    return out;
}

}  // namespace

KernelRunOutput run_kernel_isolated(const KernelRunRequest& request) {
    if (request.programs.empty()) throw UsageError("run_kernel_isolated: no program to run");
    std::vector<isa::Program> programs;
    for (const isa::Program* p : request.programs) {
        if (auto diags = isa::verify(*p, request.chip->limits); !diags.empty())
            throw isa::KernelError(request.kernel_file, diags);
        if (p->tensors != request.programs[0]->tensors)
            throw UsageError(
                fmt::format("{}: the programs declare different tensors, expected the "
                            "same in every one",
                            request.kernel_file));
        programs.push_back(
            p->form == isa::ProgramForm::sequential
                ? compiler::insert_sync(*p, request.chip->limits, request.kernel_file)
                : *p);
    }
    check_inputs(request);
    const auto outcomes = run_children({[&] { return simulate(request, programs); }}, 1);
    if (!outcomes[0].ok) throw_failure(outcomes[0]);

    Reader reader(outcomes[0].text);
    KernelRunOutput out;
    uint64_t races = 0;
    const std::string race_bytes = reader.next();
    std::memcpy(&races, race_bytes.data(), std::min(race_bytes.size(), sizeof races));
    out.race_count = races;
    out.summary = reader.next();
    out.report_json = reader.next();
    out.trace_json = reader.next();
    while (!reader.done()) {
        const size_t core = std::stoul(reader.next());
        const std::string name = reader.next();
        const std::string bytes = reader.next();
        if (out.outputs.size() <= core) out.outputs.resize(core + 1);
        out.outputs[core][name].assign(bytes.begin(), bytes.end());
    }
    if (out.race_count > 0 && request.options.races == sim::RaceMode::error)
        throw SimError(fmt::format("{}: {} race(s) between unsynchronised instructions\n{}",
                                   request.kernel_file, out.race_count, out.summary));
    return out;
}

}  // namespace nsim::runtime
