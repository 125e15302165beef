#include "runtime/deployment.h"

#include <map>

#include <fmt/format.h>

#include "isa/error.h"
#include "sim/neuronlink/neuronlink_network.h"

namespace nsim::runtime {

std::vector<std::vector<CoreId>> place_copies(const sim::InstanceConfig& instance, uint32_t copies,
                                              uint32_t stages) {
    const uint32_t per_chip = instance.chip.cores, total = instance.chips * per_chip;
    if (copies == 0 || stages == 0)
        throw InputError(fmt::format(
            "deployment: {} copies of {} stages; expected at least one copy of one stage", copies,
            stages));
    if (uint64_t(copies) * stages > total)
        throw InputError(fmt::format("{} cop{} of {} core{} need {} NeuronCores but {} has {}",
                                     copies, copies == 1 ? "y" : "ies", stages,
                                     stages == 1 ? "" : "s", uint64_t(copies) * stages,
                                     instance.name, total));
    std::vector<std::vector<CoreId>> placement(copies);
    for (uint32_t c = 0; c < copies; ++c)
        for (uint32_t s = 0; s < stages; ++s) {
            const uint32_t global = c * stages + s;
            placement[c].push_back({global / per_chip, global % per_chip});
        }
    return placement;
}

namespace {

// Builds the resources as paths first need them, each once.
class SetupBuilder {
public:
    SetupBuilder(const sim::InstanceConfig& instance, ServingSetup& setup)
        : m_instance(instance),
          m_setup(setup),
          m_topology(instance),
          m_links(sim::link_params(instance)) {}

    size_t core(CoreId id) {
        const auto key = std::make_pair(id.chip, id.core);
        if (auto it = m_cores.find(key); it != m_cores.end()) return it->second;
        m_setup.cores.push_back(fmt::format("chip{}/core{}", id.chip, id.core));
        return m_cores[key] = m_setup.cores.size() - 1;
    }

    TransferPath from_host(uint32_t chip) {
        return {{resource(fmt::format("host->chip{}", chip), m_instance.host_link_bandwidth_gbps,
                          ResourceKind::host_link),
                 m_instance.host_link_latency_ns}};
    }
    TransferPath to_host(uint32_t chip) {
        return {{resource(fmt::format("chip{}->host", chip), m_instance.host_link_bandwidth_gbps,
                          ResourceKind::host_link),
                 m_instance.host_link_latency_ns}};
    }

    // The sending core's DMA engines move the activations (DMA start latency
    // [src:nki-dma-bw]); between chips they then cross each NeuronLink of the route.
    TransferPath between(CoreId from, CoreId to) {
        const sim::DmaParams& dma = m_instance.chip.dma;
        TransferPath path = {
            {resource(fmt::format("chip{}/core{} dma", from.chip, from.core),
                      dma.engines_per_core * dma.engine_bandwidth_gbps, ResourceKind::dma),
             dma.start_latency_ns}};
        if (from.chip == to.chip) return path;
        for (uint32_t index : m_topology.route(from.chip, to.chip)) {
            const sim::DirectedLink& link = m_topology.links()[index];
            path.push_back(
                {resource(fmt::format("link chip{}->chip{}", link.from, link.to),
                          m_links.port_bytes_per_ns * link.ports, ResourceKind::neuronlink),
                 m_links.latency_ns});
        }
        return path;
    }

private:
    size_t resource(const std::string& name, double bandwidth_gbps, ResourceKind kind) {
        if (auto it = m_resources.find(name); it != m_resources.end()) return it->second;
        m_setup.resources.push_back({name, bandwidth_gbps, kind});
        return m_resources[name] = m_setup.resources.size() - 1;
    }

    const sim::InstanceConfig& m_instance;
    ServingSetup& m_setup;
    sim::LinkTopology m_topology;
    sim::LinkParams m_links;
    std::map<std::pair<uint32_t, uint32_t>, size_t> m_cores;
    std::map<std::string, size_t> m_resources;
};

}  // namespace

ServingSetup deployment_setup(const sim::InstanceConfig& instance,
                              const std::vector<std::vector<CoreId>>& placement,
                              const std::vector<std::vector<StageFigures>>& stages) {
    if (placement.size() != stages.size())
        throw InputError(
            fmt::format("deployment: {} lists of stage figures for {} copies; "
                        "expected one per copy",
                        stages.size(), placement.size()));
    ServingSetup setup;
    setup.vcpus = instance.vcpus;
    SetupBuilder build(instance, setup);
    for (size_t c = 0; c < placement.size(); ++c) {
        const auto& cores = placement[c];
        if (cores.empty() || cores.size() != stages[c].size())
            throw InputError(
                fmt::format("deployment: copy {} has {} cores and {} stage figures; "
                            "expected one figure per core, at least one",
                            c, cores.size(), stages[c].size()));
        ServedCopy copy;
        copy.input_bytes = stages[c].front().input_bytes;
        copy.host_ns =
            instance.host_cpu_per_call_us * 1e3 +
            double(copy.input_bytes + stages[c].back().output_bytes) / instance.host_copy_gbps;
        copy.input_path = build.from_host(cores.front().chip);
        for (size_t s = 0; s < cores.size(); ++s) {
            const bool last = s + 1 == cores.size();
            ServedStage stage;
            stage.core = build.core(cores[s]);
            stage.service_ns = stages[c][s].service_ns;
            stage.output_bytes = stages[c][s].output_bytes;
            stage.output_path =
                last ? build.to_host(cores[s].chip) : build.between(cores[s], cores[s + 1]);
            copy.stages.push_back(std::move(stage));
        }
        setup.copies.push_back(std::move(copy));
    }
    return setup;
}

}  // namespace nsim::runtime
