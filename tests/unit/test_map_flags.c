/* Hash maps with keys are created without preallocation (codegen/maps.c):
 * a preallocated per-CPU map of 4096 keys costs milliseconds of start-up.
 * LRU maps, keyless maps and scripts with perf-event probes (which kernels
 * before 6.1 allow only preallocated hash maps) keep it. Compiled and
 * opened only, no kernel. */
#include <bpf/libbpf.h>

#include "compile_fixture.h"

enum { NO_PREALLOC = 1 }; /* BPF_F_NO_PREALLOC */

/* The map_flags libbpf read from the object's BTF for BPF map `name`;
 * -1 when the script did not compile or has no such map. */
static long map_flags(const char *source, const char *name)
{
    struct compiled compiled;
    compile(&compiled, source);
    long flags = -1;
    struct bpf_object *object =
        compiled.status == 0 ? bpf_object__open_mem(compiled.plan.elf, compiled.plan.elf_size, NULL)
                             : NULL;
    if (object) {
        struct bpf_map *map = bpf_object__find_map_by_name(object, name);
        if (map)
            flags = bpf_map__map_flags(map);
        bpf_object__close(object);
    }
    release_compiled(&compiled);
    return flags;
}

static void test_keyed_hash_maps_allocate_as_keys_appear(void)
{
    const char *script = "BEGIN { @counts[pid] = count(); @last[comm, tid] = nsecs; "
                         "@total = sum(1); }";
    CHECK(map_flags(script, "AT_counts") == NO_PREALLOC);
    CHECK(map_flags(script, "AT_last") == NO_PREALLOC);
    CHECK(map_flags(script, "AT_total") == 0); /* one key: nothing to save */
}

static void test_lru_maps_keep_preallocation(void)
{
    const char *script = "let @recent = lruhash(8); BEGIN { @recent[pid] = 1; @other[tid] = 2; }";
    CHECK(map_flags(script, "AT_recent") == 0);
    CHECK(map_flags(script, "AT_other") == NO_PREALLOC);
}

static void test_perf_event_scripts_keep_preallocation(void)
{
    CHECK(map_flags("profile:hz:99 { @samples[cpu] = count(); }", "AT_samples") == 0);
    CHECK(map_flags("interval:ms:10 { @ticks[cpu] = count(); }", "AT_ticks") == 0);
    CHECK(map_flags("BEGIN { @ticks[cpu] = count(); }", "AT_ticks") == NO_PREALLOC);
}

int main(void)
{
    (void)expect_accepted;
    (void)expect_error;
    test_keyed_hash_maps_allocate_as_keys_appear();
    test_lru_maps_keep_preallocation();
    test_perf_event_scripts_keep_preallocation();
    return TEST_DONE();
}
