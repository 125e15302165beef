// NeuronLink topology: which chips are joined by which directed links, and the route (list of
// links, hop by hop) a chip-to-chip transfer takes. Pure C++; no SystemC, no timing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/instance_config.h"

namespace nsim::sim {

// One direction of a chip-to-chip connection. Neighbours reached through several ports (the two
// ports of a 2-chip ring, both torus directions of a dimension of size 2) share one link whose
// `ports` add up, so its bandwidth is that of all of them.
struct DirectedLink {
    uint32_t from = 0;
    uint32_t to = 0;
    uint32_t ports = 1;
};

// The links of an instance and the routes between its chips:
// - none: one chip; a route between two different chips is an error.
// - ring: chip i joins i-1 and i+1 (mod n); a route goes the shorter way round (clockwise, i+1,
//   on a tie).
// - torus2d: chip i sits at x = i % X, y = i / X of an X x Y torus (torus_dims = [X, Y]) and joins
//   its 4 neighbours with wrap-around; a route is dimension ordered (all X hops, then all Y hops),
//   the shorter way in each dimension (the + way on a tie).
class LinkTopology {
public:
    explicit LinkTopology(const InstanceConfig& instance);
    LinkTopology(std::string topology, uint32_t chips, std::vector<uint32_t> torus_dims,
                 uint32_t link_ports);

    uint32_t chips() const { return m_chips; }
    const std::string& kind() const { return m_kind; }
    const std::vector<DirectedLink>& links() const { return m_links; }
    // The index in links() of the link from `from` to its neighbour `to`; SimError if none.
    uint32_t link_index(uint32_t from, uint32_t to) const;
    // The links a transfer from chip `src` to chip `dst` crosses, in order (empty when src == dst).
    // Throws SimError naming the chips when a chip does not exist or the topology has no links.
    std::vector<uint32_t> route(uint32_t src, uint32_t dst) const;
    uint32_t hops(uint32_t src, uint32_t dst) const { return uint32_t(route(src, dst).size()); }
    // The chip one step from `chip` along dimension `dim` (0 = X or the ring, 1 = Y) in direction
    // +1 or -1, with wrap-around.
    uint32_t neighbour(uint32_t chip, uint32_t dim, int direction) const;
    // The size of dimension `dim` (a ring has one dimension of size chips()).
    uint32_t dim_size(uint32_t dim) const;
    uint32_t dims() const { return m_kind == "torus2d" ? 2 : 1; }

private:
    void add_link(uint32_t from, uint32_t to, uint32_t ports);
    void check_chip(uint32_t chip, const char* role) const;

    std::string m_kind;
    uint32_t m_chips;
    std::vector<uint32_t> m_dims;  // ring: {chips}; torus2d: {X, Y}; none: {1}
    std::vector<DirectedLink> m_links;
};

}  // namespace nsim::sim
