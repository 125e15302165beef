#include "sim/system/run_system.h"

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <systemc>

#include <fmt/format.h>

#include "isa/error.h"
#include "isa/opcode_table.h"
#include "sim/core/sim_time.h"
#include "sim/system/chip.h"
#include "sim/system/system_collectives.h"

namespace nsim::sim {

namespace {

void check_placements(const ChipConfig& chip, uint32_t chips,
                      const std::vector<CorePlacement>& placements,
                      const std::vector<DeviceMemory>& hbm) {
    if (chips == 0) throw SimError("run_system: expected at least one chip");
    if (placements.empty()) throw SimError("run_system: expected at least one core placement");
    if (hbm.size() != placements.size())
        throw SimError(fmt::format(
            "run_system: {} device memories for {} placements, expected one per placement",
            hbm.size(), placements.size()));
    std::set<std::pair<uint32_t, uint32_t>> used;
    for (size_t i = 0; i < placements.size(); ++i) {
        const auto& p = placements[i];
        if (p.chip >= chips || p.core >= chip.cores)
            throw SimError(
                fmt::format("placement {}: chip {} core {} does not exist, expected chip < {} and "
                            "core < {} ({})",
                            i, p.chip, p.core, chips, chip.cores, chip.name));
        if (!used.insert({p.chip, p.core}).second)
            throw SimError(
                fmt::format("placement {}: chip {} core {} is already placed", i, p.chip, p.core));
        if (p.programs.empty())
            throw SimError(fmt::format("placement {}: expected at least one program", i));
        for (const auto* program : p.programs)
            if (program->target != chip.generation)
                throw SimError(
                    fmt::format("placement {}: kernel {} targets {} but chip {} is NeuronCore-{}",
                                i, program->name, isa::generation_name(program->target), chip.name,
                                isa::generation_name(chip.generation)));
    }
}

bool has_collectives(const std::vector<CorePlacement>& placements) {
    for (const auto& p : placements)
        for (const auto* program : p.programs)
            for (const auto& inst : program->instructions)
                if (isa::is_collective(inst.op)) return true;
    return false;
}

// The instance the collectives run on: `instance`, checked against the chip and count, or one
// chip without links.
InstanceConfig collective_instance(const ChipConfig& chip, uint32_t chips,
                                   const InstanceConfig* instance) {
    if (instance) {
        if (instance->chips != chips || instance->chip.name != chip.name)
            throw SimError(fmt::format(
                "run_system: instance {} has {} x {}, but the system runs {} x {}", instance->name,
                instance->chips, instance->chip.name, chips, chip.name));
        return *instance;
    }
    if (chips != 1)
        throw SimError(fmt::format(
            "run_system: collectives across {} chips need the instance's NeuronLink topology "
            "(pass an InstanceConfig)",
            chips));
    InstanceConfig single;
    single.name = fmt::format("one {} chip", chip.name);
    single.chip = chip;
    return single;
}

}  // namespace

SystemRunResult run_system(const ChipConfig& chip, uint32_t chips,
                           const std::vector<CorePlacement>& placements,
                           std::vector<DeviceMemory>& hbm, const CustomOpRegistry& ops,
                           const RunOptions& options, const InstanceConfig* instance) {
    static bool simulated = false;
    if (simulated)
        throw SimError("one simulation per process: SystemC cannot elaborate a second system");
    check_placements(chip, chips, placements, hbm);
    if (!options.timing_only) {
        std::vector<std::vector<const isa::Program*>> cores;
        for (const auto& p : placements) cores.push_back(p.programs);
        check_host_memory(cores, chip.limits, options.max_host_bytes);
    }
    std::optional<InstanceConfig> cc_instance;
    if (has_collectives(placements)) cc_instance = collective_instance(chip, chips, instance);
    simulated = true;
    // Femtoseconds: engine cycles at GHz clocks are not whole picoseconds. Set before any sc_time.
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
    // An error inside an engine stops the simulation (NeuronCore::fail): no SystemC notice for it.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
    // Several cores may fail in the same step (e.g. every rank of a malformed collective): each
    // stops.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_SIMULATION_STOP_CALLED_TWICE_,
                                            sc_core::SC_DO_NOTHING);
    const auto host_start = std::chrono::steady_clock::now();

    // Each placement gets an equal, page-aligned share of its chip's device memory.
    std::vector<std::vector<CoreSlot>> slots(chips);
    std::vector<std::pair<uint32_t, size_t>> where;  // placement -> (chip, slot)
    std::vector<uint64_t> share(chips, 0);
    for (const auto& p : placements) ++share[p.chip];
    for (auto& s : share)
        s = s ? chip.device_memory.size_bytes / s / DeviceMemory::kAlignment *
                    DeviceMemory::kAlignment
              : 0;
    for (size_t i = 0; i < placements.size(); ++i) {
        const auto& p = placements[i];
        const uint64_t base = slots[p.chip].size() * share[p.chip];
        where.emplace_back(p.chip, slots[p.chip].size());
        slots[p.chip].push_back({p.core, p.programs, &hbm[i], base});
    }
    std::vector<std::unique_ptr<Chip>> system;
    for (uint32_t c = 0; c < chips; ++c)
        system.push_back(
            std::make_unique<Chip>(fmt::format("chip{}", c).c_str(), chip, slots[c], ops, options));
    std::unique_ptr<SystemCollectives> collectives;
    if (cc_instance) {
        collectives = std::make_unique<SystemCollectives>("collectives", *cc_instance,
                                                          uint32_t(placements.size()));
        for (uint32_t c = 0; c < chips; ++c) collectives->memory(c).bind(system[c]->memory_port());
        for (size_t i = 0; i < placements.size(); ++i)
            system[where[i].first]
                ->core(where[i].second)
                .connect_collectives(collectives.get(),
                                     placements[i].chip * chip.cores + placements[i].core);
    }
    for (size_t i = 0; i < placements.size(); ++i)
        if (hbm[i].extent() > share[placements[i].chip])
            throw SimError(fmt::format(
                "placement {} (chip {} core {}): its tensors need {} bytes of device memory, "
                "its share of the chip's {} bytes is {}",
                i, placements[i].chip, placements[i].core, hbm[i].extent(),
                chip.device_memory.size_bytes, share[placements[i].chip]));
    if (!(options.max_sim_time_ns > 0 && options.max_sim_time_ns <= kLatestTimeNs))
        throw UsageError(
            fmt::format("a simulated-time budget of {} ns: expected more than 0 and "
                        "at most {} ns",
                        options.max_sim_time_ns, kLatestTimeNs));
    sc_core::sc_start(time_from_ns(options.max_sim_time_ns), sc_core::SC_EXIT_ON_STARVATION);
    // A core that failed stopped the run (sc_stop) with work pending: its own error says why.
    if (sc_core::sc_pending_activity() && sc_core::sc_get_status() != sc_core::SC_STOPPED)
        throw SimError(fmt::format(
            "the run passed its budget of {:g} s of simulated time with work still pending: a "
            "parameter far outside the hardware's range (a latency, a bandwidth)? The budget is "
            "raised with --max-sim-time SECONDS",
            options.max_sim_time_ns * 1e-9));

    SystemRunResult result;
    std::string errors;
    for (size_t i = 0; i < placements.size(); ++i) {
        NeuronCore& core = system[where[i].first]->core(where[i].second);
        if (auto why = core.stopped_early(); !why.empty())
            errors += (errors.empty() ? "" : "\n") +
                      (placements.size() > 1 ? fmt::format("chip {} core {}: ", placements[i].chip,
                                                           placements[i].core)
                                             : "") +
                      why;
        else
            result.cores.push_back(core.finish());
    }
    if (collectives) {
        try {
            collectives->check_finished();
        } catch (const SimError& e) {
            errors += (errors.empty() ? "" : "\n") + std::string(e.what());
        }
    }
    if (!errors.empty()) throw SimError(errors);
    result.time_ns = now_ns();
    for (const auto& c : system) result.chips.push_back(c->memory_report(result.time_ns));
    result.host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
    return result;
}

}  // namespace nsim::sim
