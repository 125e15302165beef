// The sync pass: a sequential program becomes per-engine streams with the semaphores that keep
// every engine seeing the data it would see in program order.
#pragma once

#include <string>

#include "isa/program.h"
#include "isa/target.h"

namespace nsim::compiler {

// Turns a sequential program (program order = the meaning) into per-engine streams with the
// semaphores needed so every engine sees the data it would see in program order: a wait for each
// true (RAW) and false (WAR, WAW) dependency on overlapping bytes that in-order execution does not
// already guarantee, and no more. Throws isa::KernelError when the program cannot be synchronised
// (it already has wait/inc, or it needs more semaphores than limits.semaphores). A program already
// in streams form is returned unchanged: its author synchronised it.
//
// One semaphore counts the completions of each completion stream: an engine's compute
// instructions (they complete in order) and each (issuing engine, DMA queue) pair (FIFO). Only
// instructions someone waits for increment it, by 1, so "instruction X is done" is the count of
// incrementing instructions of X's stream up to X. Semaphore ids are given from 0 in program order
// of their first increment. `file` names the kernel in error messages.
isa::Program insert_sync(isa::Program sequential, const isa::TargetLimits& limits,
                         const std::string& file);

}  // namespace nsim::compiler
