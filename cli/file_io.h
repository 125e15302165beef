// Reading and writing the files nsim commands take, with errors that name the file.
#pragma once

#include <string>
#include <string_view>

#include "isa/input_limits.h"

namespace nsim::cli {

// A kernel file, a regular one of at most kMaxKernelFileBytes, mapped (isa/input_limits.h);
// throws InputError "PATH: cannot read the file: REASON".
MappedFile map_kernel_file(const std::string& path);

// Replaces the file's content; throws InputError "cannot write 'PATH': REASON".
void write_text_file(const std::string& path, std::string_view text);

}  // namespace nsim::cli
