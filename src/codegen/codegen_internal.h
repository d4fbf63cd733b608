/* The state codegen's files share while one module is built. */
#ifndef SONDE_CODEGEN_CODEGEN_INTERNAL_H
#define SONDE_CODEGEN_CODEGEN_INTERNAL_H

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>

#include "ast/sema.h"
#include "codegen/codegen.h"
#include "probes/probe.h"

/* BPF helper function ids (include/uapi/linux/bpf.h). */
enum bpf_helper {
    HELPER_MAP_LOOKUP_ELEM = 1,
    HELPER_MAP_UPDATE_ELEM = 2,
    HELPER_KTIME_GET_NS = 5,
    HELPER_GET_SMP_PROCESSOR_ID = 8,
    HELPER_GET_CURRENT_PID_TGID = 14,
    HELPER_GET_CURRENT_UID_GID = 15,
    HELPER_GET_CURRENT_COMM = 16,
    HELPER_GET_CURRENT_TASK = 35,
    HELPER_GET_NS_CURRENT_PID_TGID = 120,
    HELPER_KTIME_GET_BOOT_NS = 125,
    HELPER_KTIME_GET_TAI_NS = 208,
    HELPER_PROBE_READ_USER = 112,
    HELPER_PROBE_READ_KERNEL = 113,
    HELPER_PROBE_READ_USER_STR = 114,
    HELPER_PROBE_READ_KERNEL_STR = 115,
    HELPER_RINGBUF_OUTPUT = 130,
    HELPER_RINGBUF_QUERY = 134,
};

/* A BPF map as declared in ".maps", for the direct backend (direct.c),
 * which writes the map definitions itself instead of LLVM's debug info. */
struct codegen_map_shape {
    LLVMValueRef global;
    const char *name;
    unsigned type;
    unsigned max_entries;
    unsigned key_size;   /* 0: no key/value members (ring buffer) */
    unsigned value_size;
    unsigned flags;      /* map_flags: BPF_F_NO_PREALLOC or 0 */
};

struct codegen {
    struct arena *arena;
    struct diag *diag;
    const struct sema_result *sema;
    const struct codegen_options *options;
    struct plan *plan;

    LLVMContextRef context;
    LLVMModuleRef module;
    LLVMBuilderRef builder;
    LLVMDIBuilderRef debug;
    LLVMMetadataRef debug_file;
    LLVMMetadataRef debug_unit;
    LLVMMetadataRef debug_scope;   /* the DISubprogram of the function being built */
    LLVMMetadataRef frame_location; /* the probe block's: its setup code is built on demand */
    int source_lines;              /* lines in the script: locations past them are not the script's */
    LLVMTypeRef i1, i8, i32, i64, ptr;

    LLVMValueRef *user_maps; /* by sema_map.index */
    LLVMValueRef events_map;
    LLVMValueRef lost_map;
    LLVMValueRef start_map;
    LLVMValueRef scratch_map;      /* per-CPU array: one entry of scratch memory per program */
    struct vec map_shapes;         /* struct codegen_map_shape *: every map declared */
    unsigned scratch_value_size;   /* the largest need of any program */
    struct srcloc scratch_largest; /* the block with that need */
    struct srcloc frame_srcloc;    /* the block of the frame being built */
    bool backend_failed;           /* LLVM reported an error through its diagnostic handler */
    bool has_perf_event_programs;  /* profile/interval/software/hardware probes: see maps.c */

    /* The function being built. */
    LLVMValueRef function;
    LLVMValueRef context_argument;
    LLVMBasicBlockRef entry_block; /* allocas only: the scratch key, integer variables */
    LLVMValueRef scratch_key;      /* this function's scratch key slot, NULL until needed */
    LLVMBasicBlockRef setup_block; /* finds this program's scratch memory */
    LLVMBasicBlockRef setup_tail;  /* where variables are zeroed, after the null check */
    LLVMBasicBlockRef start_block; /* the body starts here */
    unsigned program_index;        /* this program's entry in the scratch map */
    LLVMValueRef scratch_base;     /* NULL until the function first needs memory */
    LLVMValueRef temporaries_base; /* scratch_base + variable_bytes, fixed up at the end */
    unsigned variable_bytes;       /* variables: live for the whole program */
    unsigned temporary_bytes;      /* temporaries: live for one statement */
    unsigned temporary_peak;
    LLVMBasicBlockRef return_block;
    enum probe_context probe_context;
    LLVMValueRef syscall_registers; /* struct pt_regs * (raw sys_enter/sys_exit programs) */
    LLVMValueRef syscall_number;
    LLVMValueRef syscall_return;
    LLVMValueRef syscall_read_slot;     /* 8-byte stack slot register reads go through */
    LLVMValueRef syscall_arguments[6];  /* registers read in this block's setup, or NULL */
    LLVMValueRef probe_id;          /* i64 index into plan.probe_names */
    LLVMValueRef nargs;             /* i64 */
    const struct probe_instance *instance; /* first instance of the variant being built */
    struct vec variables;           /* struct sema_variable * given storage in this function */
    LLVMBasicBlockRef break_target, continue_target;
    struct codegen_inline_call *inline_call; /* the fn being inlined (subprograms.c), or NULL */
};

/* module.c */
LLVMValueRef codegen_const(struct codegen *cg, uint64_t value);
LLVMValueRef codegen_call_helper(struct codegen *cg, enum bpf_helper helper, LLVMValueRef *args,
                                 unsigned count);
LLVMValueRef codegen_offset(struct codegen *cg, LLVMValueRef base, unsigned offset);
LLVMBasicBlockRef codegen_block(struct codegen *cg, const char *name);
void codegen_memcpy(struct codegen *cg, LLVMValueRef dst, LLVMValueRef src, unsigned size);
/* LLVM words an error about an instruction as "FILE:LINE:COL: in function
 * NAME TYPE: MESSAGE" (FILE being the script's name in the debug info): the
 * place, and in *message the text after it; {0} and the whole description
 * when it has no place. */
struct srcloc codegen_backend_place(const char *description, const char **message);
/* Zeroes `size` bytes at `dst`, whose alignment is known to be `align`. */
void codegen_memset_zero(struct codegen *cg, LLVMValueRef dst, unsigned size, unsigned align);

/* Line info: each BPF function gets a DISubprogram and its instructions the
 * script's line:col, so LLVM emits .BTF.ext func_info/line_info and the
 * verifier's log quotes the script's lines. codegen_debug_function gives
 * `function` (a program, or a callback taking map, key, value, data) its
 * DISubprogram and makes it the scope of what is built from now on, at `loc`. */
void codegen_debug_function(struct codegen *cg, LLVMValueRef function, struct srcloc loc);
/* Instructions built from now on come from `loc` (ignored if not in the
 * script); returns the previous location, for codegen_debug_restore. */
LLVMMetadataRef codegen_debug_at(struct codegen *cg, struct srcloc loc);
void codegen_debug_restore(struct codegen *cg, LLVMMetadataRef location);
/* Gives every instruction of `block` `location` (code built out of order). */
void codegen_debug_stamp(LLVMBasicBlockRef block, LLVMMetadataRef location);

/* scratch.c: memory for values. Everything lives in a per-CPU map, not on
 * the 512-byte BPF stack, so strings and records of any size fit. */
LLVMValueRef codegen_alloca(struct codegen *cg, unsigned size, const char *name);
LLVMValueRef codegen_alloca_zeroed(struct codegen *cg, unsigned size, const char *name);
LLVMValueRef codegen_variable_storage(struct codegen *cg, unsigned size);
/* An 8-byte, zeroed stack slot for an integer variable. */
LLVMValueRef codegen_stack_variable(struct codegen *cg);
void codegen_scratch_begin(struct codegen *cg);
void codegen_scratch_end(struct codegen *cg);
unsigned codegen_scratch_mark(const struct codegen *cg);
void codegen_scratch_release(struct codegen *cg, unsigned mark);

/* maps.c */
int codegen_declare_scratch_map(struct codegen *cg);

int codegen_declare_maps(struct codegen *cg);
LLVMValueRef codegen_map_lookup(struct codegen *cg, LLVMValueRef map, LLVMValueRef key);
LLVMValueRef codegen_map_update(struct codegen *cg, LLVMValueRef map, LLVMValueRef key,
                                LLVMValueRef value);

/* values.c: scalars travel as i64; strings, tuples and records as pointers. */
bool codegen_is_scalar(const struct type *type);
LLVMValueRef codegen_load(struct codegen *cg, const struct type *type, LLVMValueRef address);
void codegen_store(struct codegen *cg, const struct type *destination, const struct type *source,
                   LLVMValueRef value, LLVMValueRef address);
LLVMValueRef codegen_convert_int(struct codegen *cg, LLVMValueRef value, const struct type *type);
LLVMValueRef codegen_int_array_cast(struct codegen *cg, struct ast_expr *expr);
/* An i1: whether `size` bytes at two addresses are equal (integer arrays). */
LLVMValueRef codegen_bytes_equal(struct codegen *cg, LLVMValueRef left, LLVMValueRef right,
                                 unsigned size);

/* expr.c, stmt.c, calls.c, context.c */
LLVMValueRef codegen_expr(struct codegen *cg, struct ast_expr *expr);
LLVMValueRef codegen_variable_slot(struct codegen *cg, struct sema_variable *variable);
void codegen_stmt(struct codegen *cg, struct ast_stmt *stmt);
LLVMValueRef codegen_divide(struct codegen *cg, LLVMValueRef left, LLVMValueRef right,
                            bool is_signed, bool remainder);
LLVMValueRef codegen_compound_value(struct codegen *cg, enum ast_assign_op op, LLVMValueRef old,
                                    LLVMValueRef value, const struct type *type);
LLVMValueRef codegen_call(struct codegen *cg, struct ast_expr *call);
void codegen_map_assign(struct codegen *cg, struct ast_stmt *stmt);
LLVMValueRef codegen_map_read(struct codegen *cg, struct ast_expr *map);
LLVMValueRef codegen_map_key(struct codegen *cg, struct ast_expr *map);
LLVMValueRef codegen_args_field(struct codegen *cg, struct ast_expr *field);
/* `args` as a value: every field copied into a record laid out as `record`. */
LLVMValueRef codegen_args_record(struct codegen *cg, const struct type *record);
LLVMValueRef codegen_builtin(struct codegen *cg, struct ast_expr *expr);
/* Whether a read through `type` (a pointer, or a number used as an address)
 * goes to the process's memory: user pointers do; numbers do in syscall
 * entry probes and in probes on user code (uprobes), where an address kept
 * in a map and read back still points into the process. */
bool codegen_reads_user(const struct codegen *cg, const struct type *type);
/* memory.c: the same rule for the expression `address` (a pointer, or a
 * number used as one), following casts, pointer arithmetic and pointers
 * read from memory back to what the address was made of. */
bool codegen_address_reads_user(const struct codegen *cg, const struct ast_expr *address);
/* -p: return early unless the current process is the target (for kinds not
 * attached to it alone). */
void codegen_filter_target_pid(struct codegen *cg, const struct probe_kind *kind);
void codegen_plan_printfs(struct codegen *cg);
void codegen_emit_event(struct codegen *cg, LLVMValueRef record, unsigned size, bool wake_up);

/* loops.c: let, for ($i : a..b), { ...; value } */
void codegen_let(struct codegen *cg, struct ast_stmt *stmt);
void codegen_for(struct codegen *cg, struct ast_stmt *stmt);
LLVMValueRef codegen_block_expr(struct codegen *cg, struct ast_expr *expr);
/* subprograms.c: calls of the script's `fn`s, compiled inline. */
LLVMValueRef codegen_subprogram_call(struct codegen *cg, struct ast_expr *call);
/* `return [value]` inside an inlined fn. */
void codegen_subprogram_return(struct codegen *cg, struct ast_stmt *stmt);
/* formap.c: for ($kv : @map), the body as a BPF subprogram. */
void codegen_for_map(struct codegen *cg, struct ast_stmt *stmt);

/* functions.c, stacks.c: the function library and its builtins. */
LLVMValueRef codegen_function(struct codegen *cg, struct ast_expr *call);
LLVMValueRef codegen_function_builtin(struct codegen *cg, struct ast_expr *expr);
LLVMValueRef codegen_stack(struct codegen *cg, const struct type *type);
/* buffers.c: buf, ntop, pton, macaddr, join. */
LLVMValueRef codegen_buffer_function(struct codegen *cg, struct ast_expr *call);
/* number_functions.c: bswap, strerror, syscall_name, signal_name, cgroup_path. */
LLVMValueRef codegen_number_function(struct codegen *cg, struct ast_expr *call);
/* clocks.c: nsecs(mode), pid/tid(namespace), and the bare builtins. */
LLVMValueRef codegen_nsecs(struct codegen *cg, enum sema_clock clock);
LLVMValueRef codegen_process_id(struct codegen *cg, bool thread, enum sema_pid_namespace space);
LLVMValueRef codegen_clock_function(struct codegen *cg, struct ast_expr *call);
/* uaddr.c: uaddr("symbol") in a uprobe. */
LLVMValueRef codegen_uaddr(struct codegen *cg, struct ast_expr *call);
void codegen_format_event(struct codegen *cg, struct ast_expr *call, uint32_t kind);
/* maps.c: a map outside the script's own, declared on first use. */
LLVMValueRef codegen_declare_extra_map(struct codegen *cg, const char *name, unsigned type,
                                       unsigned max_entries, unsigned key_size,
                                       unsigned value_size);

/* memory.c: reads through pointers (fields, *p, p[i]) and pointer arithmetic. */
bool codegen_memory_is_remote(const struct ast_expr *expr);
LLVMValueRef codegen_memory_read(struct codegen *cg, struct ast_expr *expr);
/* The address (an i64) of a remote expression, without reading it: `&p->f`. */
LLVMValueRef codegen_memory_address(struct codegen *cg, struct ast_expr *expr);
LLVMValueRef codegen_memory_index(struct codegen *cg, struct ast_expr *expr);
LLVMValueRef codegen_pointer_arithmetic(struct codegen *cg, struct ast_expr *expr);
/* comm(pid): the 16-byte name of the task with that pid (zeros when there is
 * none), through the bpf_task_from_pid kfunc; `offset` is comm's in task_struct. */
LLVMValueRef codegen_comm_of_pid(struct codegen *cg, LLVMValueRef pid, unsigned offset);
/* (string[N])x: a string or char array cut to N - 1 bytes and a NUL. */
LLVMValueRef codegen_string_cast(struct codegen *cg, struct ast_expr *expr);

/* programs.c */
int codegen_programs(struct codegen *cg, struct ast_program *program);

#endif
