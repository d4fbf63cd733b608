/* clocks.c: nsecs in each of bpftrace's clocks, and pid/tid as seen from a
 * pid namespace.
 *
 * nsecs(boot) (plain `nsecs`) is CLOCK_BOOTTIME, which strftime() expects;
 * monotonic is CLOCK_MONOTONIC; tai reads CLOCK_TAI through its helper
 * (Linux 6.1+). sw_tai is for kernels without that helper: the boot clock
 * plus the TAI-boot offset measured here once, at compile time, between two
 * reads of the boot clock ("vdso sandwich").
 *
 * bpftrace's plain `pid` is the pid in its own pid namespace. In the initial
 * namespace (where sonde usually runs) that is what bpf_get_current_pid_tgid
 * gives; elsewhere bpf_get_ns_current_pid_tgid translates it. */
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "codegen/codegen_internal.h"

/* The inode of the initial pid namespace (PROC_PID_INIT_INO). */
#define INITIAL_PID_NAMESPACE_INODE 0xEFFFFFFCu

static int64_t read_clock(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* CLOCK_TAI - CLOCK_BOOTTIME, from the narrowest of a few boot/tai/boot reads. */
static int64_t tai_minus_boot(void)
{
    int64_t best_width = INT64_MAX, offset = 0;
    for (int i = 0; i < 16; i++) {
        int64_t before = read_clock(CLOCK_BOOTTIME);
        int64_t tai = read_clock(CLOCK_TAI);
        int64_t after = read_clock(CLOCK_BOOTTIME);
        if (after - before < best_width) {
            best_width = after - before;
            offset = tai - (before + (after - before) / 2);
        }
    }
    return offset;
}

LLVMValueRef codegen_nsecs(struct codegen *cg, enum sema_clock clock)
{
    switch (clock) {
    case SEMA_CLOCK_MONOTONIC:
        return codegen_call_helper(cg, HELPER_KTIME_GET_NS, NULL, 0);
    case SEMA_CLOCK_TAI:
        return codegen_call_helper(cg, HELPER_KTIME_GET_TAI_NS, NULL, 0);
    case SEMA_CLOCK_SW_TAI:
        return LLVMBuildAdd(cg->builder, codegen_call_helper(cg, HELPER_KTIME_GET_BOOT_NS, NULL, 0),
                            codegen_const(cg, (uint64_t)tai_minus_boot()), "sw_tai");
    case SEMA_CLOCK_BOOT:
    default:
        return codegen_call_helper(cg, HELPER_KTIME_GET_BOOT_NS, NULL, 0);
    }
}

/* pid (or tid) in the initial namespace: bpf_get_current_pid_tgid's halves. */
static LLVMValueRef initial_id(struct codegen *cg, bool thread)
{
    LLVMValueRef both = codegen_call_helper(cg, HELPER_GET_CURRENT_PID_TGID, NULL, 0);
    if (thread)
        return LLVMBuildAnd(cg->builder, both, codegen_const(cg, 0xffffffffu), "");
    return LLVMBuildLShr(cg->builder, both, codegen_const(cg, 32), "");
}

LLVMValueRef codegen_process_id(struct codegen *cg, bool thread, enum sema_pid_namespace space)
{
    struct stat own;
    if (space == SEMA_PID_INIT_NS || stat("/proc/self/ns/pid", &own) != 0 ||
        own.st_ino == INITIAL_PID_NAMESPACE_INODE)
        return initial_id(cg, thread);
    /* struct bpf_pidns_info { u32 pid; u32 tgid; }: zeros when the task is
     * outside sonde's namespace, as bpftrace reports. */
    LLVMValueRef info = codegen_alloca_zeroed(cg, 8, "pidns_info");
    LLVMValueRef args[] = {codegen_const(cg, (uint64_t)own.st_dev),
                           codegen_const(cg, (uint64_t)own.st_ino), info, codegen_const(cg, 8)};
    codegen_call_helper(cg, HELPER_GET_NS_CURRENT_PID_TGID, args, 4);
    LLVMValueRef field = codegen_offset(cg, info, thread ? 0 : 4);
    LLVMValueRef value = LLVMBuildLoad2(cg->builder, cg->i32, field, "");
    return LLVMBuildZExt(cg->builder, value, cg->i64, "");
}

LLVMValueRef codegen_clock_function(struct codegen *cg, struct ast_expr *call)
{
    if (call->call.function == FUNCTION_NSECS)
        return codegen_nsecs(cg, (enum sema_clock)call->call.site);
    return codegen_process_id(cg, call->call.function == FUNCTION_TID,
                              (enum sema_pid_namespace)call->call.site);
}
