// Loading, checking, overriding and describing instance configurations (configs/instances/*.json).
#include "sim/config/instance_config.h"

#include <algorithm>

#include <fmt/format.h>

#include "isa/error.h"
#include "sim/config/config_files.h"

namespace nsim::sim {

namespace {

// At most 64 chips: an ASSUMPTION, 4x the largest instance in configs/ (16 chips); a what-if
// network larger than that is a cluster study, past what one simulation should take on.
constexpr Bounds kChipBounds{1, 64};

// The instance's parameters, bound to `i`'s fields: drives loading, unknown keys, --set, describe.
ParamList params(InstanceConfig& i) {
    return {
        bounded("chips", &i.chips, kChipBounds),
        {"topology", Range::word, &i.topology, kTopologies},
        {"torus_dims", Range::dims, &i.torus_dims, {}, /*optional=*/true},
        {"link_bandwidth_gbps", Range::non_negative, &i.link_bandwidth_gbps},
        {"link_latency_ns", Range::non_negative, &i.link_latency_ns},
        {"link_ports", Range::non_negative, &i.link_ports},
        {"price_per_hour_usd", Range::non_negative, &i.price_per_hour_usd},
        {"vcpus", Range::positive, &i.vcpus},
        {"host_memory_gib", Range::positive, &i.host_memory_gib},
        {"host_link_bandwidth_gbps", Range::positive, &i.host_link_bandwidth_gbps},
        {"host_link_latency_ns", Range::non_negative, &i.host_link_latency_ns},
        {"host_cpu_per_call_us", Range::non_negative, &i.host_cpu_per_call_us},
        {"host_copy_gbps", Range::positive, &i.host_copy_gbps},
    };
}

// The agreement between values that each parse on their own; returns the offending parameter and
// why, or nothing. The torus dims are ignored unless the topology is a torus.
std::optional<std::pair<std::string, std::string>> inconsistency(const InstanceConfig& i) {
    if (i.topology == "none") {
        if (i.link_bandwidth_gbps != 0)
            return {{"link_bandwidth_gbps", fmt::format("found {}, expected 0 with topology none",
                                                        i.link_bandwidth_gbps)}};
        return std::nullopt;
    }
    if (i.chips < 2)
        return {{"topology",
                 fmt::format("a {} needs at least 2 chips, found {}", i.topology, i.chips)}};
    if (!(i.link_bandwidth_gbps > 0))
        return {{"link_bandwidth_gbps",
                 fmt::format("expected a positive number with topology {}", i.topology)}};
    if (i.topology == "torus2d") {
        if (i.torus_dims.size() != 2)
            return {
                {"torus_dims", fmt::format("topology torus2d needs two dims, e.g. [4, 4]; found {}",
                                           i.torus_dims.size())}};
        if (uint64_t(i.torus_dims[0]) * i.torus_dims[1] != i.chips)
            return {
                {"torus_dims", fmt::format("{}x{} = {} positions, expected the chip count {}",
                                           i.torus_dims[0], i.torus_dims[1],
                                           uint64_t(i.torus_dims[0]) * i.torus_dims[1], i.chips)}};
    }
    const uint32_t directions = neighbour_directions(i.topology);
    if (i.link_ports == 0 || i.link_ports % directions != 0)
        return {
            {"link_ports",
             fmt::format(
                 "found {}, expected a positive multiple of {} (the neighbour directions of a {})",
                 i.link_ports, directions, i.topology)}};
    return std::nullopt;
}

InstanceConfig load_instance_file(const std::string& file) {
    const ConfigDocument doc(file, {"name", "chip", "description"});
    InstanceConfig inst;
    inst.file = file;
    const auto name = doc.text("name");
    if (!name || name->empty()) doc.fail("/name", "missing the instance's name");
    inst.name = *name;
    const auto chip = doc.text("chip");
    if (!chip) doc.fail("/chip", "missing the chip's name (one of configs/chips, e.g. trn1)");
    try {
        inst.chip = load_chip(*chip);
    } catch (const ConfigError& e) {
        doc.fail("/chip", e.what());
    }
    doc.load(params(inst), inst.sources);
    doc.require_all(params(inst), inst.sources, "every instance value is required");
    if (doc.has("torus_dims") && inst.topology != "torus2d")
        doc.fail("/torus_dims",
                 "only meaningful with topology torus2d, found topology " + inst.topology);
    if (auto bad = inconsistency(inst)) doc.fail(json_pointer(bad->first) + "/value", bad->second);
    return inst;
}

void check(const InstanceConfig& inst, const std::string& context) {
    if (auto bad = inconsistency(inst))
        throw ConfigError(
            fmt::format("{}: instance {}: {}: {}", context, inst.name, bad->first, bad->second));
}

// One assignment without the whole-instance check.
void apply_one(InstanceConfig& inst, const std::string& assignment) {
    const std::string prefix = "chip.";
    if (assignment.rfind(prefix, 0) == 0) {
        apply_override(inst.chip, assignment.substr(prefix.size()), prefix);
        return;
    }
    apply_assignment(params(inst), inst.sources, assignment,
                     "link_latency_ns=800 or chip.timing.tensor_clock_ghz=3.0");
}

}  // namespace

uint32_t neighbour_directions(const std::string& topology) {
    if (topology == "ring") return 2;
    if (topology == "torus2d") return 4;
    return 0;
}

InstanceConfig load_instance(const std::string& name_or_path) {
    return load_instance_file(resolve_config(name_or_path, "instances"));
}

void apply_override(InstanceConfig& instance, const std::string& assignment) {
    apply_overrides(instance, {assignment});
}

void apply_overrides(InstanceConfig& instance, const std::vector<std::string>& assignments) {
    InstanceConfig result =
        instance;  // all or nothing: a rejected override leaves the instance as it was
    std::string all;
    for (const auto& a : assignments) {
        apply_one(result, a);
        all += (all.empty() ? "--set " : " --set ") + a;
    }
    check(result, all);
    instance = std::move(result);
}

std::vector<DescribedParam> describe(const InstanceConfig& instance) {
    InstanceConfig copy = instance;  // the table binds mutable fields
    auto out = describe_params(params(copy), copy.sources);
    if (copy.topology !=
        "torus2d")  // the dims are meaningless then (e.g. after --set topology=ring)
        out.erase(std::remove_if(out.begin(), out.end(),
                                 [](const auto& p) { return p.path == "torus_dims"; }),
                  out.end());
    for (auto p : describe(instance.chip)) {
        p.path = "chip." + p.path;
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace nsim::sim
