# Writes a C++ header holding a text file as a raw string literal, so that a binary carries the
# file (nsim's default job checks an example kernel built into it). Run at build time:
#   cmake -DINPUT=file -DOUTPUT=header.h -DSYMBOL=kName -DLABEL=path/shown/to/users -P embed_text.cmake
# The header defines nsim::cli::<SYMBOL>Text (the content) and <SYMBOL>File (LABEL).
file(READ "${INPUT}" text)
if(text MATCHES "\\)nsim_text\"")
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )nsim_text\"")
endif()
file(WRITE "${OUTPUT}"
  "// Generated from ${LABEL} by cmake/embed_text.cmake: do not edit.\n"
  "#pragma once\n\n#include <string_view>\n\nnamespace nsim::cli {\n\n"
  "inline constexpr std::string_view ${SYMBOL}File = \"${LABEL}\";\n"
  "inline constexpr std::string_view ${SYMBOL}Text = R\"nsim_text(${text})nsim_text\";\n\n"
  "}  // namespace nsim::cli\n")
