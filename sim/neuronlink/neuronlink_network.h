// NeuronLink network: chip-to-chip transfers routed hop by hop over contended links. Pure C++ with
// its own event queue, so it runs alone (tests, `nsim collective`) or under SystemC
// (ScLinkNetwork).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "sim/neuronlink/neuronlink_topology.h"

namespace nsim::sim {

// The timing of the links, resolved once from the instance.
struct LinkParams {
    double port_bytes_per_ns = 1;  // one port, one direction (GB/s = bytes/ns)
    double latency_ns = 0;         // one hop
    uint64_t chunk_bytes = 65536;  // a transfer moves in descriptor-sized chunks
    // A copy within one chip (core to core through the chip's memory) crosses the chip's local
    // link at this rate, without link latency; 0 makes such copies instant.
    double local_bytes_per_ns = 0;
    // Transfers sharing links are booked chunk by chunk, round-robin, in rounds of this many
    // chunk times on the slowest link: one event per round, not per chunk.
    uint32_t round_chunks = 8;
};

// link_bandwidth_gbps / link_ports per port and direction, link_latency_ns per hop, the chip's DMA
// descriptor size as the chunk. Local copies (assumption): the cores' DMA engines copy HBM to HBM,
// each byte read and written once, so the chip's local link carries
// min(cores x engines x engine bandwidth, HBM bandwidth / 2), shared by all its copies.
LinkParams link_params(const InstanceConfig& instance);

// The links of an instance as bandwidth servers, and the transfers in flight over them.
//
// Timing model (store-and-forward of chunks, cut-through of transfers): a transfer is split into
// chunks; each chunk occupies each link of its route for chunk / bandwidth in turn and reaches the
// next chip one hop latency after leaving a link. Uncontended, N bytes over H hops take
//   H x latency + N / bandwidth + (H - 1) x chunk / bandwidth   (the last term: pipeline fill).
// Transfers sharing a link are interleaved chunk by chunk, round-robin, so k transfers on one link
// each see about 1/k of its bandwidth. Receivers are assumed to have buffer space (no
// backpressure).
class LinkNetwork {
public:
    using Callback = std::function<void(double done_ns)>;

    LinkNetwork(LinkTopology topology, LinkParams params);

    // Starts moving `bytes` from chip `src` to chip `dst` at `now_ns` (not before the network's
    // current time). `on_done(t)` runs, from advance_to/run, once the last byte has arrived at t.
    // A transfer within one chip crosses the chip's local link (instant without one); one of 0
    // bytes completes at once. Throws SimError for a chip that does not exist or a route the
    // topology lacks. Returns the transfer's id.
    uint64_t start(double now_ns, uint32_t src, uint32_t dst, uint64_t bytes, Callback on_done);
    // Runs `callback` at `at_ns` (a timer in the network's time, e.g. a DMA start latency).
    void call_at(double at_ns, Callback callback);

    // The time of the next pending event, if any.
    std::optional<double> next_event_ns() const;
    // Runs every event at or before `t_ns`, in time order (callbacks may start new transfers).
    void advance_to(double t_ns);
    // Runs until nothing is pending; returns the network's time then.
    double run();
    double now_ns() const { return m_now_ns; }
    size_t transfers_in_flight() const { return m_in_flight; }

    const LinkTopology& topology() const { return m_topology; }
    const LinkParams& params() const { return m_params; }
    double link_bytes_per_ns(uint32_t link) const { return m_links.at(link).bytes_per_ns; }
    double link_busy_ns(uint32_t link) const { return m_links.at(link).busy_ns; }
    uint64_t link_bytes(uint32_t link) const { return m_links.at(link).bytes; }
    // The time an uncontended transfer takes (the formula above).
    double uncontended_ns(uint32_t src, uint32_t dst, uint64_t bytes) const;
    // The links (indices) a transfer crosses: the topology's route, or the chip's local link.
    std::vector<uint32_t> route(uint32_t src, uint32_t dst) const;
    // The index of chip's local link; SimError when local copies are instant.
    uint32_t local_link(uint32_t chip) const;
    double link_latency_ns(uint32_t link) const { return m_links.at(link).latency_ns; }

private:
    struct Link {
        double bytes_per_ns;
        double latency_ns;
        double free_ns = 0;
        double busy_ns = 0;
        uint64_t bytes = 0;
    };
    struct Transfer {
        std::vector<uint32_t> route;
        double start_ns;
        uint64_t unbooked;  // bytes not yet given a slot on the links
        double arrival_ns;  // of the last chunk booked so far
        Callback on_done;
    };
    struct Event {
        double at_ns;
        uint64_t seq;       // ties run in the order they were scheduled
        uint64_t transfer;  // kNoTransfer for a round
        bool operator>(const Event& o) const {
            return at_ns != o.at_ns ? at_ns > o.at_ns : seq > o.seq;
        }
    };
    static constexpr uint64_t kNoTransfer = ~uint64_t(0);

    void schedule(double at_ns, uint64_t transfer);
    // Runs the events before `t_ns` (and those at it when `inclusive`).
    void process(double t_ns, bool inclusive);
    void run_round();
    // Books chunks of the transfers waiting for link time until none can start before
    // m_round_end_ns.
    void book_until_round_end();
    // Books one chunk of `t` if it can cross every hop of its route within the round.
    bool book_chunk(Transfer& t);

    LinkTopology m_topology;
    LinkParams m_params;
    double m_round_ns;
    std::vector<Link> m_links;
    std::vector<Transfer> m_transfers;  // by id
    std::vector<uint64_t> m_booking;    // ids with unbooked bytes, in round-robin order
    std::vector<double> m_slots;        // scratch: a chunk's start on each hop of its route
    std::priority_queue<Event, std::vector<Event>, std::greater<>> m_events;
    uint64_t m_seq = 0;
    double m_now_ns = 0;
    double m_round_end_ns = -1;  // < m_now_ns when no round is under way
    bool m_round_pending = false;
    bool m_dispatching =
        false;  // inside advance_to (callbacks start transfers at the current time)
    size_t m_in_flight = 0;
};

}  // namespace nsim::sim
