/* sema_clocks.c: the call forms of the time and process-id builtins,
 * `nsecs(monotonic|boot|tai|sw_tai)` and `pid(curr_ns|init)`/`tid(...)`
 * (bpftrace 0.19 and 0.24). The argument is a bare name, resolved here into
 * call.site; codegen/clocks.c emits the read. */
#include <stdio.h>
#include <string.h>

#include "ast/sema_functions.h"

struct mode_name {
    const char *name;
    int mode;
};

static const struct mode_name clocks[] = {
    {"boot", SEMA_CLOCK_BOOT},
    {"monotonic", SEMA_CLOCK_MONOTONIC},
    {"tai", SEMA_CLOCK_TAI},
    {"sw_tai", SEMA_CLOCK_SW_TAI},
    {NULL, 0},
};

static const struct mode_name namespaces[] = {
    {"curr_ns", SEMA_PID_CURRENT_NS},
    {"init", SEMA_PID_INIT_NS},
    {NULL, 0},
};

/* The mode named by the call's only argument, or `fallback` without one;
 * -1 (with an error listing the modes) for anything else. */
static int read_mode(struct checker *checker, struct ast_expr *call, const struct mode_name *modes,
                     int fallback)
{
    if (call->call.args.count == 0)
        return fallback;
    struct ast_expr *arg = vec_get(&call->call.args, 0);
    if (arg->kind == EXPR_IDENTIFIER)
        for (const struct mode_name *mode = modes; mode->name; mode++)
            if (strcmp(mode->name, arg->identifier.name) == 0)
                return mode->mode;
    char list[96] = "";
    for (const struct mode_name *mode = modes; mode->name; mode++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                 mode == modes ? "" : ", ", mode->name);
    struct diag_entry *entry =
        diag_error(checker->diag, arg->loc, "%s() takes one of: %s", call->call.name, list);
    diag_hint(entry, "write the name bare, e.g. %s(%s)", call->call.name, modes[0].name);
    return -1;
}

const struct type *sema_check_nsecs(struct checker *checker, struct ast_expr *call)
{
    int clock = read_mode(checker, call, clocks, SEMA_CLOCK_BOOT);
    if (clock < 0)
        return NULL;
    call->call.site = clock;
    return type_int(8, false);
}

const struct type *sema_check_pid_tid(struct checker *checker, struct ast_expr *call)
{
    int space = read_mode(checker, call, namespaces, SEMA_PID_CURRENT_NS);
    if (space < 0)
        return NULL;
    call->call.site = space;
    return type_int(4, false);
}
