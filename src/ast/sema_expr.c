/* Typing of expressions: literals, builtins, operators, fields. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ast/sema_functions.h"
#include "ast/sema_internal.h"
#include "ast/sema_maps.h"
#include "ast/sema_probes.h"
#include "base/strbuf.h"
#include "base/suggest.h"
#include "probes/probe.h"

struct builtin_info {
    const char *name;
    enum ast_builtin builtin;
};

static const struct builtin_info builtins[] = {
    {"pid", BUILTIN_PID},     {"tid", BUILTIN_TID},         {"uid", BUILTIN_UID},
    {"gid", BUILTIN_GID},     {"comm", BUILTIN_COMM},       {"nsecs", BUILTIN_NSECS},
    {"elapsed", BUILTIN_ELAPSED}, {"cpu", BUILTIN_CPU},     {"probe", BUILTIN_PROBE},
    {"args", BUILTIN_ARGS},   {"nargs", BUILTIN_NARGS},     {"curtask", BUILTIN_CURTASK},
    {"rand", BUILTIN_RAND},   {"cgroup", BUILTIN_CGROUP},   {"numaid", BUILTIN_NUMAID},
    {"username", BUILTIN_USERNAME}, {"kstack", BUILTIN_KSTACK}, {"ustack", BUILTIN_USTACK},
    {"retval", BUILTIN_RETVAL}, {"func", BUILTIN_FUNC},   {"cpid", BUILTIN_CPID},
};
enum { BUILTIN_COUNT = sizeof(builtins) / sizeof(builtins[0]) };

static const struct probe_instance *first_instance(const struct checker *checker)
{
    const struct vec *instances = &checker->variant->instances;
    return instances->count ? vec_get(instances, 0) : NULL;
}

static const char *probe_kind_name(const struct checker *checker)
{
    const struct probe_instance *instance = first_instance(checker);
    return instance ? instance->kind->name : "this";
}

static const struct type *builtin_args(struct checker *checker, struct ast_expr *expr)
{
    if (!checker->variant->args_type) {
        struct diag_entry *entry = diag_error(checker->diag, expr->loc,
                                              "'args' is not available in %s probes",
                                              probe_kind_name(checker));
        diag_hint(entry, "args holds the fields of a tracepoint, e.g. tracepoint:syscalls:"
                         "sys_enter_read { args->count }");
        return NULL;
    }
    return checker->variant->args_type;
}

static const struct type *builtin_nargs(struct checker *checker, struct ast_expr *expr)
{
    const struct probe_instance *instance = first_instance(checker);
    bool syscall = instance && instance->format && instance->category &&
                   strcmp(instance->category, "syscalls") == 0 && instance->event &&
                   strncmp(instance->event, "sys_enter_", 10) == 0;
    if (!syscall) {
        struct diag_entry *entry = diag_error(
            checker->diag, expr->loc, "'nargs' is only available in system-call entry probes");
        diag_hint(entry, "nargs counts the arguments of the traced system call, e.g. in "
                         "tracepoint:syscalls:sys_enter_*");
        return NULL;
    }
    return type_int(8, true);
}

static const struct type *builtin_type(struct checker *checker, struct ast_expr *expr,
                                       enum ast_builtin builtin)
{
    switch (builtin) {
    case BUILTIN_PID:
    case BUILTIN_TID:
    case BUILTIN_UID:
    case BUILTIN_GID:
    case BUILTIN_CPU:
        return type_int(4, false);
    case BUILTIN_COMM:
        return type_string(checker->arena, 16);
    case BUILTIN_NSECS:
    case BUILTIN_ELAPSED:
        return type_int(8, false);
    case BUILTIN_PROBE:
        return &type_probe;
    case BUILTIN_ARGS:
        return builtin_args(checker, expr);
    case BUILTIN_NARGS:
        return builtin_nargs(checker, expr);
    case BUILTIN_CURTASK:
        return sema_types_curtask(checker, expr);
    case BUILTIN_RAND:
    case BUILTIN_CGROUP:
    case BUILTIN_NUMAID:
    case BUILTIN_USERNAME:
    case BUILTIN_KSTACK:
    case BUILTIN_USTACK:
        return sema_function_builtin(checker, expr, builtin);
    case BUILTIN_RETVAL:
    case BUILTIN_FUNC:
    case BUILTIN_CPID:
        return sema_probe_builtin(checker, expr, builtin); /* sema_probes.c */
    default:
        return NULL;
    }
}

/* `ncpus` is `ncpus()`: the bare name becomes the call. */
static const struct type *identifier_as_call(struct checker *checker, struct ast_expr *expr)
{
    const char *name = expr->identifier.name;
    expr->kind = EXPR_CALL;
    expr->call.name = name;
    expr->call.name_loc = expr->loc;
    memset(&expr->call.args, 0, sizeof(expr->call.args));
    expr->call.function = 0;
    expr->call.site = 0;
    expr->call.subprogram = NULL;
    return sema_check_call(checker, expr);
}

/* A constant's name (no lower-case letter), as a C header would hold. */
static bool looks_like_constant(const char *name)
{
    for (const char *p = name; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            return false;
    return true;
}

/* An unknown name the C preamble explains: a #define that is no expression
 * sonde reads (`#define u64 unsigned long long`), or a constant of a header
 * the script includes, which sonde does not read (it has no C compiler;
 * kernel BTF has the enums, not the #defines). */
static bool preamble_hint(struct checker *checker, struct diag_entry *entry, const char *name)
{
    const struct vec *definitions = checker->program ? &checker->program->c_definitions : NULL;
    struct strbuf headers = {0};
    size_t header_count = 0;
    for (size_t i = 0; definitions && i < definitions->count; i++) {
        const struct ast_c_definition *definition = vec_get(definitions, i);
        if (definition->kind == C_DEFINE && strcmp(definition->name, name) == 0) {
            const char *value = definition->define_value ? definition->define_value : "";
            if (*value)
                diag_hint(entry, "%s is the #define at line %d, whose value '%s' is no expression",
                          name, definition->loc.line, value);
            else
                diag_hint(entry, "%s is the #define at line %d, which has no value", name,
                          definition->loc.line);
            strbuf_free(&headers);
            return true;
        }
        if (definition->kind == C_INCLUDE && header_count < 3) {
            strbuf_printf(&headers, "%s%s", header_count ? " or " : "", definition->name);
            header_count++;
        }
    }
    bool hinted = header_count && looks_like_constant(name);
    if (hinted)
        diag_hint(entry, "%s may come from %s, which sonde does not read: #define it in the script",
                  name, strbuf_text(&headers));
    strbuf_free(&headers);
    return hinted;
}

static const struct type *check_identifier(struct checker *checker, struct ast_expr *expr)
{
    const char *name = expr->identifier.name;
    if (sema_is_call_builtin(name))
        return identifier_as_call(checker, expr);
    for (size_t i = 0; i < BUILTIN_COUNT; i++) {
        if (strcmp(builtins[i].name, name) == 0) {
            expr->identifier.builtin = builtins[i].builtin;
            if (!sema_subprogram_allows_builtin(checker, expr))
                return NULL;
            return builtin_type(checker, expr, builtins[i].builtin);
        }
    }
    if (sema_probe_arg_index(name, &expr->identifier.builtin_index)) {
        expr->identifier.builtin = BUILTIN_ARG;
        if (!sema_subprogram_allows_builtin(checker, expr))
            return NULL;
        return sema_probe_builtin(checker, expr, BUILTIN_ARG);
    }
    const char *names[BUILTIN_COUNT];
    for (size_t i = 0; i < BUILTIN_COUNT; i++)
        names[i] = builtins[i].name;
    const struct type *constant = sema_types_constant(checker, expr); /* TASK_RUNNING */
    if (constant)
        return constant;
    struct diag_entry *entry = diag_error(checker->diag, expr->loc, "unknown identifier '%s'", name);
    if (preamble_hint(checker, entry, name))
        return NULL;
    const char *closest = suggest_closest(name, names, BUILTIN_COUNT);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    else if (strncmp(name, "arg", 3) == 0 || strcmp(name, "retval") == 0)
        diag_hint(entry, "%s exists in kprobe/uprobe probes; tracepoints have args.<field>", name);
    return NULL;
}

/* $1..$N become the literal the user passed: a number when it parses as one. */
static const struct type *check_positional(struct checker *checker, struct ast_expr *expr)
{
    const struct sema_params *params = &checker->options->params;
    if (expr->kind == EXPR_POSITIONAL_COUNT) {
        expr->kind = EXPR_INTEGER;
        expr->integer.value = (uint64_t)params->count;
        return sema_check_expr(checker, expr);
    }
    int index = expr->positional.index;
    const char *text = index >= 1 && index <= params->count ? params->values[index - 1] : NULL;
    char *end = NULL;
    errno = 0;
    unsigned long long number = text && *text ? strtoull(text, &end, 0) : 0;
    if (text && end && *end == '\0' && errno == ERANGE) {
        diag_error(checker->diag, expr->loc, "$%d is %s, which does not fit in 64 bits", index,
                   text);
        return NULL;
    }
    if (!text || (end && *end == '\0')) {
        expr->kind = EXPR_INTEGER;
        expr->integer.value = number;
    } else {
        expr->kind = EXPR_STRING;
        expr->string.length = strlen(text);
        expr->string.bytes = arena_strdup(checker->arena, text);
    }
    return sema_check_expr(checker, expr);
}

static const struct type *check_map_read(struct checker *checker, struct ast_expr *expr)
{
    struct sema_map *map = sema_resolve_map(checker, expr);
    if (!map)
        return NULL;
    if (!map->value)
        /* Pass 1 may see the read before the write; pass 2 reports maps never written. */
        return checker->final_pass ? NULL : type_int(8, true);
    if (map->per_cpu)
        return sema_read_aggregation(checker, map, expr);
    return map->value;
}

static const struct type *arithmetic_result(const struct type *left, const struct type *right)
{
    /* C's usual conversions at 64 bits: only a 64-bit unsigned operand makes the result unsigned. */
    bool is_unsigned = (left->kind == TYPE_INT && !left->is_signed && left->size == 8) ||
                       (right->kind == TYPE_INT && !right->is_signed && right->size == 8);
    return type_int(8, !is_unsigned);
}

static const struct type *type_error(struct checker *checker, struct ast_expr *expr,
                                     const char *what, const struct type *left,
                                     const struct type *right)
{
    diag_error(checker->diag, expr->loc, "%s %s and %s", what, type_name(checker->arena, left),
               type_name(checker->arena, right));
    return NULL;
}

/* Tuples compare element by element: integers as integers (of any width and
 * sign), strings as strings, tuples in turn; other elements need one type. */
static bool elements_comparable(const struct type *left, const struct type *right)
{
    if (type_is_integer(left) && type_is_integer(right))
        return true;
    if (left->kind == TYPE_STRING && right->kind == TYPE_STRING)
        return true;
    if (left->kind == TYPE_TUPLE && right->kind == TYPE_TUPLE) {
        if (left->field_count != right->field_count)
            return false;
        for (unsigned i = 0; i < left->field_count; i++)
            if (!elements_comparable(left->fields[i].type, right->fields[i].type))
                return false;
        return true;
    }
    return type_equal(left, right) && left->kind != TYPE_PROBE;
}

static const struct type *tuple_comparison(struct checker *checker, struct ast_expr *expr,
                                           const struct type *left, const struct type *right)
{
    if (elements_comparable(left, right))
        return &type_bool;
    struct diag_entry *entry =
        diag_error(checker->diag, expr->loc, "cannot compare %s and %s",
                   type_name(checker->arena, left), type_name(checker->arena, right));
    diag_hint(entry, "tuples compare when they have as many elements, pairwise integers, "
                     "strings or tuples");
    return NULL;
}

/* `$3 == "x"` when no $3 was passed: a missing parameter is "" beside a
 * string, as bpftrace's language reference says (0 elsewhere). */
static void missing_positional_beside_string(struct checker *checker, struct ast_expr *expr)
{
    if (expr->binary.op != OP_EQ && expr->binary.op != OP_NE)
        return;
    struct ast_expr *sides[] = {expr->binary.left, expr->binary.right};
    for (int i = 0; i < 2; i++) {
        struct ast_expr *side = sides[i];
        if (side->kind == EXPR_POSITIONAL &&
            side->positional.index > checker->options->params.count &&
            sides[1 - i]->kind == EXPR_STRING) {
            side->kind = EXPR_STRING;
            side->string.length = 0;
            side->string.bytes = arena_strdup(checker->arena, "");
        }
    }
}

static const struct type *check_binary(struct checker *checker, struct ast_expr *expr)
{
    missing_positional_beside_string(checker, expr);
    const struct type *left = sema_check_expr(checker, expr->binary.left);
    const struct type *right = sema_check_expr(checker, expr->binary.right);
    if (!left || !right)
        return NULL;
    enum ast_binary_op op = expr->binary.op;
    if (op == OP_LOGICAL_AND || op == OP_LOGICAL_OR) {
        if (!sema_is_condition_type(left) || !sema_is_condition_type(right))
            return type_error(checker, expr, "logical operators need integers, got", left, right);
        return &type_bool;
    }
    if (op == OP_EQ || op == OP_NE) {
        if (left->kind == TYPE_STRING && right->kind == TYPE_STRING)
            return &type_bool;
        if (left->kind == TYPE_ARRAY && right->kind == TYPE_ARRAY) /* sema_types.c */
            return sema_types_array_comparison(checker, expr, left, right);
        if (left->kind == TYPE_TUPLE && right->kind == TYPE_TUPLE)
            return tuple_comparison(checker, expr, left, right);
        if (left->kind == TYPE_PROBE || right->kind == TYPE_PROBE)
            return type_error(checker, expr, "cannot compare", left, right);
    }
    if ((left->kind == TYPE_POINTER || right->kind == TYPE_POINTER) && (op == OP_ADD || op == OP_SUB))
        return sema_types_pointer_arithmetic(checker, expr, left, right);
    bool integers = sema_is_condition_type(left) && sema_is_condition_type(right);
    if (op >= OP_EQ && op <= OP_GE) {
        if (!integers)
            return type_error(checker, expr, "cannot compare", left, right);
        return &type_bool;
    }
    if (!integers)
        return type_error(checker, expr, "arithmetic needs integers, got", left, right);
    if (op == OP_SUB) /* bpftrace 0.26: a difference may be negative, even of unsigned values */
        return type_int(8, true);
    return arithmetic_result(left, right);
}

/* Where a field, `*p` or `p[i]` lives when it is behind a pointer (as
 * codegen/memory.c reads it), SPACE_NONE when its value is local. */
static enum address_space remote_space(const struct ast_expr *expr)
{
    const struct ast_expr *base = NULL;
    if (expr->kind == EXPR_FIELD)
        base = expr->field.base;
    else if (expr->kind == EXPR_INDEX)
        base = expr->index.base;
    else if (expr->kind == EXPR_UNARY && expr->unary.op == OP_DEREF)
        base = expr->unary.operand;
    if (!base || !base->type)
        return SPACE_NONE;
    if (base->type->kind == TYPE_POINTER)
        return base->type->space == SPACE_USER ? SPACE_USER : SPACE_KERNEL;
    if (expr->kind == EXPR_UNARY) /* `*addr` on an integer */
        return SPACE_KERNEL;
    bool aggregate = base->type->kind == TYPE_RECORD || base->type->kind == TYPE_ARRAY ||
                     base->type->kind == TYPE_STRING;
    return aggregate ? remote_space(base) : SPACE_NONE;
}

/* `&$x`: where the variable lives (the stack or scratch memory); `&p->f`,
 * `&p[i]`: the address computed without reading (bpftrace 0.26 takes `&` of
 * variables and maps; fields are sonde's extension). */
static const struct type *check_address_of(struct checker *checker, struct ast_expr *expr)
{
    struct ast_expr *operand = expr->unary.operand;
    if (operand->kind == EXPR_MAP) {
        struct diag_entry *entry = diag_error(checker->diag, expr->loc,
                                              "the address of a map cannot be taken here");
        diag_hint(entry, "&@map passes a map to an imported BPF function, which sonde does not "
                         "support; read the value into a variable and take &$variable");
        return NULL;
    }
    const struct type *type = sema_check_expr(checker, operand);
    if (!type)
        return NULL;
    if (operand->kind == EXPR_VARIABLE)
        return type_pointer(checker->arena, type, SPACE_KERNEL);
    enum address_space space = remote_space(operand);
    if (space == SPACE_NONE) {
        struct diag_entry *entry = diag_error(checker->diag, expr->loc,
                                              "cannot take the address of this expression");
        diag_hint(entry, "'&' takes a $variable or a field or element behind a pointer, e.g. "
                         "&$x or &curtask->pid");
        return NULL;
    }
    if (operand->kind == EXPR_FIELD) {
        const struct type *record = operand->field.base->type;
        if (record->kind == TYPE_POINTER)
            record = type_complete(record->element);
        const struct type_field *field = type_find_field(record, operand->field.name);
        if (field && field->bit_size) {
            diag_error(checker->diag, expr->loc, "cannot take the address of bitfield '%s'",
                       operand->field.name);
            return NULL;
        }
    }
    return type_pointer(checker->arena, type, space);
}

/* ++ and -- update a $variable or a @map holding an integer or a pointer. */
static const struct type *check_step(struct checker *checker, struct ast_expr *expr)
{
    struct ast_expr *operand = expr->unary.operand;
    enum ast_unary_op op = expr->unary.op;
    bool down = op == OP_PRE_DECREMENT || op == OP_POST_DECREMENT;
    struct sema_map *map = NULL;
    struct sema_variable *variable = NULL;
    if (operand->kind == EXPR_MAP) {
        if (!(map = sema_resolve_map(checker, operand)))
            return NULL;
        if (!map->value) {
            map->value = type_int(8, true);
            map->first_loc = operand->loc;
        }
        operand->type = map->value;
    } else if (operand->kind != EXPR_VARIABLE || !sema_check_expr(checker, operand)) {
        if (operand->kind != EXPR_VARIABLE)
            diag_error(checker->diag, operand->loc, "%s needs a $variable or a @map",
                       ast_unary_op_text(op));
        return NULL;
    } else {
        variable = operand->variable.symbol;
    }
    /* A pointer moves by its element's size, as `$p + 1` does. */
    if (!type_is_integer(operand->type) && operand->type->kind != TYPE_POINTER) {
        diag_error(checker->diag, operand->loc, "%s needs an integer or a pointer, got %s",
                   ast_unary_op_text(op), type_name(checker->arena, operand->type));
        return NULL;
    }
    if (down && map && !map->per_cpu)
        operand->type = map->value = sema_signed_after_subtraction(map->value);
    else if (down && variable)
        operand->type = variable->type = sema_signed_after_subtraction(variable->type);
    return operand->type;
}

static const struct type *check_unary(struct checker *checker, struct ast_expr *expr)
{
    struct ast_expr *operand = expr->unary.operand;
    enum ast_unary_op op = expr->unary.op;
    if (op == OP_DEREF)
        return sema_types_deref(checker, expr);
    if (op == OP_ADDRESS_OF)
        return check_address_of(checker, expr);
    if (op >= OP_PRE_INCREMENT)
        return check_step(checker, expr);
    const struct type *type = sema_check_expr(checker, operand);
    if (!type)
        return NULL;
    if (!sema_is_condition_type(type)) {
        diag_error(checker->diag, expr->loc, "'%s' needs an integer, got %s",
                   ast_unary_op_text(op), type_name(checker->arena, type));
        return NULL;
    }
    return op == OP_LOGICAL_NOT ? &type_bool : type_int(8, true);
}

static const struct type *check_ternary(struct checker *checker, struct ast_expr *expr)
{
    const struct type *condition = sema_check_expr(checker, expr->ternary.condition);
    const struct type *then_type = sema_check_expr(checker, expr->ternary.then_value);
    const struct type *else_type = sema_check_expr(checker, expr->ternary.else_value);
    if (!condition || !then_type || !else_type)
        return NULL;
    if (!sema_is_condition_type(condition)) {
        diag_error(checker->diag, expr->ternary.condition->loc,
                   "a condition must be an integer, got %s", type_name(checker->arena, condition));
        return NULL;
    }
    if (type_is_integer(then_type) && type_is_integer(else_type))
        return arithmetic_result(then_type, else_type);
    if (then_type->kind == TYPE_VOID && else_type->kind == TYPE_VOID)
        return &type_void; /* `c ? print(a) : print(b);` as a statement */
    if (then_type->kind == TYPE_STRING && else_type->kind == TYPE_STRING)
        return type_string(checker->arena,
                           then_type->size > else_type->size ? then_type->size : else_type->size);
    return type_error(checker, expr, "both branches of ?: must have one type, got", then_type,
                      else_type);
}

static const struct type *missing_field(struct checker *checker, struct ast_expr *expr,
                                        const struct type *record)
{
    const char **names = arena_alloc(checker->arena, sizeof(*names) * (record->field_count + 1));
    struct strbuf list = {0};
    for (unsigned i = 0; i < record->field_count; i++) {
        names[i] = record->fields[i].name;
        strbuf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    }
    struct diag_entry *entry = diag_error(checker->diag, expr->field.name_loc,
                                          "%s has no field '%s'", type_name(checker->arena, record),
                                          expr->field.name);
    const char *closest = suggest_closest(expr->field.name, names, record->field_count);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    else
        diag_hint(entry, "its fields are: %s", strbuf_text(&list));
    strbuf_free(&list);
    return NULL;
}

static const struct type *check_field(struct checker *checker, struct ast_expr *expr)
{
    const struct type *base = sema_check_expr(checker, expr->field.base);
    if (!base)
        return NULL;
    if (base->kind == TYPE_TUPLE) {
        char *end = NULL;
        unsigned long index = strtoul(expr->field.name, &end, 10);
        if (*end == '\0' && index < base->field_count)
            return base->fields[index].type;
        diag_error(checker->diag, expr->field.name_loc, "%s has no element %s",
                   type_name(checker->arena, base), expr->field.name);
        return NULL;
    }
    if (base->kind == TYPE_POINTER)
        return sema_types_pointer_field(checker, expr, base);
    if (base->kind != TYPE_RECORD) {
        diag_error(checker->diag, expr->loc, "%s has no fields", type_name(checker->arena, base));
        return NULL;
    }
    const struct type_field *field = type_find_field(base, expr->field.name);
    if (!field)
        return missing_field(checker, expr, base);
    return field->type;
}

static const struct type *check_tuple(struct checker *checker, struct ast_expr *expr)
{
    struct vec *elements = &expr->tuple.elements;
    const struct type **types = arena_alloc(checker->arena, sizeof(*types) * (elements->count + 1));
    for (size_t i = 0; i < elements->count; i++) {
        types[i] = sema_check_expr(checker, vec_get(elements, i));
        if (!types[i])
            return NULL;
        types[i] = sema_storage_type(types[i]);
    }
    return type_tuple(checker->arena, types, (unsigned)elements->count);
}

static const struct type *check_cast(struct checker *checker, struct ast_expr *expr)
{
    const struct type *operand = sema_check_expr(checker, expr->cast.operand);
    if (!operand)
        return NULL;
    if (sema_types_is_string_cast(expr->cast.type_text)) /* sema_types.c */
        return sema_types_string_cast(checker, expr, operand);
    const struct type *target = type_c_integer(expr->cast.type_text);
    if (!target) /* pointers, structs, C and kernel type names */
        return sema_types_cast(checker, expr, operand);
    if (operand->kind == TYPE_ARRAY)
        return sema_types_int_array_cast(checker, expr, operand, target);
    if (!sema_is_condition_type(operand)) {
        diag_error(checker->diag, expr->loc, "cannot cast %s to %s",
                   type_name(checker->arena, operand), expr->cast.type_text);
        return NULL;
    }
    return target;
}

static const struct type *check_kind(struct checker *checker, struct ast_expr *expr)
{
    switch (expr->kind) {
    case EXPR_INTEGER:
        return type_int(8, expr->integer.value <= INT64_MAX);
    case EXPR_STRING:
        return type_string(checker->arena, (unsigned)expr->string.length + 1);
    case EXPR_BOOL:
        return &type_bool;
    case EXPR_IDENTIFIER:
        return check_identifier(checker, expr);
    case EXPR_VARIABLE:
        return sema_check_variable(checker, expr);
    case EXPR_POSITIONAL:
    case EXPR_POSITIONAL_COUNT:
        return check_positional(checker, expr);
    case EXPR_MAP:
        return check_map_read(checker, expr);
    case EXPR_CALL:
        return sema_check_call(checker, expr);
    case EXPR_UNARY:
        return check_unary(checker, expr);
    case EXPR_BINARY:
        return check_binary(checker, expr);
    case EXPR_TERNARY:
        return check_ternary(checker, expr);
    case EXPR_FIELD:
        return check_field(checker, expr);
    case EXPR_TUPLE:
        return check_tuple(checker, expr);
    case EXPR_CAST:
        return check_cast(checker, expr);
    case EXPR_INDEX:
        return sema_types_index(checker, expr);
    case EXPR_SIZEOF:
        return sema_types_sizeof(checker, expr);
    case EXPR_OFFSETOF:
        return sema_types_offsetof(checker, expr);
    case EXPR_BLOCK:
        return sema_check_block_expr(checker, expr);
    }
    return NULL;
}

const struct type *sema_check_expr(struct checker *checker, struct ast_expr *expr)
{
    expr->type = check_kind(checker, expr);
    return expr->type;
}
