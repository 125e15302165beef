// A race in words: one line naming both instructions, their agents, the bytes and the memory, for
// every report that lists races (`nsim run`, the model's functional check).
#pragma once

#include <string>

#include "sim/checks/race_detector.h"

namespace nsim::sim {

std::string describe_race(const Race& race);

}  // namespace nsim::sim
