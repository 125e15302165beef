#include <catch2/catch.hpp>

#include "isa/kernel_builder.h"
#include "isa/kernel_text.h"

using namespace nsim::isa;

// The softmax example written with the builder is the program the parser reads from its file.
TEST_CASE("builder and parser agree: the softmax example built in C++ equals its kernel file",
          "[isa]") {
    KernelBuilder b("softmax_rows", Generation::v2);
    b.tensor("x", {128, 512}, DType::float32, TensorRole::input);
    b.tensor("y", {128, 512}, DType::float32, TensorRole::output);
    const AccessPattern row = sbuf(0, 128, 0, DType::float32, {512});
    const AccessPattern negmax = sbuf(0, 128, 2048, DType::float32, {1});
    const AccessPattern sum = sbuf(0, 128, 2052, DType::float32, {1});
    const AccessPattern inv = sbuf(0, 128, 2056, DType::float32, {1});
    b.dma_copy(row, b.hbm("x", 0, 128, 0, {512}));
    b.tensor_reduce(negmax, AluOp::maximum, row, 1).arg("negate", true);
    b.activation(row, ActFunc::exp, row)
        .arg("bias", negmax)
        .arg("reduce_cmd", ReduceCmd::reset_reduce)
        .arg("reduce_res", sum);
    b.reciprocal(inv, sum);
    b.tensor_scalar(row, row, AluOp::multiply, inv);
    b.dma_copy(b.hbm("y", 0, 128, 0, {512}), row);
    const Program built = b.build();
    const Program parsed = parse_kernel_file(NSIM_SOURCE_DIR "/examples/kernels/softmax_rows.nki");
    CHECK(built == parsed);
    CHECK(print_kernel(parse_kernel(print_kernel(built), "built")) == print_kernel(built));
}

TEST_CASE("builder and parser agree: a streams program with semaphores round-trips", "[isa]") {
    KernelBuilder b("streams", Generation::v1);
    b.set_form(ProgramForm::streams);
    const AccessPattern t = sbuf(0, 128, 0, DType::bfloat16, {64});
    b.memset(t, 0).inc(3);
    b.activation(t, ActFunc::gelu, t).engine(Engine::scalar).wait(3, 1).inc(4, 2);
    const Program built = b.build();
    CHECK(parse_kernel(print_kernel(built), "streams") == built);
}
