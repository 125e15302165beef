// libFuzzer target for model and study files: the bytes as a model JSON and as a study JSON. Each
// is refused with an nsim error naming the key, or read; nothing else may escape.
#include "compiler/model_spec.h"
#include "fuzz/fuzz_input.h"
#include "runtime/study.h"

using namespace nsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    fuzz::expect_only_nsim_errors("model", [&] { compiler::parse_model(text, "model.json"); });
    const std::string path = fuzz::as_file(data, size, "study.json");
    fuzz::expect_only_nsim_errors("study", [&] { runtime::load_study(path); });
    return 0;
}
