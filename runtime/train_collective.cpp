#include "runtime/train_collective.h"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "isa/error.h"
#include "sim/collective/collective_engine.h"

namespace nsim::runtime {

namespace {

// An all-reduce of gradients over every rank (empty group), the algorithm chosen by message size.
sim::CollectiveRequest gradient_request(uint64_t bytes, sim::CollectiveDType dtype) {
    sim::CollectiveRequest r;
    r.op = sim::CollectiveOp::all_reduce;
    r.algo = sim::CollectiveAlgo::automatic;
    r.dtype = dtype;
    r.bytes = bytes;
    return r;
}

// One all-reduce on an idle network: a fresh network and engine, every rank arriving at 0.
double simulate_all_reduce(const sim::InstanceConfig& instance, uint64_t bytes,
                           sim::CollectiveDType dtype) {
    sim::LinkNetwork network(sim::LinkTopology(instance), sim::link_params(instance));
    sim::CollectiveEngine engine(instance, network);
    const uint32_t id = engine.launch(engine.plan(gradient_request(bytes, dtype)));
    engine.arrive_all(id, 0);
    network.run();
    engine.check_finished();
    return engine.finish_ns(id);
}

}  // namespace

AllReduceTime gradient_all_reduce(const sim::InstanceConfig& instance, sim::CollectiveDType dtype) {
    if (instance.chip.collective.cc_cores == 0)
        throw InputError(
            fmt::format("instance {}: its {} chips have no collective engine (collective.cc_cores "
                        "is 0); expected an instance whose chips run collectives (trn1, trn2)",
                        instance.name, instance.chip.name));
    if (sim::rank_placement(instance).ranks() < 2)
        throw InputError(
            fmt::format("instance {}: one NeuronCore, nothing to all-reduce; expected at least 2",
                        instance.name));
    // Buckets are reduced one at a time, so each is timed alone; equal sizes are simulated once.
    auto cache = std::make_shared<std::map<uint64_t, double>>();
    return [instance, dtype, cache](uint64_t bytes) {
        auto it = cache->find(bytes);
        if (it == cache->end())
            it = cache->emplace(bytes, simulate_all_reduce(instance, bytes, dtype)).first;
        return it->second;
    };
}

std::string all_reduce_method(const sim::InstanceConfig& instance, uint64_t bytes,
                              sim::CollectiveDType dtype) {
    sim::LinkNetwork network(sim::LinkTopology(instance), sim::link_params(instance));
    const sim::CollectivePlan plan =
        sim::plan_collective(instance, network, gradient_request(bytes, dtype));
    return fmt::format(
        "collective engine, {} all_reduce over {} ranks, algorithm auto ({} for a {} byte "
        "bucket), each bucket simulated alone over NeuronLink",
        sim::name(dtype), plan.members(), sim::name(plan.request.algo), bytes);
}

}  // namespace nsim::runtime
