// NeuronLink topologies: links of a ring or 2D torus, shortest dimension-ordered routes.
#include "sim/neuronlink/neuronlink_topology.h"

#include <fmt/format.h>

#include "isa/error.h"

namespace nsim::sim {

LinkTopology::LinkTopology(const InstanceConfig& instance)
    : LinkTopology(instance.topology, instance.chips, instance.torus_dims, instance.link_ports) {}

LinkTopology::LinkTopology(std::string topology, uint32_t chips, std::vector<uint32_t> torus_dims,
                           uint32_t link_ports)
    : m_kind(std::move(topology)), m_chips(chips) {
    if (m_kind == "none") {
        m_dims = {1};
        return;
    }
    m_dims = m_kind == "torus2d" ? torus_dims : std::vector<uint32_t>{chips};
    const uint32_t directions = neighbour_directions(m_kind);
    if (directions == 0 || link_ports == 0 || link_ports % directions != 0)
        throw SimError(fmt::format(
            "NeuronLink topology {}: {} link ports do not deal evenly over {} neighbour directions",
            m_kind, link_ports, directions));
    if ((m_kind == "torus2d" && (m_dims.size() != 2 || uint64_t(m_dims[0]) * m_dims[1] != chips)) ||
        chips < 2)
        throw SimError(
            fmt::format("NeuronLink topology {}: {} chips do not fit the dims", m_kind, chips));
    const uint32_t ports_per_direction = link_ports / directions;
    for (uint32_t chip = 0; chip < chips; ++chip)
        for (uint32_t dim = 0; dim < dims(); ++dim)
            if (dim_size(dim) > 1)
                for (int direction : {+1, -1})
                    add_link(chip, neighbour(chip, dim, direction), ports_per_direction);
}

void LinkTopology::add_link(uint32_t from, uint32_t to, uint32_t ports) {
    for (auto& link : m_links)
        if (link.from == from && link.to == to) {
            link.ports += ports;  // both ways round reach the same neighbour
            return;
        }
    m_links.push_back({from, to, ports});
}

uint32_t LinkTopology::dim_size(uint32_t dim) const { return m_dims.at(dim); }

uint32_t LinkTopology::neighbour(uint32_t chip, uint32_t dim, int direction) const {
    const uint32_t stride = dim == 0 ? 1 : m_dims[0];
    const uint32_t n = m_dims.at(dim);
    const uint32_t coord = (chip / stride) % n;
    const uint32_t next = uint32_t((int64_t(coord) + n + direction) % n);  // direction is +1 or -1
    return chip - coord * stride + next * stride;
}

uint32_t LinkTopology::link_index(uint32_t from, uint32_t to) const {
    for (uint32_t i = 0; i < m_links.size(); ++i)
        if (m_links[i].from == from && m_links[i].to == to) return i;
    throw SimError(fmt::format("NeuronLink: chips {} and {} are not neighbours in the {} topology",
                               from, to, m_kind));
}

void LinkTopology::check_chip(uint32_t chip, const char* role) const {
    if (chip >= m_chips)
        throw SimError(
            fmt::format("NeuronLink: {} chip {} does not exist; the instance has chips 0..{}", role,
                        chip, m_chips - 1));
}

std::vector<uint32_t> LinkTopology::route(uint32_t src, uint32_t dst) const {
    if (m_kind == "none" && src != dst)
        throw SimError(fmt::format(
            "NeuronLink: no route from chip {} to chip {}: topology none has no chip-to-chip links",
            src, dst));
    check_chip(src, "source");
    check_chip(dst, "destination");
    std::vector<uint32_t> out;
    if (src == dst) return out;
    uint32_t at = src;
    for (uint32_t dim = 0; dim < dims(); ++dim) {  // dimension order: X (or the ring) first, then Y
        const uint32_t stride = dim == 0 ? 1 : m_dims[0];
        const uint32_t n = m_dims[dim];
        const uint32_t ahead = ((dst / stride) % n + n - (at / stride) % n) % n;  // steps the + way
        const bool forward = ahead <= n - ahead;  // the shorter way; + on a tie
        for (uint32_t step = 0; step < (forward ? ahead : n - ahead); ++step) {
            const uint32_t next = neighbour(at, dim, forward ? +1 : -1);
            out.push_back(link_index(at, next));
            at = next;
        }
    }
    return out;
}

}  // namespace nsim::sim
