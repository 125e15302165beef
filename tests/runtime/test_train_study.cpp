// The training step study through the runtime's API: its typed figures add up, and bad input is an
// InputError naming it.
#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/train_study.h"

using namespace nsim::runtime;

namespace {
// BERT-Mini (tests/models/): 4 small layers, a step in fp32 or bf16-sr in well under a second.
const std::string kMini = NSIM_SOURCE_DIR "/tests/models/bert-mini.json";
}  // namespace

TEST_CASE(
    "train study: BERT-base on trn1.2xlarge, a step of compute, exposed communication and "
    "the optimizer",
    "[runtime][sim]") {
    TrainRequest q;
    q.model = "bert-base-uncased";
    q.instance = "trn1.2xlarge";
    q.batch = 1;
    const TrainStudy s = run_train_study(q);
    CHECK(s.ranks == 2);
    CHECK(s.parameters == 109483778);             // BertForSequenceClassification, 2 labels
    CHECK(s.gradient_bytes == 2 * s.parameters);  // bf16-sr by default
    CHECK(s.forward.instructions > 0);
    CHECK(s.backward.time_ns > s.forward.time_ns);
    const StepTimeline& t = s.timeline;
    CHECK(t.compute_ns == Approx(12 * (s.forward.time_ns + s.backward.time_ns)));
    CHECK(t.step_ns == Approx(t.compute_ns + t.exposed_communication_ns + t.optimizer_ns));
    CHECK_FALSE(t.buckets.empty());
    CHECK(s.sequences_per_second() == Approx(1e9 * 2 / t.step_ns));
}

TEST_CASE("train study: a batch of 0 or an instance without collectives is an InputError",
          "[runtime]") {
    TrainRequest q;
    q.model = "bert-base-uncased";
    q.instance = "trn1.2xlarge";
    CHECK_THROWS_AS(run_train_study(q), nsim::InputError);  // batch 0
    q.batch = 1;
    q.instance = "inf1.xlarge";
    CHECK_THROWS_WITH(run_train_study(q), Catch::Contains("no collective engine"));
}

TEST_CASE(
    "train study: 8 accumulated micro-batches keep one all-reduce per global step, whose share "
    "drops, and bf16-sr micro-batches are faster than fp32 ones",
    "[runtime][sim]") {
    TrainRequest q;
    q.model = kMini;
    q.instance = "trn1.2xlarge";
    q.batch = 1;
    q.dtype = TrainDtype::bf16_sr;
    const TrainStudy one = run_train_study(q);  // global batch 2: no accumulation
    q.global_batch = 16;
    const TrainStudy eight = run_train_study(q);
    CHECK(one.micro_steps == 1);
    CHECK(eight.micro_steps == 8);
    CHECK(eight.global_batch == 16);
    CHECK(eight.gradient_bytes == 2 * eight.parameters);  // bf16 gradients
    CHECK(eight.timeline.compute_ns ==
          Approx(8 * eight.micro_step_ns + 7 * eight.accumulation_ns).epsilon(1e-9));
    CHECK(eight.timeline.communication_ns == Approx(one.timeline.communication_ns));
    CHECK(eight.timeline.optimizer_ns == Approx(one.timeline.optimizer_ns));
    CHECK(eight.communication_percent() < 0.5 * one.communication_percent());
    CHECK(eight.compute_percent() + eight.communication_percent() + eight.optimizer_percent() ==
          Approx(100));
    // The 7 earlier micro-batches run before the last, which is scheduled as without them.
    CHECK(eight.timeline.step_ns ==
          Approx(one.timeline.step_ns + 7 * (eight.micro_step_ns + eight.accumulation_ns)));
    CHECK(eight.sequences_per_second() > one.sequences_per_second());

    q.dtype = TrainDtype::fp32;
    q.global_batch = 0;
    const TrainStudy fp32 = run_train_study(q);
    CHECK(fp32.gradient_bytes == 4 * fp32.parameters);
    CHECK(one.micro_step_ns < 0.8 * fp32.micro_step_ns);  // fp32 matmuls cost 4x bf16 ones
}

TEST_CASE(
    "train study: a global batch that is not a whole number of micro-batches is an "
    "InputError before any simulation",
    "[runtime]") {
    TrainRequest q;
    q.model = "bert-base-uncased";
    q.instance = "trn1.2xlarge";
    q.batch = 2;
    q.global_batch = 6;  // 2 x 2 cores = 4 per micro-batch
    CHECK_THROWS_WITH(run_train_study(q), Catch::Contains("--global-batch 6") &&
                                              Catch::Contains("multiple of --batch 2 x 2"));
    q.global_batch = 2;
    CHECK_THROWS_WITH(run_train_study(q), Catch::Contains("less than one micro-batch"));
}
