// The training step study through the runtime's API: its typed figures add up, and bad input is an
// InputError naming it.
#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/train_study.h"

using namespace nsim::runtime;

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
    CHECK(s.parameters == 109483778);  // BertForSequenceClassification, 2 labels
    CHECK(s.gradient_bytes == 4 * s.parameters);
    CHECK(s.forward.instructions > 0);
    CHECK(s.backward.time_ns > s.forward.time_ns);
    const StepTimeline& t = s.timeline;
    CHECK(t.compute_ns == Approx(12 * (s.forward.time_ns + s.backward.time_ns)));
    CHECK(t.step_ns == Approx(t.compute_ns + t.exposed_communication_ns + t.optimizer_ns));
    CHECK_FALSE(t.buckets.empty());
    CHECK(s.samples_per_second() == Approx(1e9 * 2 / t.step_ns));
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
