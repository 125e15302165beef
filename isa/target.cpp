#include "isa/target.h"

namespace nsim::isa {

TargetLimits default_limits(Generation g) {
    TargetLimits t;
    t.partitions = 128;
    t.psum_partition_bytes = 16 * 1024;
    t.psum_banks = 8;
    t.semaphores = 256;
    t.dma_queues = 16;
    t.has_gpsimd = true;
    switch (g) {
        case Generation::v1:
            t.sbuf_partition_bytes = 96 * 1024;
            t.semaphores = 32;
            t.has_gpsimd = false;
            break;
        case Generation::v2:
            t.sbuf_partition_bytes = 192 * 1024;
            break;
        case Generation::v3:
            t.sbuf_partition_bytes = 224 * 1024;
            break;
    }
    return t;
}

}  // namespace nsim::isa
