/* BEGIN and END: run once, before tracing starts and after it stops. They
 * compile to raw_tp programs that the runtime runs with BPF_PROG_TEST_RUN,
 * so nothing is attached. */
#include <errno.h>
#include <linux/bpf.h>

#include "probes/probe.h"

static int expand_once(const struct ast_attach_point *point, const char *name, struct vec *out,
                       const struct probe_kind *kind, const struct probe_env *env,
                       struct diag *diag)
{
    if (point->target && point->target[0]) {
        struct diag_entry *entry =
            diag_error(diag, point->loc, "'%s' takes no target, got '%s'", name, point->text);
        diag_hint(entry, "write it alone: %s { ... }", name);
        return -EINVAL;
    }
    struct probe_instance *instance = ARENA_NEW(env->arena, struct probe_instance);
    instance->kind = kind;
    instance->name = name;
    instance->loc = point->loc;
    instance->syscall_number = -1;
    vec_push(out, instance);
    return 0;
}

static int expand_begin(const struct ast_attach_point *point, const struct probe_env *env,
                        struct vec *out, struct diag *diag)
{
    return expand_once(point, "BEGIN", out, &probe_kind_begin, env, diag);
}

static int expand_end(const struct ast_attach_point *point, const struct probe_env *env,
                      struct vec *out, struct diag *diag)
{
    return expand_once(point, "END", out, &probe_kind_end, env, diag);
}

/* libbpf accepts a bare "raw_tp" section: the program is loaded without a
 * tracepoint to attach to, which is all BPF_PROG_TEST_RUN needs. */
static const char *section_raw_tp(const struct probe_instance *instance, struct arena *arena)
{
    return "raw_tp";
}

const struct probe_kind probe_kind_begin = {
    .name = "BEGIN",
    .aliases = NULL,
    .phase = PHASE_BEGIN,
    .context = CONTEXT_NONE,
    .program_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
    .shared_program = false,
    .expand = expand_begin,
    .section = section_raw_tp,
    .attach = NULL,
    .list = NULL,
};

const struct probe_kind probe_kind_end = {
    .name = "END",
    .aliases = NULL,
    .phase = PHASE_END,
    .context = CONTEXT_NONE,
    .program_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
    .shared_program = false,
    .expand = expand_end,
    .section = section_raw_tp,
    .attach = NULL,
    .list = NULL,
};
