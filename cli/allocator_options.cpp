// Options of the allocator the nsim binary links (jemalloc, cli/CMakeLists.txt), which reads this
// symbol when it starts [jemalloc(3), malloc_conf]. One arena for every thread: what one phase
// frees on one thread (a parser's chunk, the sync pass's slices) is what the next allocates on
// another, instead of fresh pages the kernel must fault in (a run of a long kernel spends a fifth
// of its time in those faults). The threads' own caches keep the shared arena's lock rare.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "narenas:1";
}
