// The verifier: the shape, dtype, memory and engine rules of the instruction set.
#pragma once

#include <string>
#include <vector>

#include "isa/diagnostic.h"
#include "isa/program.h"
#include "isa/target.h"

namespace nsim::isa {

// Every rule the program breaks for these limits (empty when it is valid). Each diagnostic names
// the instruction's (or operand's) position, what was found and what was expected.
std::vector<Diagnostic> verify(const Program& p, const TargetLimits& limits);

// verify() with the target's default limits, throwing KernelError(file, diagnostics) on any error.
void verify_or_throw(const Program& p, const std::string& file);

}  // namespace nsim::isa
