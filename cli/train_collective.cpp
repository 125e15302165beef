#include "cli/train_collective.h"

#include <fmt/format.h>

#include <stdexcept>

namespace nsim::cli {

namespace {

// Interim until the collective engine lands: a ring over every rank. Each step moves 1/n of the
// message over one link direction: a NeuronLink port (link_bandwidth_gbps / link_ports) between
// chips, or HBM (read and write, so half its bandwidth) between the cores of one chip.
double ring_bandwidth_gbps(const sim::InstanceConfig& i) {
    if (i.chips > 1) return i.link_bandwidth_gbps / i.link_ports;
    return i.chip.device_memory.bandwidth_gbps / 2;
}

}  // namespace

sim::AllReduceTime gradient_all_reduce(const sim::InstanceConfig& instance) {
    if (instance.chip.generation == isa::Generation::v1)
        throw std::runtime_error(fmt::format("instance {}: its {} chips have no collective engine (NeuronCore-v1 "
                                             "runs no collectives); expected a Trainium or Inferentia2 instance",
                                             instance.name, instance.chip.name));
    const uint32_t n = instance.chips * instance.chip.cores;
    if (n < 2)
        throw std::runtime_error(fmt::format("instance {}: one NeuronCore, nothing to all-reduce; expected at least 2",
                                             instance.name));
    const double bandwidth = ring_bandwidth_gbps(instance), latency = instance.link_latency_ns;
    return [n, bandwidth, latency](uint64_t bytes) {
        return 2.0 * (n - 1) * latency + 2.0 * (n - 1) / n * double(bytes) / bandwidth;
    };
}

std::string all_reduce_method(const sim::InstanceConfig& instance) {
    return fmt::format("analytic ring over {} ranks (interim, until the collective engine lands)",
                       instance.chips * instance.chip.cores);
}

}  // namespace nsim::cli
