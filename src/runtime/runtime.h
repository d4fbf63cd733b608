/* runtime: runs a compiled plan. Loads the BPF object, runs BEGIN, attaches
 * the probes, turns ring-buffer events into output until exit() or a signal,
 * runs END, prints the maps and detaches.
 *
 * Conventions assumed of the object (codegen's side of the contract):
 * - every plan program is found by `function_name`; BEGIN/END programs have a
 *   type that BPF_PROG_TEST_RUN accepts without a context (raw_tp);
 * - `plan->events_map` is a BPF_MAP_TYPE_RINGBUF whose records start with
 *   `struct plan_event_header` (8-byte payload alignment, as the ring gives);
 * - `plan->lost_map` is a per-CPU array with one u64 (u32 key 0);
 * - `plan->start_map` is an array with one u64 (u32 key 0) that the runtime
 *   fills with CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns's clock) before
 *   BEGIN runs;
 * - user maps are hashes (per-CPU when `per_cpu`) named `bpf_name`; scalar
 *   maps hold their value under the u64 key 0. */
#ifndef SONDE_RUNTIME_RUNTIME_H
#define SONDE_RUNTIME_RUNTIME_H

#include <errno.h>
#include <stdbool.h>

#include "base/diag.h"
#include "codegen/plan.h"
#include "output/output.h"

/* The ring buffer size used when neither the options nor the object set one. */
#define RUNTIME_DEFAULT_RING_BUFFER_BYTES (1u << 20)
/* bpftrace's default perf_rb_pages. */
#define RUNTIME_DEFAULT_RING_PAGES_PER_CPU 64u
/* bpftrace's default max_cat_bytes: what cat() prints of a file at most. */
#define RUNTIME_DEFAULT_MAX_CAT_BYTES 10240u

struct runtime_target;

struct runtime_options {
    struct output *output; /* where results go */
    bool verbose;          /* -v: libbpf messages and full verifier logs on stderr */
    bool dry_run;          /* load (the verifier checks everything), attach and run nothing */
    /* Ring buffer size: a power of two and a multiple of the page size.
     * 0 keeps the size the object declares (codegen's choice, which its
     * wake-up threshold was computed from). */
    unsigned ring_buffer_bytes;
    /* A probe that fails to attach: stop (error), warn and go on, or go on. */
    enum probe_missing missing_probes;
    /* -p/-c (process.h): tracing stops when it exits; -c's command is
     * started once the probes are attached. NULL without either. */
    struct runtime_target *target;
    unsigned max_cat_bytes; /* cat()'s limit; 0: RUNTIME_DEFAULT_MAX_CAT_BYTES */
    /* The object came from codegen's direct backend: when the kernel
     * refuses it, return RUNTIME_LOAD_REFUSED at once, explaining nothing
     * (main.c compiles the script with LLVM and runs that instead). */
    bool load_may_be_refused;
};

/* runtime_run: the kernel refused the object (see load_may_be_refused). */
#define RUNTIME_LOAD_REFUSED (-EKEYREJECTED)

/* A ring of `pages_per_cpu` pages per possible CPU, as a power of two of at
 * least a page (bpftrace's perf_rb_pages, BPFTRACE_PERF_RB_PAGES); 0 means
 * the default, RUNTIME_DEFAULT_RING_PAGES_PER_CPU. */
unsigned runtime_ring_buffer_bytes(unsigned pages_per_cpu);

/* Load, run BEGIN, attach, loop until exit()/signal, run END, print maps,
 * detach. Returns 0 with *exit_code set (exit()'s argument, else 0), or a
 * negative errno with diag entries recorded. SIGINT/SIGTERM stop tracing;
 * the previous handlers are back in place when this returns. */
int runtime_run(const struct plan *plan, const struct runtime_options *options, struct diag *diag,
                int *exit_code);

#endif
