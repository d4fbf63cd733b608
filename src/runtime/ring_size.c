/* The ring buffer's size from bpftrace's perf_rb_pages setting
 * (BPFTRACE_PERF_RB_PAGES): pages of 4 KiB per CPU. bpftrace sized one perf
 * buffer per CPU; sonde has one ring for all CPUs, so it takes their sum,
 * rounded up to the power of two the kernel requires. */
#include <stdint.h>

#include <bpf/libbpf.h>

#include "runtime/runtime.h"

enum { PAGE_BYTES = 4096, LARGEST_RING = 1u << 30 };

unsigned runtime_ring_buffer_bytes(unsigned pages_per_cpu)
{
    int cpus = libbpf_num_possible_cpus();
    uint64_t wanted = (uint64_t)pages_per_cpu * PAGE_BYTES * (uint64_t)(cpus > 0 ? cpus : 1);
    uint64_t bytes = PAGE_BYTES;
    while (bytes < wanted && bytes < LARGEST_RING)
        bytes <<= 1;
    return (unsigned)bytes;
}
