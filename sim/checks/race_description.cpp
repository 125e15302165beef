#include "sim/checks/race_description.h"

#include <fmt/format.h>

#include "isa/opcode_table.h"

namespace nsim::sim {

namespace {

std::string site(const AccessSite& s) {
    const std::string op(isa::opcode_info(s.inst->op).name);
    return s.inst->loc.line ? fmt::format("line {} ({}) on {}", s.inst->loc.line, op, s.agent)
                            : fmt::format("{} on {}", op, s.agent);
}

}  // namespace

std::string describe_race(const Race& race) {
    const std::string memory =
        race.space == isa::MemSpace::hbm
            ? fmt::format("hbm tensor '{}'", race.tensor)
            : fmt::format("{} partition {}", isa::mem_space_name(race.space), race.where.partition);
    return fmt::format("race: {} {} and {} {} bytes [{}, {}) of {} with no semaphore ordering them",
                       site(race.first), race.first_writes ? "writes" : "reads", site(race.second),
                       race.second_writes ? "writes" : "reads", race.where.bytes.begin,
                       race.where.bytes.end, memory);
}

}  // namespace nsim::sim
