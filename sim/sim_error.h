// Errors found while simulating (a deadlock, a race, an unknown custom operator, ...): the message
// names the instruction and what went wrong.
#pragma once

#include <stdexcept>

namespace nsim::sim {

class SimError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace nsim::sim
