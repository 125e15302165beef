// The parameter passes of a training step beside the layer kernels: the optimizer's and the
// gradient accumulation's work per parameter, and their time on a chip.
#include <catch2/catch.hpp>

#include "runtime/train_optimizer.h"
#include "sim/config/chip_config.h"

using namespace nsim::runtime;

TEST_CASE("train optimizer: the words of --dtype and --optimizer", "[runtime]") {
    CHECK(parse_train_dtype("fp32") == TrainDtype::fp32);
    CHECK(parse_train_dtype("bf16-sr") == TrainDtype::bf16_sr);
    CHECK_FALSE(parse_train_dtype("bf16"));
    CHECK(parse_train_optimizer("adamw") == TrainOptimizer::adamw);
    CHECK(parse_train_optimizer("lamb") == TrainOptimizer::lamb);
    CHECK_FALSE(parse_train_optimizer("AdamW"));
    CHECK(gradient_element_bytes(TrainDtype::fp32) == 4);
    CHECK(gradient_element_bytes(TrainDtype::bf16_sr) == 2);
}

TEST_CASE("train optimizer: LAMB's second pass over the weights costs more than AdamW's one",
          "[runtime]") {
    const nsim::sim::ChipConfig trn1 = nsim::sim::load_chip("trn1");
    const uint64_t bert_large = 335143938;
    for (const TrainDtype dtype : {TrainDtype::fp32, TrainDtype::bf16_sr}) {
        const ParameterWork adamw = optimizer_work(TrainOptimizer::adamw, dtype),
                            lamb = optimizer_work(TrainOptimizer::lamb, dtype);
        // fp32: w, g, m, v read, w, m, v written (7 x 4 bytes). bf16-sr: g in 2 bytes and a bf16
        // copy of w written, the same 28.
        CHECK(adamw.hbm_bytes == 28);
        CHECK(lamb.hbm_bytes == 40);  // + the update written and read again, w read again
        CHECK(lamb.elementwise_ops > adamw.elementwise_ops);
        CHECK(parameter_pass_ns(bert_large, lamb, trn1) >
              1.3 * parameter_pass_ns(bert_large, adamw, trn1));
    }
    // AdamW on trn1 is bound by HBM: 28 bytes per parameter at half of the chip's 820 GB/s.
    CHECK(parameter_pass_ns(bert_large, optimizer_work(TrainOptimizer::adamw, TrainDtype::fp32),
                            trn1) == Approx(bert_large * 28 / 410.0));
}

TEST_CASE("train optimizer: accumulating bf16 gradients moves half the bytes of fp32 ones",
          "[runtime]") {
    const nsim::sim::ChipConfig trn1 = nsim::sim::load_chip("trn1");
    CHECK(accumulation_work(TrainDtype::fp32).hbm_bytes == 12);
    CHECK(parameter_pass_ns(1000000, accumulation_work(TrainDtype::bf16_sr), trn1) ==
          Approx(0.5 * parameter_pass_ns(1000000, accumulation_work(TrainDtype::fp32), trn1)));
}
