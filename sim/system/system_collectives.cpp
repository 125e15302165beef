// Collective instructions of a SystemC system: rendezvous, engine, links and device-memory traffic.
#include "sim/system/system_collectives.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/sim_time.h"

namespace nsim::sim {

SystemCollectives::SystemCollectives(sc_core::sc_module_name name, const InstanceConfig& instance,
                                     uint32_t ranks)
    : sc_module(name),
      m_instance(instance),
      m_links("links", LinkTopology(m_instance), link_params(m_instance)),
      m_engine(m_instance, m_links.network()),
      m_rendezvous(m_engine, ranks) {
    for (uint32_t c = 0; c < m_instance.chips; ++c)
        m_memory.push_back(std::make_unique<Socket>(fmt::format("memory{}", c).c_str()));
    m_engine.set_step_memory([this](uint32_t src, uint32_t dst, uint64_t bytes, double start_ns) {
        return book_step(src, dst, bytes, start_ns);
    });
}

double SystemCollectives::issue(uint32_t rank, const isa::Instruction& inst,
                                CollectiveRendezvous::Done on_done) {
    const double bound = m_rendezvous.issue(rank, inst, now_ns(), std::move(on_done));
    m_links.rearm();
    return bound;
}

double SystemCollectives::issue(uint32_t rank, const isa::Instruction& inst,
                                std::vector<float> input, CollectiveRendezvous::DataDone on_done) {
    const double bound =
        m_rendezvous.issue(rank, inst, now_ns(), std::move(input), std::move(on_done));
    m_links.rearm();
    return bound;
}

double SystemCollectives::book_step(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes,
                                    double start_ns) {
    const double read = book(src_chip, tlm::TLM_READ_COMMAND, bytes, start_ns);
    const double written = book(dst_chip, tlm::TLM_WRITE_COMMAND, bytes, start_ns);
    return std::max(read, written);
}

// Timing transactions of `bytes` in descriptor-sized requests, from address 0 (a step's part is
// large enough to spread over every channel; where the buffer lies is not tracked here), at most
// 1 GiB each (a transaction's length is 32 bits).
double SystemCollectives::book(uint32_t chip, tlm::tlm_command command, uint64_t bytes,
                               double start_ns) {
    constexpr uint64_t kMaxTransaction = uint64_t(1) << 30;
    const double now = now_ns();
    const uint64_t descriptor = std::max<uint64_t>(1, m_instance.chip.dma.descriptor_bytes);
    double done = start_ns;
    for (uint64_t left = bytes; left > 0;) {
        const uint64_t part = std::min(left, kMaxTransaction);
        left -= part;
        sc_core::sc_time delay = time_from_ns(start_ns - now);
        (*m_memory.at(chip))
            ->b_transport(m_transaction.request(command, 0, unsigned(part),
                                                uint32_t((part + descriptor - 1) / descriptor)),
                          delay);
        done = std::max(done, now + ns_of(delay));
    }
    return done;
}

}  // namespace nsim::sim
