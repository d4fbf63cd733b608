/* Running END while traced programs are still attached (maps are printed
 * before detaching, see runtime.c). Their records keep arriving in the same
 * ring as END's, and nothing in a record says which program wrote it. So
 * the runtime brackets each END run with markers: records from a tiny
 * program of its own, loaded next to the user's. The reader shows what lies
 * between an ACCEPT and a DISCARD marker and drops what follows, so a busy
 * probe can only slip in what it writes during the few microseconds END
 * itself runs, instead of everything until the reader catches up. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "runtime/runtime_internal.h"

/* The marker program, for a raw_tp context whose first argument is the
 * marker's id:
 *     header = {RUNTIME_EVENT_MARKER, ctx[0]};
 *     return bpf_ringbuf_output(&events, &header, 8, 0);
 * Its return value says whether the ring had room. */
static int load_marker_program(int events_fd)
{
    struct bpf_insn program[] = {
        /* r6 = ctx[0] */
        {.code = BPF_LDX | BPF_DW | BPF_MEM, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_1},
        /* *(u32 *)(r10 - 8) = RUNTIME_EVENT_MARKER; *(u32 *)(r10 - 4) = w6 */
        {.code = BPF_ST | BPF_W | BPF_MEM,
         .dst_reg = BPF_REG_10,
         .off = -8,
         .imm = RUNTIME_EVENT_MARKER},
        {.code = BPF_STX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_10, .src_reg = BPF_REG_6, .off = -4},
        /* r1 = &events (a 64-bit immediate takes two instructions) */
        {.code = BPF_LD | BPF_DW | BPF_IMM,
         .dst_reg = BPF_REG_1,
         .src_reg = BPF_PSEUDO_MAP_FD,
         .imm = events_fd},
        {0},
        /* r2 = r10 - 8; r3 = 8; r4 = 0 */
        {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10},
        {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -8},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 8},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_4, .imm = 0},
        {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ringbuf_output},
        {.code = BPF_JMP | BPF_EXIT},
    };
    return bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "sonde_marker", "GPL", program,
                         sizeof(program) / sizeof(program[0]), NULL);
}

/* True when the marker is in the ring. */
static bool emit_marker(int marker_fd, uint32_t which)
{
    uint64_t arguments[1] = {which};
    LIBBPF_OPTS(bpf_test_run_opts, run_options, .ctx_in = arguments,
                .ctx_size_in = sizeof(arguments));
    return bpf_prog_test_run_opts(marker_fd, &run_options) == 0 && run_options.retval == 0;
}

static int events_fd(const struct session *session)
{
    if (!session->plan->events_map)
        return -ENOENT;
    struct bpf_map *events =
        bpf_object__find_map_by_name(session->object, session->plan->events_map);
    return events ? bpf_map__fd(events) : -ENOENT;
}

/* Markers only matter when something else may write while END runs. */
static int marker_program(const struct session *session)
{
    if (session->attachment_count == 0)
        return -ENOENT;
    int fd = events_fd(session);
    return fd < 0 ? fd : load_marker_program(fd);
}

static int run_end_program(struct session *session, size_t index, int marker_fd)
{
    /* Without a marker in the ring the reader cannot tell where END's
     * records start or stop; it falls back to showing all it drains. */
    if (marker_fd < 0 || !emit_marker(marker_fd, MARKER_ACCEPT))
        session->discarding = false;
    int err = session__run_program(session, index);
    bool bracketed = marker_fd >= 0 && emit_marker(marker_fd, MARKER_DISCARD);
    int drain_err = session__drain_events(session);
    if (!bracketed)
        session->discarding = false;
    return err ? err : drain_err;
}

int session__run_end(struct session *session)
{
    int marker_fd = marker_program(session);
    unsigned exits_before = session->exit_events;
    int err = 0;
    for (size_t i = 0; i < session->plan->programs.count && !err; i++) {
        const struct plan_program *program = vec_get(&session->plan->programs, i);
        if (program->kind->phase != PHASE_END)
            continue;
        err = run_end_program(session, i, marker_fd);
        if (session->exit_events != exits_before)
            break;
    }
    if (marker_fd >= 0)
        close(marker_fd);
    return err;
}
