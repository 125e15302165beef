#include "runtime/serving.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include <fmt/format.h>

#include "isa/error.h"

namespace nsim::runtime {

namespace {

// A request moves through 2 + 2 x stages steps: its host part, the input transfer, then per stage
// its service on the stage's core and the transfer of its output.
struct Event {
    double time_ns = 0;
    uint64_t sequence = 0;  // ties leave in the order they were made
    size_t request = 0;
    size_t step = 0;
    bool operator>(const Event& o) const {
        return time_ns != o.time_ns ? time_ns > o.time_ns : sequence > o.sequence;
    }
};

struct Request {
    size_t copy = 0;
    double sent_ns = 0;
};

struct Interval {
    double start_ns = 0, end_ns = 0;
};

double overlap(const Interval& i, double from, double to) {
    return std::max(0.0, std::min(i.end_ns, to) - std::max(i.start_ns, from));
}

void check(const ServingSetup& s) {
    if (s.copies.empty()) throw InputError("serving setup: no model copy; expected at least one");
    if (s.workers_per_copy == 0)
        throw InputError("serving setup: 0 workers per copy; expected at least 1");
    if (s.measured_requests == 0)
        throw InputError("serving setup: 0 measured requests; expected at least 1");
    if (s.vcpus == 0) throw InputError("serving setup: 0 vCPUs; expected at least 1");
    for (const auto& r : s.resources)
        if (!(r.bandwidth_gbps > 0))
            throw InputError(
                fmt::format("serving setup: resource {} has {} GB/s; expected more "
                            "than 0",
                            r.name, r.bandwidth_gbps));
    auto check_path = [&](const TransferPath& path, const std::string& where) {
        for (const Hop& h : path)
            if (h.resource >= s.resources.size())
                throw InputError(fmt::format(
                    "serving setup: {} crosses resource {}; expected one of the {} resources",
                    where, h.resource, s.resources.size()));
    };
    for (size_t c = 0; c < s.copies.size(); ++c) {
        const ServedCopy& copy = s.copies[c];
        if (copy.stages.empty())
            throw InputError(
                fmt::format("serving setup: copy {} has no stage; expected at least one", c));
        if (!(copy.host_ns >= 0))
            throw InputError(
                fmt::format("serving setup: copy {} has {} ns of host time; expected 0 or more", c,
                            copy.host_ns));
        check_path(copy.input_path, fmt::format("copy {}'s input", c));
        for (size_t k = 0; k < copy.stages.size(); ++k) {
            if (copy.stages[k].core >= s.cores.size())
                throw InputError(fmt::format(
                    "serving setup: copy {} stage {} runs on core {}; expected one of the {} cores",
                    c, k, copy.stages[k].core, s.cores.size()));
            check_path(copy.stages[k].output_path, fmt::format("copy {} stage {}'s output", c, k));
        }
    }
}

// The closed-loop simulation's state; run() drives it to the requested number of completions.
class ServingLoop {
public:
    explicit ServingLoop(const ServingSetup& s)
        : m_setup(s),
          m_core_free(s.cores.size(), 0.0),
          m_core_busy(s.cores.size()),
          m_resource_free(s.resources.size(), 0.0),
          m_transfers(s.resources.size()),
          m_vcpu_free(s.vcpus, 0.0) {}

    ServingResult run() {
        for (size_t c = 0; c < m_setup.copies.size(); ++c)
            for (uint32_t w = 0; w < m_setup.workers_per_copy; ++w) send(c, 0.0);
        const uint64_t total = uint64_t(m_setup.warmup_requests) + m_setup.measured_requests;
        while (m_completions.size() < total) {
            const Event e = m_events.top();
            m_events.pop();
            const ServedCopy& copy = m_setup.copies[m_requests[e.request].copy];
            if (e.step == 2 + 2 * copy.stages.size()) {
                complete(e.request, e.time_ns);
                continue;
            }
            push(e.request, e.step + 1, advance(copy, e.step, e.time_ns));
        }
        return result();
    }

private:
    void send(size_t copy, double now) {
        m_requests.push_back({copy, now});
        push(m_requests.size() - 1, 0, now);
    }
    void push(size_t request, size_t step, double time) {
        m_events.push({time, m_sequence++, request, step});
    }

    void complete(size_t request, double now) {
        m_completions.push_back({m_requests[request].sent_ns, now});
        send(m_requests[request].copy, now);  // the worker sends its next batch at once
    }

    // Step `step` of a request of `copy` starts at `now`; returns when it is done.
    double advance(const ServedCopy& copy, size_t step, double now) {
        if (step == 0) return host(copy.host_ns, now);
        if (step == 1) return transfer(copy.input_path, copy.input_bytes, now);
        const ServedStage& stage = copy.stages[(step - 2) / 2];
        if (step % 2 == 1) return transfer(stage.output_path, stage.output_bytes, now);
        const double start =
            std::max(now, m_core_free[stage.core]);  // FIFO: events come in time order
        m_core_free[stage.core] = start + stage.service_ns;
        m_core_busy[stage.core].push_back({start, m_core_free[stage.core]});
        return m_core_free[stage.core];
    }

    // `ns` of host work on the first vCPU free (FIFO: events come in time order).
    double host(double ns, double now) {
        if (ns == 0) return now;
        const auto vcpu = std::min_element(m_vcpu_free.begin(), m_vcpu_free.end());
        const double start = std::max(now, *vcpu);
        *vcpu = start + ns;
        m_host_busy.push_back({start, *vcpu});
        return *vcpu;
    }

    // Cut-through over the path: each hop starts when the data reaches it and the hop is free.
    double transfer(const TransferPath& path, uint64_t bytes, double now) {
        double arrive = now, done = now;
        for (const Hop& h : path) {
            const double start = std::max(arrive, m_resource_free[h.resource]);
            const double end = start + double(bytes) / m_setup.resources[h.resource].bandwidth_gbps;
            m_resource_free[h.resource] = end;
            m_transfers[h.resource].push_back({start, end});
            arrive = start + h.latency_ns;
            done = std::max(done, end + h.latency_ns);
        }
        return std::max(done, arrive);
    }

    ServingResult result() const {
        ServingResult r;
        const size_t warm = m_setup.warmup_requests;
        // The window opens when the warm-up's last request completes (at 0 without a warm-up).
        const double from = warm == 0 ? 0.0 : m_completions[warm - 1].second;
        const double to = m_completions.back().second;
        r.window_ns = to - from;
        r.completed = m_completions.size() - warm;
        for (size_t i = warm; i < m_completions.size(); ++i)
            r.latencies_ms.push_back((m_completions[i].second - m_completions[i].first) * 1e-6);
        r.latency_ms = summarize_latencies(r.latencies_ms);
        if (r.window_ns > 0) {
            r.throughput_per_s = double(r.completed) * m_setup.batch / (r.window_ns * 1e-9);
            auto busy_ns = [&](const std::vector<Interval>& busy) {
                double sum = 0;
                for (const auto& i : busy) sum += overlap(i, from, to);
                return sum;
            };
            for (const auto& busy : m_core_busy)
                r.core_busy_fraction.push_back(busy_ns(busy) / r.window_ns);
            r.host_busy_fraction = busy_ns(m_host_busy) / (r.window_ns * m_setup.vcpus);
            for (size_t k = 0; k < m_transfers.size(); ++k) {
                double seconds_busy = 0;
                for (const auto& i : m_transfers[k]) seconds_busy += overlap(i, from, to) * 1e-9;
                // Busy time at the resource's bandwidth is the bytes it moved in the window.
                r.resource_bytes_per_s.push_back(seconds_busy *
                                                 m_setup.resources[k].bandwidth_gbps * 1e9 /
                                                 (r.window_ns * 1e-9));
            }
        }
        return r;
    }

    const ServingSetup& m_setup;
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> m_events;
    uint64_t m_sequence = 0;
    std::vector<Request> m_requests;
    std::vector<std::pair<double, double>> m_completions;  // (sent, done) in completion order
    std::vector<double> m_core_free;
    std::vector<std::vector<Interval>> m_core_busy;
    std::vector<double> m_resource_free;
    std::vector<std::vector<Interval>> m_transfers;
    std::vector<double> m_vcpu_free;
    std::vector<Interval> m_host_busy;  // every vCPU's, together
};

}  // namespace

LatencySummary summarize_latencies(std::vector<double> v) {
    LatencySummary s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    // Linear interpolation between the closest ranks (numpy's default method;
    // [src:neuronperf] names the percentiles but not how it interpolates).
    auto pct = [&](double p) {
        const double rank = p / 100.0 * double(v.size() - 1);
        const size_t lo = size_t(std::floor(rank)), hi = std::min(lo + 1, v.size() - 1);
        return v[lo] + (v[hi] - v[lo]) * (rank - double(lo));
    };
    s.p0 = v.front();
    s.p50 = pct(50);
    s.p90 = pct(90);
    s.p95 = pct(95);
    s.p99 = pct(99);
    s.p100 = v.back();
    double sum = 0;
    for (double x : v) sum += x;
    s.mean = sum / double(v.size());
    return s;
}

ServingResult simulate_serving(const ServingSetup& setup) {
    check(setup);
    return ServingLoop(setup).run();
}

}  // namespace nsim::runtime
