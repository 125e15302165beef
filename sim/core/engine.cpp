#include "sim/core/engine.h"

#include <fmt/format.h>

#include "sim/core/neuron_core.h"
#include "sim/core/sim_time.h"

namespace nsim::sim {

using isa::Opcode;

EngineModule::EngineModule(sc_core::sc_module_name name, NeuronCore& core, isa::Engine id)
    : sc_module(name),
      m_core(core),
      m_id(id),
      m_stream(&core.stream(0, id)),
      m_clock_ghz(engine_clock_ghz(id, core.chip().timing)),
      m_budget(time_from_ns(core.options().max_sim_time_ns)) {
    SC_THREAD(run);
}

void EngineModule::advance_to(double at_ns, bool may_run_ahead) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const sc_core::sc_time from = m_ahead ? m_local : now;
    // As ns_from_now(at_ns) would give once SystemC's time is `from`.
    const sc_core::sc_time target =
        from + sc_core::sc_time(std::clamp(at_ns - local_ns(), 0.0, kLatestTimeNs), sc_core::SC_NS);
    // Strictly before anything else pending (at the same time, the order of the processes would
    // decide), inside the run's budget, and not once a failure has stopped the run (a wait would
    // never return).
    if (may_run_ahead && target < m_budget &&
        target - now < sc_core::sc_time_to_pending_activity() &&
        sc_core::sc_get_curr_simcontext()->sim_status() == sc_core::SC_SIM_OK) {
        m_local = target;
        m_ahead = true;
        return;
    }
    m_ahead = false;
    wait(target - now);
}

void EngineModule::catch_up() {
    if (!m_ahead) return;
    m_ahead = false;
    wait(m_local - sc_core::sc_time_stamp());
}

void EngineModule::wait_semaphores(size_t index, bool& stalled) {
    SemaphoreBank& sems = m_core.semaphores();
    for (const auto& w : m_core.program().instructions[index].waits) {
        if (sems.value(w.sem) < w.value) {
            catch_up();
            stalled = true;
            m_waiting_sem = int(w.sem);
            m_waiting_value = w.value;
            m_waiting_since_ns = now_ns();
            while (sems.value(w.sem) < w.value) wait(sems.changed(w.sem));
            m_waiting_sem = -1;
        }
        if (m_core.tracks_races()) m_clock.join(sems.clock_at(w.sem, w.value));
    }
}

double EngineModule::duration_ns(size_t index, bool stalled) const {
    const auto& info = m_core.info(index);
    const auto& timing = m_core.chip().timing;
    uint64_t cycles = info.cost.cycles;
    // A dependency pays the access start-up again [src:nki-arch-v2]: after a semaphore stall, or
    // when a Vector/Scalar/GpSimd instruction reads what the one before it wrote (the Tensor engine
    // accumulates into PSUM near memory, back to back). Vector adds its static overhead.
    const bool dependent = m_id != isa::Engine::tensor && info.reads_previous_result;
    if (stalled || dependent) cycles += timing.access_overhead_cycles;
    if (dependent && m_id == isa::Engine::vector) cycles += timing.vector_dependent_overhead_cycles;
    // LoadStationary runs in the background of the previous MultiplyMoving only when they run back
    // to back [src:nki-arch-v2]; otherwise it is exposed.
    if (m_core.program().instructions[index].op == Opcode::nc_matmul &&
        (stalled || local_ns() > m_last_matmul_end_ns + kTimeEpsilonNs))
        cycles += info.cost.load_stationary_cycles;
    return cycles_to_ns(cycles, m_clock_ghz);
}

void EngineModule::run() {
    for (size_t k = 0; k < m_core.program_count(); ++k) {
        while (m_core.current_program() != k) wait(m_core.program_started());
        m_stream = &m_core.stream(k, m_id);
        m_next = 0;
        m_clock = VectorClock();
        m_last_matmul_end_ns = -1;
        run_stream();
        catch_up();
        if (!finished()) return;  // stopped by an error
        m_core.engine_finished();
    }
}

void EngineModule::run_stream() {
    const size_t agent = size_t(m_id);
    const std::string_view name = isa::engine_name(m_id);
    EngineReport& report = m_core.report(m_id);
    for (; m_next < m_stream->size(); ++m_next) {
        const size_t index = (*m_stream)[m_next];
        const auto& inst = m_core.program().instructions[index];
        const double ready = local_ns();
        bool stalled = false;
        wait_semaphores(index, stalled);
        report.semaphore_wait_ns += local_ns() - ready;
        ++report.instructions;
        if (isa::is_dma(inst.op) || isa::is_collective(inst.op)) catch_up();  // they use the time
        if (isa::is_dma(inst.op)) {  // a trigger: the transfer runs on its queue
            m_core.issue_dma(index, m_id, m_clock);
            continue;
        }
        if (isa::is_collective(inst.op)) {  // asynchronous too: the collective engine runs it
            try {
                m_core.issue_collective(index, m_id, m_clock);
            } catch (const std::exception& e) {
                return m_core.fail(e.what());
            }
            continue;
        }
        const double duration = duration_ns(index, stalled);
        const double start = m_core.reserve_ports(m_id, m_core.info(index), local_ns(), duration);
        advance_to(start + duration, inst.incs.empty() && m_core.options().run_ahead);
        if (inst.op == Opcode::nc_matmul) m_last_matmul_end_ns = local_ns();
        report.busy_ns += duration;
        if (m_core.options().trace) m_core.trace(std::string(name), index, start, duration);
        try {
            m_core.complete(index, agent, m_clock, name);
        } catch (const std::exception& e) {
            catch_up();  // the failure's time
            return m_core.fail(e.what());
        }
        m_clock.tick(agent);
        for (const auto& inc : inst.incs)
            m_core.semaphores().increment(inc.sem, inc.amount, m_clock);
    }
}

std::string EngineModule::waiting_for() const {
    if (finished()) return "";
    const std::string where = m_core.describe((*m_stream)[m_next]);
    if (m_waiting_sem < 0)
        return fmt::format("{} engine stopped at {}", isa::engine_name(m_id), where);
    return fmt::format(
        "{} engine waits at {} for semaphore s{} >= {} (it holds {}) since {:.1f} ns",
        isa::engine_name(m_id), where, m_waiting_sem, m_waiting_value,
        m_core.semaphores().value(uint32_t(m_waiting_sem)), m_waiting_since_ns);
}

}  // namespace nsim::sim
