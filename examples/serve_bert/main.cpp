// Serves BERT-base (sequence 128) on a simulated inf1.xlarge, a copy per NeuronCore, through nsim's
// runtime API alone, and prints throughput and latency: what `nsim model bert-base-uncased
// --instance inf1.xlarge --requests 16` reports first.
//   serve_bert [MODEL.json [INSTANCE.json]]
// Without arguments it takes the model and instance files installed with nsim (share/nsim); the
// chip an instance names is found like every config (NSIM_CONFIG_DIR, then nsim's own configs).
// Expected with nsim 0.1 (a few seconds):
//   bert-base-uncased on inf1.xlarge: 4 copies x 1 core, batch 1
//     throughput   about 249 inferences/s
//     latency ms   p50 about 32.1 (four copies share the chip's DRAM)
#include <cstdio>
#include <exception>
#include <string>

#include "isa/error.h"
#include "runtime/model_run.h"

// libsystemc references sc_main; nsim drives SystemC itself (in child processes of run_model).
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    if (argc > 3) {
        std::fprintf(stderr, "usage: serve_bert [MODEL.json [INSTANCE.json]]\n");
        return 2;
    }
    nsim::runtime::ModelRequest request;
    request.model = argc > 1 ? argv[1] : NSIM_DATA_DIR "/examples/models/bert-base-uncased.json";
    request.instance = argc > 2 ? argv[2] : NSIM_DATA_DIR "/configs/instances/inf1.xlarge.json";
    request.parallel = nsim::runtime::Parallelism::data;
    request.requests = 16;  // a few requests: every copy serves the same batches in step
    try {
        const nsim::runtime::ModelRunResult r = nsim::runtime::run_model(request);
        std::printf("%s on %s: %u copies x %u core%s, batch %u\n", r.model.c_str(),
                    r.instance.c_str(), r.copies, r.pipeline_cores,
                    r.pipeline_cores == 1 ? "" : "s", r.batch);
        std::printf("  throughput   %.1f inferences/s\n", r.throughput_per_s);
        std::printf("  latency ms   p50 %.3f  p90 %.3f  p99 %.3f\n", r.latency_ms.p50,
                    r.latency_ms.p90, r.latency_ms.p99);
        std::printf("  cost         $%.4f per 1M inferences\n", r.cost_per_1m_usd);
    } catch (const nsim::Error& e) {
        std::fprintf(stderr, "serve_bert: %s\n", e.what());
        return nsim::exit_code(e.kind());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "serve_bert: %s\n", e.what());
        return 2;
    }
    return 0;
}
