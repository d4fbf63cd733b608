/* Typing of calls: each function checks its own arguments. Adding a function
 * means one row in `functions` and one checker. */
#include <string.h>

#include "ast/sema_functions.h"
#include "ast/sema_internal.h"
#include "ast/sema_maps.h"
#include "base/suggest.h"

struct function_info {
    const char *name;
    int id; /* enum sema_function, or sema_function_more (sema_functions.h) */
    unsigned min_args, max_args;
    const char *usage;
    const struct type *(*check)(struct checker *checker, struct ast_expr *call);
};

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

static enum format_conversion nth_conversion(const struct printf_format *format, unsigned index)
{
    for (unsigned i = 0; i < format->piece_count; i++)
        if (format->pieces[i].conversion != CONVERSION_NONE && index-- == 0)
            return format->pieces[i].conversion;
    return CONVERSION_NONE;
}

/* A positional parameter the user did not pass is "" where a string is
 * wanted (%s) and 0 elsewhere, as bpftrace's language reference says. */
static void missing_positional_as_text(struct checker *checker, struct ast_expr *arg)
{
    const struct sema_params *params = &checker->options->params;
    if (arg->kind != EXPR_POSITIONAL || arg->positional.index <= params->count)
        return;
    arg->kind = EXPR_STRING;
    arg->string.length = 0;
    arg->string.bytes = arena_strdup(checker->arena, "");
}

static const struct type *check_printf(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *format_expr = argument(call, 0);
    if (format_expr->kind != EXPR_STRING) {
        diag_error(checker->diag, format_expr->loc, "printf's format must be a string literal");
        return NULL;
    }
    const char *error = NULL;
    unsigned offset = 0;
    const struct printf_format *format = printf_format_parse(
        checker->arena, format_expr->string.bytes, format_expr->string.length, &error, &offset);
    if (!format) {
        /* Point at the bad specifier: +1 skips the opening quote (escapes may shift it). */
        struct srcloc loc = format_expr->loc;
        loc.column += 1 + (int)offset;
        loc.length = 2;
        diag_error(checker->diag, loc, "%s", error);
        return NULL;
    }
    unsigned given = (unsigned)call->call.args.count - 1;
    if (given != format->conversion_count) {
        diag_error(checker->diag, call->loc, "printf's format has %u conversion%s but %u argument%s %s given",
                   format->conversion_count, format->conversion_count == 1 ? "" : "s", given,
                   given == 1 ? "" : "s", given == 1 ? "is" : "are");
        return NULL;
    }
    const struct type **types = arena_alloc(checker->arena, sizeof(*types) * (given + 1));
    for (unsigned i = 0; i < given; i++) {
        if (nth_conversion(format, i) == CONVERSION_STRING)
            missing_positional_as_text(checker, argument(call, i + 1));
        types[i] = sema_check_expr(checker, argument(call, i + 1));
        if (!types[i])
            return NULL;
        const char *problem = printf_format_check(checker->arena, format, i, types[i]);
        if (problem) {
            diag_error(checker->diag, argument(call, i + 1)->loc, "%s", problem);
            return NULL;
        }
    }
    if (checker->final_pass) {
        struct sema_printf *site = ARENA_NEW(checker->arena, struct sema_printf);
        site->format = format;
        site->arg_count = given;
        site->arg_types = types;
        site->loc = call->loc;
        call->call.site = (int)checker->result->printfs.count;
        vec_push(&checker->result->printfs, site);
    }
    return &type_void;
}

/* str($N) is the text the user passed as $N, even one that reads as a
 * number, and str($N + k) that text without its first k characters
 * (bpftrace treats $N in str() as a pointer to the text). Turns such an
 * argument into a string literal. */
static void positional_as_text(struct checker *checker, struct ast_expr *arg)
{
    struct ast_expr *param = arg;
    uint64_t skip = 0;
    if (arg->kind == EXPR_BINARY && arg->binary.op == OP_ADD &&
        arg->binary.left->kind == EXPR_POSITIONAL && arg->binary.right->kind == EXPR_INTEGER) {
        param = arg->binary.left;
        skip = arg->binary.right->integer.value;
    }
    if (param->kind != EXPR_POSITIONAL)
        return;
    const struct sema_params *params = &checker->options->params;
    int index = param->positional.index;
    const char *text = index >= 1 && index <= params->count ? params->values[index - 1] : "";
    size_t length = strlen(text);
    text += skip < length ? skip : length;
    arg->kind = EXPR_STRING;
    arg->string.length = strlen(text);
    arg->string.bytes = arena_strdup(checker->arena, text);
}

static const struct type *check_str(struct checker *checker, struct ast_expr *call)
{
    positional_as_text(checker, argument(call, 0));
    const struct type *source = sema_check_expr(checker, argument(call, 0));
    if (!source)
        return NULL;
    if (call->call.args.count == 2) {
        const struct type *length = sema_check_expr(checker, argument(call, 1));
        if (!length)
            return NULL;
        if (!type_is_integer(length)) {
            diag_error(checker->diag, argument(call, 1)->loc, "str's length must be an integer, got %s",
                       type_name(checker->arena, length));
            return NULL;
        }
    }
    if (source->kind == TYPE_STRING)
        return source;
    if (source->kind != TYPE_POINTER && source->kind != TYPE_INT) {
        diag_error(checker->diag, argument(call, 0)->loc,
                   "str() reads a string from an address, got %s", type_name(checker->arena, source));
        return NULL;
    }
    return type_string(checker->arena, checker->options->max_strlen);
}

static const struct type *check_exit(struct checker *checker, struct ast_expr *call)
{
    if (call->call.args.count == 1) {
        const struct type *code = sema_check_expr(checker, argument(call, 0));
        if (!code)
            return NULL;
        if (!type_is_integer(code)) {
            diag_error(checker->diag, argument(call, 0)->loc, "exit's code must be an integer, got %s",
                       type_name(checker->arena, code));
            return NULL;
        }
    }
    return &type_void;
}

static const struct type *check_count(struct checker *checker, struct ast_expr *call)
{
    return type_aggregation(checker->arena, TYPE_COUNT, type_int(8, false));
}

const struct type *sema_check_format_call(struct checker *checker, struct ast_expr *call)
{
    return check_printf(checker, call);
}

static const struct function_info functions[] = {
    {"printf", FUNCTION_PRINTF, 1, 64, "printf(\"format\", args...)", check_printf},
    {"str", FUNCTION_STR, 1, 2, "str(address[, length])", check_str},
    {"exit", FUNCTION_EXIT, 0, 1, "exit([code])", check_exit},
    {"count", FUNCTION_COUNT, 0, 0, "@map = count()", check_count},
    /* sema_functions.c */
    {"kstack", FUNCTION_KSTACK, 0, 2, "kstack([mode, ][limit])", sema_check_stack},
    {"ustack", FUNCTION_USTACK, 0, 2, "ustack([mode, ][limit])", sema_check_stack},
    {"strftime", FUNCTION_STRFTIME, 2, 2, "strftime(\"format\", nsecs)", sema_check_strftime},
    {"time", FUNCTION_TIME, 0, 1, "time([\"format\"])", sema_check_time},
    {"ksym", FUNCTION_KSYM, 1, 1, "ksym(address)", sema_check_symbol},
    {"usym", FUNCTION_USYM, 1, 1, "usym(address)", sema_check_symbol},
    {"kaddr", FUNCTION_KADDR, 1, 1, "kaddr(\"symbol\")", sema_check_kaddr},
    {"signal", FUNCTION_SIGNAL, 1, 1, "signal(\"SIGUSR1\" or number)", sema_check_signal},
    {"system", FUNCTION_SYSTEM, 1, 64, "system(\"format\", args...)", sema_check_unsafe_format},
    {"cat", FUNCTION_CAT, 1, 64, "cat(\"format\", args...)", sema_check_unsafe_format},
    {"strncmp", FUNCTION_STRNCMP, 3, 3, "strncmp(a, b, length)", sema_check_strncmp},
    {"strcontains", FUNCTION_STRCONTAINS, 2, 2, "strcontains(haystack, needle)",
     sema_check_strcontains},
    {"buf", FUNCTION_BUF, 1, 2, "buf(data[, length])", sema_check_buf},
    {"ntop", FUNCTION_NTOP, 1, 2, "ntop([family, ]address)", sema_check_ntop},
    {"pton", FUNCTION_PTON, 1, 1, "pton(\"address\")", sema_check_pton},
    {"macaddr", FUNCTION_MACADDR, 1, 1, "macaddr(address)", sema_check_macaddr},
    {"join", FUNCTION_JOIN, 1, 2, "join(argv[, \"separator\"])", sema_check_join},
    {"errorf", FUNCTION_ERRORF, 1, 64, "errorf(\"format\", args...)", sema_check_errorf},
    {"strlen", FUNCTION_STRLEN, 1, 1, "strlen(string)", sema_check_strlen},
    {"cgroupid", FUNCTION_CGROUPID, 1, 1, "cgroupid(\"/sys/fs/cgroup/...\")", sema_check_cgroupid},
    {"path", FUNCTION_PATH, 1, 2, "path(struct path *[, size])", sema_check_path},
    {"uaddr", FUNCTION_UADDR, 1, 1, "uaddr(\"symbol\")", sema_check_uaddr},
    /* sema_number_functions.c */
    {"strerror", FUNCTION_STRERROR, 1, 1, "strerror(errno)", sema_check_number_name},
    {"syscall_name", FUNCTION_SYSCALL_NAME, 1, 1, "syscall_name(number)", sema_check_number_name},
    {"signal_name", FUNCTION_SIGNAL_NAME, 1, 1, "signal_name(number)", sema_check_number_name},
    {"cgroup_path", FUNCTION_CGROUP_PATH, 1, 2, "cgroup_path(id[, \"filter\"])",
     sema_check_cgroup_path},
    {"bswap", FUNCTION_BSWAP, 1, 1, "bswap(integer)", sema_check_bswap},
    /* sema_clocks.c */
    {"nsecs", FUNCTION_NSECS, 0, 1, "nsecs([monotonic|boot|tai|sw_tai])", sema_check_nsecs},
    {"pid", FUNCTION_PID, 0, 1, "pid([curr_ns|init])", sema_check_pid_tid},
    {"tid", FUNCTION_TID, 0, 1, "tid([curr_ns|init])", sema_check_pid_tid},
    /* sema_functions.c: builtins that are also calls */
    {"ncpus", FUNCTION_NCPUS, 0, 0, "ncpus", sema_check_ncpus},
    {"jiffies", FUNCTION_JIFFIES, 0, 0, "jiffies", sema_check_jiffies},
    {"usermode", FUNCTION_USERMODE, 0, 0, "usermode", sema_check_usermode},
    {"comm", FUNCTION_COMM, 0, 1, "comm or comm(pid)", sema_check_comm},
    /* sema_aggregations.c, sema_maps.c */
    {"sum", FUNCTION_SUM, 1, 1, "@map = sum(value)", sema_check_sum},
    {"avg", FUNCTION_AVG, 1, 1, "@map = avg(value)", sema_check_avg},
    {"min", FUNCTION_MIN, 1, 1, "@map = min(value)", sema_check_min},
    {"max", FUNCTION_MAX, 1, 1, "@map = max(value)", sema_check_max},
    {"stats", FUNCTION_STATS, 1, 1, "@map = stats(value)", sema_check_stats},
    {"hist", FUNCTION_HIST, 1, 2, "@map = hist(value[, k])", sema_check_hist},
    {"lhist", FUNCTION_LHIST, 4, 4, "@map = lhist(value, min, max, step)", sema_check_lhist},
    {"delete", FUNCTION_DELETE, 1, 2, "delete(@map, key) or delete(@map[key])", sema_check_delete},
    {"has_key", FUNCTION_HAS_KEY, 1, 2, "has_key(@map, key)", sema_check_has_key},
    {"clear", FUNCTION_CLEAR, 1, 1, "clear(@map)", sema_check_clear},
    {"zero", FUNCTION_ZERO, 1, 1, "zero(@map)", sema_check_zero},
    {"len", FUNCTION_LEN, 1, 1, "len(@map)", sema_check_len},
    {"print", FUNCTION_PRINT, 1, 3, "print(@map[, top[, div]]) or print(value)", sema_check_print},
};
enum { FUNCTION_TOTAL = sizeof(functions) / sizeof(functions[0]) };

static const struct type *unknown_function(struct checker *checker, struct ast_expr *call)
{
    /* The script's fns are candidates too. */
    static const struct vec none;
    const struct vec *subprograms = checker->program ? &checker->program->functions : &none;
    size_t total = FUNCTION_TOTAL + subprograms->count;
    const char **names = arena_alloc(checker->arena, sizeof(*names) * total);
    for (size_t i = 0; i < FUNCTION_TOTAL; i++)
        names[i] = functions[i].name;
    for (size_t i = 0; i < subprograms->count; i++)
        names[FUNCTION_TOTAL + i] = ((struct ast_function *)vec_get(subprograms, i))->name;
    struct diag_entry *entry =
        diag_error(checker->diag, call->call.name_loc, "unknown function '%s'", call->call.name);
    const char *closest = suggest_closest(call->call.name, names, total);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    return NULL;
}

const struct type *sema_check_call(struct checker *checker, struct ast_expr *call)
{
    struct ast_function *subprogram = sema_find_subprogram(checker, call->call.name);
    if (subprogram) /* a script's fn wins over a builtin of the same name, as in bpftrace */
        return sema_check_subprogram_call(checker, call, subprogram);
    for (size_t i = 0; i < FUNCTION_TOTAL; i++) {
        const struct function_info *function = &functions[i];
        if (strcmp(function->name, call->call.name) != 0)
            continue;
        size_t count = call->call.args.count;
        if (count < function->min_args || count > function->max_args) {
            unsigned expected = count < function->min_args ? function->min_args : function->max_args;
            const char *bound = function->min_args == function->max_args ? ""
                                : count < function->min_args          ? "at least "
                                                                      : "at most ";
            struct diag_entry *entry =
                diag_error(checker->diag, call->loc, "%s() takes %s%u argument%s, got %zu",
                           function->name, bound, expected, expected == 1 ? "" : "s", count);
            diag_hint(entry, "usage: %s", function->usage);
            return NULL;
        }
        call->call.function = function->id;
        return function->check(checker, call);
    }
    return unknown_function(checker, call);
}
