// The rules of a program run as one copy on each rank of a run (`nsim run --ranks/--instance`):
// every rank its collectives name exists, and a send or recv never names its own rank.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/diagnostic.h"
#include "isa/program.h"

namespace nsim::isa {

// The problems of running `p` on ranks 0..ranks-1, one copy each: a replica group naming a rank
// the run does not have, a send/recv peer the run does not have, and a peer that is the issuing
// rank itself (an absolute `peer` is, on that rank; so is a `peer_offset` that is a multiple of
// `ranks`). Each at its operand's line.
std::vector<Diagnostic> check_ranks(const Program& p, uint32_t ranks);

// The rank a send or recv issued by `rank` of a run of `ranks` talks to: its `peer`, or
// (rank + peer_offset) modulo `ranks`.
uint32_t peer_rank(const Instruction& inst, uint32_t rank, uint32_t ranks);

}  // namespace nsim::isa
