// Collective schedules: the rings of each algorithm, the checks of a request, the analytic bound.
#include "sim/collective/collective_plan.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace nsim::sim {

namespace {

// A chip's place on a closed walk through the topology where consecutive chips are neighbours:
// the ring order, or the snake (boustrophedon) order of a torus whose last row wraps to the first.
uint32_t chip_walk_position(const LinkTopology& topo, uint32_t chip) {
    if (topo.kind() != "torus2d") return chip;
    const uint32_t X = topo.dim_size(0), x = chip % X, y = chip / X;
    return y * X + (y % 2 ? X - 1 - x : x);
}

// Builds a dimension from groups of members, each group sorted by `key` into ring order.
template <class Key>
RingDim make_dim(std::string label, uint32_t members,
                 const std::map<uint64_t, std::vector<uint32_t>>& groups, Key key) {
    RingDim d{std::move(label), {}, std::vector<uint32_t>(members), std::vector<uint32_t>(members)};
    for (auto [id, ring] : groups) {
        std::stable_sort(ring.begin(), ring.end(),
                         [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
        for (uint32_t p = 0; p < ring.size(); ++p) {
            d.ring_of[ring[p]] = uint32_t(d.rings.size());
            d.position[ring[p]] = p;
        }
        d.rings.push_back(std::move(ring));
    }
    return d;
}

struct Layout {
    const InstanceConfig& inst;
    const LinkTopology& topo;
    RankPlacement place;
    const std::vector<uint32_t>& group;
    uint32_t size() const { return uint32_t(group.size()); }
    uint32_t chip(uint32_t m) const { return place.chip_of(group[m]); }
    uint32_t core(uint32_t m) const { return place.core_of(group[m]); }
    uint64_t walk(uint32_t m) const {
        return uint64_t(chip_walk_position(topo, chip(m))) * place.cores + core(m);
    }
};

// The members of every chip the group touches, by chip; each chip must hold the same number.
std::map<uint64_t, std::vector<uint32_t>> per_chip(const Layout& l, std::string_view algo) {
    std::map<uint64_t, std::vector<uint32_t>> by_chip;
    for (uint32_t m = 0; m < l.size(); ++m) by_chip[l.chip(m)].push_back(m);
    const size_t per = by_chip.begin()->second.size();
    for (const auto& [chip, members] : by_chip)
        if (members.size() != per)
            throw CollectiveError(fmt::format(
                "collective: algorithm {} needs the same number of ranks on every chip of the "
                "replica group; chip {} has {}, chip {} has {}",
                algo, by_chip.begin()->first, per, chip, members.size()));
    return by_chip;
}

// Within a chip, the member's index among the group's members on that chip.
std::vector<uint32_t> local_index(const Layout& l) {
    std::map<uint32_t, uint32_t> seen;
    std::vector<uint32_t> out(l.size());
    for (uint32_t m = 0; m < l.size(); ++m) out[m] = seen[l.chip(m)]++;
    return out;
}

std::vector<RingDim> ring_dims(const Layout& l) {
    return {make_dim("ring", l.size(),
                     {{0,
                       [&] {
                           std::vector<uint32_t> all(l.size());
                           for (uint32_t m = 0; m < l.size(); ++m) all[m] = m;
                           return all;
                       }()}},
                     [&](uint32_t m) { return l.walk(m); })};
}

std::vector<RingDim> hier_dims(const Layout& l) {
    const auto chips = per_chip(l, "hier");
    const auto local = local_index(l);
    std::map<uint64_t, std::vector<uint32_t>> across;
    for (uint32_t m = 0; m < l.size(); ++m) across[local[m]].push_back(m);
    return {make_dim("intra-chip", l.size(), chips, [&](uint32_t m) { return l.core(m); }),
            make_dim("inter-chip", l.size(), across, [&](uint32_t m) { return l.walk(m); })};
}

std::vector<RingDim> torus_dims(const Layout& l) {
    if (l.topo.kind() != "torus2d")
        throw CollectiveError(
            fmt::format("collective: algorithm torus2d needs a torus2d instance; {} is a {}",
                        l.inst.name, l.topo.kind()));
    const auto chips = per_chip(l, "torus2d");
    if (chips.size() != l.topo.chips())
        throw CollectiveError(fmt::format(
            "collective: algorithm torus2d needs every chip of the torus in the replica "
            "group; it has {} of {}",
            chips.size(), l.topo.chips()));
    const auto local = local_index(l);
    const uint32_t X = l.topo.dim_size(0);
    std::map<uint64_t, std::vector<uint32_t>> rows, columns;
    for (uint32_t m = 0; m < l.size(); ++m) {
        rows[uint64_t(l.chip(m) / X) << 32 | local[m]].push_back(m);
        columns[uint64_t(l.chip(m) % X) << 32 | local[m]].push_back(m);
    }
    return {make_dim("intra-chip", l.size(), chips, [&](uint32_t m) { return l.core(m); }),
            make_dim("torus X", l.size(), rows, [&](uint32_t m) { return l.chip(m) % X; }),
            make_dim("torus Y", l.size(), columns, [&](uint32_t m) { return l.chip(m) / X; })};
}

// The phases of `op` over the dimensions (those whose rings have one member are skipped).
void add_phases(CollectivePlan& plan) {
    std::vector<uint32_t> used;
    for (uint32_t d = 0; d < plan.dims.size(); ++d)
        if (plan.dims[d].rings.front().size() > 1) used.push_back(d);
    const auto op = plan.request.op;
    if (op != CollectiveOp::all_gather)
        for (uint32_t d : used) plan.phases.push_back({d, PhaseKind::reduce_scatter});
    if (op == CollectiveOp::all_gather)
        for (uint32_t d : used) plan.initial_fixed |= 1u << d;
    if (op != CollectiveOp::reduce_scatter)
        for (auto d = used.rbegin(); d != used.rend(); ++d)
            plan.phases.push_back({*d, PhaseKind::all_gather});
}

CollectivePlan plan_with(const Layout& l, CollectiveRequest request, CollectiveAlgo algo) {
    CollectivePlan plan;
    request.algo = algo;
    plan.request = request;
    for (uint32_t m = 0; m < l.size(); ++m) plan.chip_of.push_back(l.chip(m));
    plan.element_bytes = dtype_bytes(request.dtype);
    plan.elements = request.bytes / plan.element_bytes;
    plan.blocks = l.size();
    plan.dims = algo == CollectiveAlgo::ring   ? ring_dims(l)
                : algo == CollectiveAlgo::hier ? hier_dims(l)
                                               : torus_dims(l);
    add_phases(plan);
    return plan;
}

}  // namespace

RankPlacement rank_placement(const InstanceConfig& instance) {
    return {instance.chips, instance.chip.cores};
}

double collective_step_overhead_ns(const InstanceConfig& instance) {
    return instance.chip.dma.start_latency_ns;
}

std::vector<uint32_t> CollectivePlan::region(uint32_t member, uint32_t fixed) const {
    std::vector<uint32_t> out;
    for (uint32_t b = 0; b < blocks; ++b) {
        bool in = true;
        for (uint32_t d = 0; d < dims.size() && in; ++d)
            if (fixed >> d & 1) in = dims[d].position[b] == dims[d].position[member];
        if (in) out.push_back(b);
    }
    return out;
}

uint64_t CollectivePlan::region_elements(const std::vector<uint32_t>& region) const {
    uint64_t n = 0;
    for (uint32_t b : region) n += block_end(b) - block_begin(b);
    return n;
}

CollectivePlan plan_collective(const InstanceConfig& instance, const LinkNetwork& network,
                               CollectiveRequest request) {
    const RankPlacement place = rank_placement(instance);
    if (instance.chip.collective.cc_cores == 0)
        throw CollectiveError(fmt::format(
            "collective: {} has no collective engine (chip {}: collective.cc_cores = 0)",
            instance.name, instance.chip.name));
    if (request.group.empty())
        for (uint32_t r = 0; r < place.ranks(); ++r) request.group.push_back(r);
    std::vector<bool> seen(place.ranks());
    for (uint32_t r : request.group) {
        if (r >= place.ranks())
            throw CollectiveError(
                fmt::format("collective: the replica group names rank {}, but {} has ranks 0..{} "
                            "({} chips x {} cores)",
                            r, instance.name, place.ranks() - 1, place.chips, place.cores));
        if (seen[r])
            throw CollectiveError(
                fmt::format("collective: the replica group names rank {} twice", r));
        seen[r] = true;
    }
    const uint32_t size = dtype_bytes(request.dtype);
    if (request.bytes % size != 0)
        throw CollectiveError(
            fmt::format("collective: {} bytes is not a whole number of {} elements ({} bytes each)",
                        request.bytes, name(request.dtype), size));
    if (request.bytes > instance.chip.device_memory.size_bytes)
        throw CollectiveError(fmt::format(
            "collective: a {}-byte message does not fit a chip's device memory ({} bytes, "
            "chip.device_memory.size_bytes)",
            request.bytes, instance.chip.device_memory.size_bytes));
    const Layout layout{instance, network.topology(), place, request.group};
    if (request.algo != CollectiveAlgo::automatic) return plan_with(layout, request, request.algo);
    // auto: the applicable algorithm with the smallest bound (ring always applies).
    CollectivePlan best = plan_with(layout, request, CollectiveAlgo::ring);
    double best_ns = collective_bound_ns(best, network, collective_step_overhead_ns(instance));
    for (auto algo : {CollectiveAlgo::hier, CollectiveAlgo::torus2d}) {
        try {
            auto candidate = plan_with(layout, request, algo);
            const double ns =
                collective_bound_ns(candidate, network, collective_step_overhead_ns(instance));
            if (ns < best_ns) std::tie(best, best_ns) = std::pair{std::move(candidate), ns};
        } catch (const CollectiveError&) {
            // not applicable to this group or topology
        }
    }
    return best;
}

CollectivePlan plan_send(const InstanceConfig& instance, uint32_t src, uint32_t dst,
                         uint64_t bytes) {
    const RankPlacement place = rank_placement(instance);
    for (uint32_t r : {src, dst})
        if (r >= place.ranks())
            throw CollectiveError(
                fmt::format("send/recv: rank {} does not exist; {} has ranks 0..{}", r,
                            instance.name, place.ranks() - 1));
    if (src == dst) throw CollectiveError(fmt::format("send/recv: rank {} sends to itself", src));
    CollectivePlan plan;
    plan.request.group = {src, dst};
    plan.request.bytes = bytes;
    plan.chip_of = {place.chip_of(src), place.chip_of(dst)};
    plan.elements = bytes;  // moved as bytes
    plan.element_bytes = 1;
    plan.blocks = 1;
    plan.dims = {RingDim{"send", {{0, 1}}, {0, 0}, {0, 1}}};
    plan.phases = {{0, PhaseKind::send}};
    return plan;
}

double collective_bound_ns(const CollectivePlan& plan, const LinkNetwork& network,
                           double step_overhead_ns) {
    const auto bytes_of = [&](uint64_t elements) { return elements * plan.element_bytes; };
    double total = 0;
    uint32_t fixed = plan.initial_fixed;
    for (const auto& phase : plan.phases) {
        const RingDim& dim = plan.dims[phase.dim];
        const uint32_t part_fixed = fixed | 1u << phase.dim;
        // Ring edges of this phase per link, for the sharing term.
        std::map<uint32_t, uint32_t> edges_on;
        const auto each_edge = [&](auto&& f) {
            for (const auto& ring : dim.rings)
                for (uint32_t p = 0; p < ring.size(); ++p) {
                    if (phase.kind == PhaseKind::send && p > 0) break;
                    f(ring[p], ring[(p + 1) % ring.size()]);
                }
        };
        each_edge([&](uint32_t a, uint32_t b) {
            for (uint32_t link : network.route(plan.chip_of[a], plan.chip_of[b])) ++edges_on[link];
        });
        double step = 0;
        uint32_t steps = 0;
        each_edge([&](uint32_t a, uint32_t b) {
            const uint64_t part = bytes_of(plan.region_elements(plan.region(a, part_fixed)));
            double slowest = 0, shared = 0;
            for (uint32_t link : network.route(plan.chip_of[a], plan.chip_of[b])) {
                const double t = double(part) / network.link_bytes_per_ns(link);
                if (t * edges_on[link] > shared) shared = t * edges_on[link], slowest = t;
            }
            step =
                std::max(step, step_overhead_ns +
                                   network.uncontended_ns(plan.chip_of[a], plan.chip_of[b], part) +
                                   shared - slowest);
            const auto ring_size = uint32_t(dim.rings[dim.ring_of[a]].size());
            steps = std::max(steps, phase.kind == PhaseKind::send ? 1 : ring_size - 1);
        });
        total += steps * step;
        if (phase.kind == PhaseKind::reduce_scatter) fixed |= 1u << phase.dim;
        if (phase.kind == PhaseKind::all_gather) fixed &= ~(1u << phase.dim);
    }
    return total;
}

}  // namespace nsim::sim
