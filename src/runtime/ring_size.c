/* The ring buffer's size from bpftrace's perf_rb_pages setting
 * (BPFTRACE_PERF_RB_PAGES): pages per CPU, 64 unless set, as in bpftrace.
 * bpftrace sized one perf buffer per CPU; sonde has one ring for all CPUs,
 * so it takes their sum, rounded up to the power of two the kernel
 * requires. The default stays small on purpose: libbpf maps the data area
 * twice and every page of it counts in sonde's memory, and the BPF side
 * wakes the reader as the ring fills (codegen_emit_event), so a small ring
 * loses nothing at the rates a larger one would keep up with. */
#include <stdint.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "runtime/runtime.h"

enum { LARGEST_RING = 1u << 30 };

unsigned runtime_ring_buffer_bytes(unsigned pages_per_cpu)
{
    long page_size = sysconf(_SC_PAGESIZE);
    uint64_t page = page_size > 0 ? (uint64_t)page_size : 4096;
    if (pages_per_cpu == 0)
        pages_per_cpu = RUNTIME_DEFAULT_RING_PAGES_PER_CPU;
    int cpus = libbpf_num_possible_cpus();
    uint64_t wanted = (uint64_t)pages_per_cpu * page * (uint64_t)(cpus > 0 ? cpus : 1);
    uint64_t bytes = page;
    while (bytes < wanted && bytes < LARGEST_RING)
        bytes <<= 1;
    return (unsigned)bytes;
}
