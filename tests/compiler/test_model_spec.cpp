// Model files: the shipped ones load, and every kind of bad file is rejected naming file, JSON path
// and expectation.
#include <catch2/catch.hpp>

#include "compiler/model_spec.h"

using namespace nsim::compiler;

namespace {

const std::string kGood = R"({"name": "m", "layers": 2, "hidden_size": 256, "attention_heads": 4,
  "intermediate_size": 512, "vocab_size": 100, "max_position_embeddings": 128, "type_vocab_size": 2,
  "sequence_length": 128})";

// The message of parsing `text`, which must fail.
std::string error_of(const std::string& text) {
    try {
        parse_model(text, "m.json");
    } catch (const ModelError& e) {
        return e.what();
    }
    FAIL("no error for " << text);
    return "";
}

// kGood with one key added, or replaced when kGood has it (a key given twice is an error).
std::string with(const std::string& key_value) {
    const std::string key = key_value.substr(0, key_value.find(':') + 1);
    const size_t at = kGood.find(key);
    if (at == std::string::npos) return kGood.substr(0, kGood.size() - 1) + ", " + key_value + "}";
    const size_t end = kGood.find_first_of(",}", at);
    return kGood.substr(0, at) + key_value + kGood.substr(end);
}

}  // namespace

TEST_CASE("model spec: the shipped BERT files carry the published architecture numbers",
          "[compiler]") {
    const auto base = load_model(NSIM_SOURCE_DIR "/examples/models/bert-base-uncased.json");
    CHECK(base.layers == 12);
    CHECK(base.hidden == 768);
    CHECK(base.heads == 12);
    CHECK(base.intermediate == 3072);
    CHECK(base.vocab == 30522);
    CHECK(base.max_positions == 512);
    CHECK(base.sequence_length == 128);
    CHECK(base.matmul_dtype == nsim::isa::DType::bfloat16);
    const auto large = load_model(NSIM_SOURCE_DIR "/examples/models/bert-large-uncased.json");
    CHECK((large.layers == 24 && large.hidden == 1024 && large.heads == 16 &&
           large.intermediate == 4096));
    const auto distil = load_model(NSIM_SOURCE_DIR "/examples/models/distilbert-base-uncased.json");
    CHECK((distil.layers == 6 && distil.hidden == 768 && distil.heads == 12 &&
           distil.intermediate == 3072));
    CHECK(!distil.pooler);
    CHECK(distil.type_vocab == 0);
}

TEST_CASE("model spec: an unknown key is an error naming it", "[compiler]") {
    const auto e = error_of(with(R"("hiden_size": 3)"));
    CHECK_THAT(e, Catch::Contains("m.json: $.hiden_size: unknown key"));
}

TEST_CASE("model spec: a wrong type is an error naming the path and the expectation",
          "[compiler]") {
    CHECK_THAT(error_of(with(R"("pooler": 1)")),
               Catch::Contains("$.pooler: found 1, expected true or false"));
    CHECK_THAT(error_of(with(R"("matmul_dtype": "int8")")),
               Catch::Contains("$.matmul_dtype: found \"int8\", expected bf16"));
}

TEST_CASE("model spec: non-positive sizes are errors", "[compiler]") {
    std::string text = kGood;
    text.replace(text.find("\"layers\": 2"), 11, "\"layers\": 0");
    CHECK_THAT(error_of(text),
               Catch::Contains("m.json: $.layers: found 0, expected a positive integer"));
    text = kGood;
    text.replace(text.find("\"hidden_size\": 256"), 18, "\"hidden_size\": -8");
    CHECK_THAT(error_of(text),
               Catch::Contains("$.hidden_size: found -8, expected a positive integer"));
}

TEST_CASE("model spec: missing keys, bad JSON and inconsistent sizes are errors", "[compiler]") {
    CHECK_THAT(error_of(R"({"name": "m"})"), Catch::Contains("$.layers: missing"));
    CHECK_THAT(error_of("{\"name\": "), Catch::Contains("m.json: invalid JSON"));
    CHECK_THAT(error_of("[1]"), Catch::Contains("expected a JSON object"));
    CHECK_THAT(error_of(with(R"("attention_heads": 5)")),
               Catch::Contains("expected a divisor of hidden_size 256"));
    CHECK_THROWS_WITH(load_model("/nonexistent/model.json"),
                      Catch::Contains("/nonexistent/model.json: cannot read"));
}
