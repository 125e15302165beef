// An EC2 instance's configuration: how many chips of which kind, how they are linked (NeuronLink),
// the host link (PCIe), the host CPU's cost per model call and the price, loaded from
// configs/instances/*.json with each value's source.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/chip_config.h"
#include "sim/config/param_table.h"

namespace nsim::sim {

// The chip-to-chip topology names a file may give [src:trn1-arch].
inline const std::vector<std::string> kTopologies = {"none", "ring", "torus2d"};

// The neighbour directions of a chip in a topology (ring: 2, torus2d: 4; none: 0).
uint32_t neighbour_directions(const std::string& topology);

struct InstanceConfig {
    std::string name;
    std::string file;  // the file it was loaded from
    ChipConfig chip;   // resolved from the file's "chip" name
    uint32_t chips = 1;
    std::string topology = "none";     // one of kTopologies
    std::vector<uint32_t> torus_dims;  // only with torus2d; multiplies to `chips`
    double link_bandwidth_gbps = 0;    // NeuronLink GB/s per chip; 0 without links
    double link_latency_ns = 0;        // one chip-to-chip hop
    // NeuronLink ports per chip; link_bandwidth_gbps is split evenly over them, each port carrying
    // its share in each direction, and the ports are dealt evenly to the topology's neighbour
    // directions (ring 2, torus2d 4). Ignored without links.
    uint32_t link_ports = 0;
    double price_per_hour_usd = 0;  // on-demand
    uint32_t vcpus = 0;
    double host_memory_gib = 0;
    double host_link_bandwidth_gbps = 0;  // PCIe GB/s per chip, each direction
    double host_link_latency_ns = 0;
    // The host CPU's part of each model call, run by the calling worker on one of the `vcpus`: the
    // framework's dispatch per call, and the copies of the call's input and output at a vCPU's
    // memory-copy rate.
    double host_cpu_per_call_us = 0;
    double host_copy_gbps = 0;  // GB/s one vCPU copies
    SourceMap sources;          // by parameter path; the chip's own are in chip.sources
};

// Loads an instance by built-in name ("trn1.32xlarge") or by path to a JSON file, with the same
// strictness as load_chip; also rejects an unknown topology, torus dims that do not multiply to the
// chip count, links on a `none` topology, a linked topology without link bandwidth and link ports
// that do not deal evenly over the topology's neighbour directions.
InstanceConfig load_instance(const std::string& name_or_path);

// Applies a `--set path=value` (e.g. "link_latency_ns=800"), or forwards "chip.PATH=VALUE" to the
// chip's apply_override, then checks the instance as a whole.
void apply_override(InstanceConfig& instance, const std::string& assignment);

// Applies several overrides and checks the instance once at the end, so that values that must agree
// (topology, torus_dims, chips) can be changed together.
void apply_overrides(InstanceConfig& instance, const std::vector<std::string>& assignments);

// The instance's parameters in table order, then the chip's as "chip.PATH" (for `nsim describe`).
std::vector<DescribedParam> describe(const InstanceConfig& instance);

}  // namespace nsim::sim
