// Reading and writing the files nsim commands take, with errors that name the file.
#pragma once

#include <string>
#include <string_view>

namespace nsim::cli {

// The whole file, a regular one of at most kMaxKernelFileBytes (isa/input_limits.h); throws
// InputError "PATH: cannot read the file: REASON".
std::string read_text_file(const std::string& path);

// Replaces the file's content; throws InputError "cannot write 'PATH': REASON".
void write_text_file(const std::string& path, std::string_view text);

}  // namespace nsim::cli
