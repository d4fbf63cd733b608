/* Typing of what reaches into memory: kernel structs through BTF, the
 * script's own C definitions, pointers, fields, indexes, casts, enum
 * constants, curtask, sizeof and offsetof. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ast/sema_functions.h"
#include "ast/sema_internal.h"
#include "probes/probe.h"
#include "types/btf.h"
#include "types/cdefs.h"

#include <bpf/btf.h>

static const char *enumerator_tag(struct checker *checker, const char *name);
static const struct type *enum_cast_type(struct checker *checker, const char *type_text,
                                         const struct type *base);

int sema_types_begin(struct checker *checker, struct ast_program *program, struct diag *diag)
{
    checker->cdefs = cdefs_build(checker->arena, &program->c_definitions, btf_types_kernel, diag);
    return checker->cdefs ? 0 : -EINVAL;
}

static bool need_kernel(struct checker *checker, struct srcloc loc, const char *what)
{
    if (cdefs_kernel(checker->cdefs))
        return true;
    struct diag_entry *entry =
        diag_error(checker->diag, loc, "%s needs the kernel's type information (BTF)", what);
    diag_hint(entry, "this kernel has no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)");
    return false;
}

const struct type *sema_types_curtask(struct checker *checker, struct ast_expr *expr)
{
    if (!need_kernel(checker, expr->loc, "curtask"))
        return NULL;
    const struct type *task = cdefs_resolve(checker->cdefs, "struct task_struct *", SPACE_KERNEL);
    if (!task)
        diag_error(checker->diag, expr->loc, "the kernel's BTF has no struct task_struct");
    return task;
}

static const struct type *become_integer(struct checker *checker, struct ast_expr *expr,
                                         uint64_t value)
{
    expr->kind = EXPR_INTEGER;
    expr->integer.value = value;
    return sema_check_expr(checker, expr);
}

const struct type *sema_types_constant(struct checker *checker, struct ast_expr *expr)
{
    int64_t value;
    if (!cdefs_constant(checker->cdefs, expr->identifier.name, &value))
        return NULL;
    const char *tag = enumerator_tag(checker, expr->identifier.name);
    if (!tag) {
        expr->kind = EXPR_INTEGER;
        expr->integer.value = (uint64_t)value;
        return type_int(8, true);
    }
    /* An enumerator is its enum's value: `(enum tag)value`. */
    struct ast_expr *number = ARENA_NEW(checker->arena, struct ast_expr);
    number->kind = EXPR_INTEGER;
    number->loc = expr->loc;
    number->integer.value = (uint64_t)value;
    expr->kind = EXPR_CAST;
    expr->cast.type_text = arena_printf(checker->arena, "enum %s", tag);
    expr->cast.type_loc = expr->loc;
    expr->cast.operand = number;
    return sema_check_expr(checker, expr);
}

/* Edit distance where swapping two neighbours costs one ("pdi" is one step
 * from "pid", two from "prio"), the commonest typo in field names. */
static size_t typo_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 62 || m > 62)
        return (size_t)-1;
    size_t d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

static const char *closest_field(const struct type *record, const char *name)
{
    size_t limit = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2, best_distance = limit + 1;
    const char *best = NULL;
    for (unsigned i = 0; i < record->field_count; i++) {
        size_t distance = typo_distance(name, record->fields[i].name);
        if (distance < best_distance) {
            best_distance = distance;
            best = record->fields[i].name;
        }
    }
    return best;
}

static const struct type *missing_field(struct checker *checker, struct srcloc loc,
                                        const struct type *record, const char *name)
{
    struct diag_entry *entry = diag_error(checker->diag, loc, "%s has no field '%s'",
                                          type_name(checker->arena, record), name);
    const char *closest = closest_field(record, name);
    if (closest)
        diag_hint(entry, "did you mean '%s'?", closest);
    return NULL;
}

/* `p->f` and `p.f` (bpftrace 0.25 lets `.` look through a pointer). */
const struct type *sema_types_pointer_field(struct checker *checker, struct ast_expr *expr,
                                            const struct type *base)
{
    const struct type *record = type_complete(base->element);
    if (record->kind != TYPE_RECORD) {
        diag_error(checker->diag, expr->loc, "%s points to no struct, so it has no fields",
                   type_name(checker->arena, base));
        return NULL;
    }
    const struct type_field *field = type_find_field(record, expr->field.name);
    if (!field)
        return missing_field(checker, expr->field.name_loc, record, expr->field.name);
    return field->type;
}

const struct type *sema_types_deref(struct checker *checker, struct ast_expr *expr)
{
    const struct type *operand = sema_check_expr(checker, expr->unary.operand);
    if (!operand)
        return NULL;
    if (type_is_integer(operand))
        return type_int(8, false); /* `*addr` reads a u64 from the kernel */
    if (operand->kind != TYPE_POINTER || operand->element->kind == TYPE_VOID) {
        diag_error(checker->diag, expr->loc, "cannot dereference %s",
                   type_name(checker->arena, operand));
        return NULL;
    }
    return type_complete(operand->element);
}

static bool constant_binary(enum ast_binary_op op, int64_t a, int64_t b, int64_t *value)
{
    if (op > OP_SHIFT_RIGHT)
        return false;
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    /* BPF's x / 0 = 0 and x % 0 = x; -1 apart so INT64_MIN / -1 cannot trap. */
    const int64_t results[] = {
        [OP_ADD] = (int64_t)(ua + ub),
        [OP_SUB] = (int64_t)(ua - ub),
        [OP_MUL] = (int64_t)(ua * ub),
        [OP_DIV] = b == 0    ? 0
                   : b == -1 ? (int64_t)(0 - ua)
                             : a / b,
        [OP_MOD] = b == 0    ? a
                   : b == -1 ? 0
                             : a % b,
        [OP_BIT_AND] = a & b,
        [OP_BIT_OR] = a | b,
        [OP_BIT_XOR] = a ^ b,
        [OP_SHIFT_LEFT] = (int64_t)(ua << (ub & 63)),
        [OP_SHIFT_RIGHT] = (int64_t)(ua >> (ub & 63)),
    };
    *value = results[op];
    return true;
}

bool sema_constant_integer(const struct ast_expr *expr, int64_t *value)
{
    int64_t left, right;
    switch (expr->kind) {
    case EXPR_INTEGER:
        *value = (int64_t)expr->integer.value;
        return true;
    case EXPR_UNARY:
        if (!sema_constant_integer(expr->unary.operand, &left))
            return false;
        if (expr->unary.op == OP_NEGATE)
            *value = (int64_t)(0 - (uint64_t)left);
        else if (expr->unary.op == OP_BIT_NOT)
            *value = ~left;
        else
            return false;
        return true;
    case EXPR_BINARY:
        return sema_constant_integer(expr->binary.left, &left) &&
               sema_constant_integer(expr->binary.right, &right) &&
               constant_binary(expr->binary.op, left, right, value);
    default:
        return false;
    }
}

/* `t[i]` on a tuple (bpftrace 0.25) needs an index known at compile time;
 * it then means `t.i`, which it becomes. */
static const struct type *tuple_index(struct checker *checker, struct ast_expr *expr,
                                      const struct type *base)
{
    struct ast_expr *at = expr->index.index;
    int64_t index;
    if (!sema_constant_integer(at, &index)) {
        struct diag_entry *entry =
            diag_error(checker->diag, at->loc, "a tuple's index must be known at compile time");
        diag_hint(entry, "write an integer literal, e.g. $t[0] or $t.0");
        return NULL;
    }
    if (index < 0 || (uint64_t)index >= base->field_count) {
        diag_error(checker->diag, at->loc, "index %lld is out of range for %s (%u elements)",
                   (long long)index, type_name(checker->arena, base), base->field_count);
        return NULL;
    }
    struct ast_expr *tuple = expr->index.base;
    expr->kind = EXPR_FIELD;
    expr->field.base = tuple;
    expr->field.name = arena_printf(checker->arena, "%lld", (long long)index);
    expr->field.arrow = false;
    expr->field.name_loc = at->loc;
    return base->fields[index].type;
}

const struct type *sema_types_index(struct checker *checker, struct ast_expr *expr)
{
    const struct type *base = sema_check_expr(checker, expr->index.base);
    const struct type *index = sema_check_expr(checker, expr->index.index);
    if (!base || !index)
        return NULL;
    if (base->kind == TYPE_TUPLE && type_is_integer(index))
        return tuple_index(checker, expr, base);
    if (!type_is_integer(index)) {
        diag_error(checker->diag, expr->index.index->loc, "an index must be an integer, got %s",
                   type_name(checker->arena, index));
        return NULL;
    }
    bool is_pointer = base->kind == TYPE_POINTER && base->element->kind != TYPE_VOID;
    if (base->kind == TYPE_STRING)
        base = type_array(checker->arena, type_int(1, true), base->size); /* chars */
    if (base->kind != TYPE_ARRAY && !is_pointer) {
        diag_error(checker->diag, expr->loc, "%s cannot be indexed with []",
                   type_name(checker->arena, base));
        return NULL;
    }
    struct ast_expr *at = expr->index.index;
    if (base->kind == TYPE_ARRAY && at->kind == EXPR_INTEGER && base->length &&
        at->integer.value >= base->length) {
        diag_error(checker->diag, at->loc, "index %llu is out of bounds for %s",
                   (unsigned long long)at->integer.value, type_name(checker->arena, base));
        return NULL;
    }
    return type_complete(base->element);
}

/* The space a cast pointer points into: a pointer keeps its own, as does a
 * number that says where it points (a uprobe's argN); other numbers are
 * kernel addresses. */
/* A number cast to a pointer points where the probe's numbers do: into the
 * traced process in uprobes and syscall entries, the kernel elsewhere (the
 * rule codegen_reads_user applies when the number is read through). */
static enum address_space cast_space(const struct checker *checker, const struct type *operand)
{
    if (operand->space)
        return operand->space;
    const struct vec *instances = checker->variant ? &checker->variant->instances : NULL;
    const struct probe_instance *first =
        instances && instances->count ? vec_get(instances, 0) : NULL;
    if (first && type_is_integer(operand) &&
        (first->kind->user_space || first->kind->context == CONTEXT_SYSCALL_ENTER))
        return SPACE_USER;
    return SPACE_KERNEL;
}

static bool is_integer_array(const struct type *type)
{
    return type->kind == TYPE_ARRAY && type->length && type->element &&
           type->element->kind == TYPE_INT && type->size <= 8;
}

/* A literal fits an array of `size` bytes when no set bit is lost. */
static bool literal_fits(const struct ast_expr *operand, unsigned size)
{
    if (operand->kind != EXPR_INTEGER || size >= 8)
        return operand->kind == EXPR_INTEGER;
    return operand->integer.value >> (size * 8) == 0;
}

/* `(uint8[4])x` and `(uint32)$array` (bpftrace 0.19) reinterpret the bytes,
 * little-endian, so both sides must have the same size; an integer literal
 * fits any array it does not overflow. */
const struct type *sema_types_int_array_cast(struct checker *checker, struct ast_expr *expr,
                                             const struct type *operand, const struct type *target)
{
    const struct type *array = target->kind == TYPE_ARRAY ? target : operand;
    const struct type *integer = target->kind == TYPE_ARRAY ? operand : target;
    if (!is_integer_array(array) || !type_is_integer(integer)) {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "cannot cast %s to %s",
                       type_name(checker->arena, operand), type_name(checker->arena, target));
        diag_hint(entry, "an integer casts to an array of integers of the same size (at most 8 "
                         "bytes), and back, e.g. (uint8[4])(uint32)x");
        return NULL;
    }
    /* sonde widens integer variables to 64 bits where bpftrace keeps their
     * width, so a wider non-literal gives its low bytes rather than an error. */
    bool is_literal = expr->cast.operand->kind == EXPR_INTEGER;
    bool sizes_match =
        array->size == integer->size ||
        (array == target && is_literal && literal_fits(expr->cast.operand, array->size)) ||
        (array == target && !is_literal && integer->size > array->size);
    if (!sizes_match && is_literal && array == target) {
        diag_error(checker->diag, expr->loc, "%llu does not fit in %s (%u bytes)",
                   (unsigned long long)expr->cast.operand->integer.value,
                   type_name(checker->arena, target), target->size);
        return NULL;
    }
    if (!sizes_match) {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "cannot cast %s (%u bytes) to %s (%u bytes)",
                       type_name(checker->arena, operand), operand->size,
                       type_name(checker->arena, target), target->size);
        diag_hint(entry, "the sizes must be equal: cast the integer first, e.g. (uint%u)",
                  array->size * 8);
        return NULL;
    }
    return target;
}

const struct type *sema_types_array_comparison(struct checker *checker, struct ast_expr *expr,
                                               const struct type *left, const struct type *right)
{
    bool integers = left->element && left->element->kind == TYPE_INT;
    if (!integers || !type_equal(left, right)) {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "cannot compare %s and %s",
                       type_name(checker->arena, left), type_name(checker->arena, right));
        diag_hint(entry, "arrays compare when both hold the same number of the same integers");
        return NULL;
    }
    return &type_bool;
}

const struct type *sema_types_cast(struct checker *checker, struct ast_expr *expr,
                                   const struct type *operand)
{
    const struct type *target =
        cdefs_resolve(checker->cdefs, expr->cast.type_text, cast_space(checker, operand));
    if (!target) {
        if (cdefs_array_too_long(expr->cast.type_text))
            diag_error(checker->diag, expr->cast.type_loc,
                       "'%s' is too long an array (at most 1,048,576 elements)",
                       expr->cast.type_text);
        else
            diag_error(checker->diag, expr->cast.type_loc, "unknown type '%s'",
                       expr->cast.type_text);
        return NULL;
    }
    if (target->kind == TYPE_ARRAY || (operand->kind == TYPE_ARRAY && type_is_integer(target)))
        return sema_types_int_array_cast(checker, expr, operand, target);
    if (target->kind != TYPE_POINTER && !type_is_integer(target)) {
        diag_error(checker->diag, expr->cast.type_loc, "cannot cast to %s; cast to a pointer",
                   type_name(checker->arena, target));
        return NULL;
    }
    if (!sema_is_condition_type(operand)) {
        diag_error(checker->diag, expr->loc, "cannot cast %s to %s",
                   type_name(checker->arena, operand), type_name(checker->arena, target));
        return NULL;
    }
    if (target->kind == TYPE_INT && strncmp(expr->cast.type_text, "enum ", 5) == 0)
        return enum_cast_type(checker, expr->cast.type_text, target);
    return target;
}

const struct type *sema_types_pointer_arithmetic(struct checker *checker, struct ast_expr *expr,
                                                 const struct type *left, const struct type *right)
{
    bool left_pointer = left->kind == TYPE_POINTER, right_pointer = right->kind == TYPE_POINTER;
    if (left_pointer && right_pointer && expr->binary.op == OP_SUB)
        return type_int(8, true); /* element count between them */
    if (left_pointer && type_is_integer(right))
        return left;
    if (right_pointer && type_is_integer(left) && expr->binary.op == OP_ADD)
        return right;
    diag_error(checker->diag, expr->loc, "invalid pointer arithmetic on %s and %s",
               type_name(checker->arena, left), type_name(checker->arena, right));
    return NULL;
}

const struct type *sema_types_sizeof(struct checker *checker, struct ast_expr *expr)
{
    const struct type *type;
    if (expr->size_of.type_text) {
        type = cdefs_resolve(checker->cdefs, expr->size_of.type_text, SPACE_KERNEL);
        if (!type && cdefs_array_too_long(expr->size_of.type_text)) {
            diag_error(checker->diag, expr->size_of.type_loc,
                       "'%s' is too long an array (at most 1,048,576 elements)",
                       expr->size_of.type_text);
            return NULL;
        }
        if (!type) {
            diag_error(checker->diag, expr->size_of.type_loc, "unknown type '%s'",
                       expr->size_of.type_text);
            return NULL;
        }
    } else {
        type = sema_check_expr(checker, expr->size_of.operand);
        if (!type)
            return NULL;
    }
    return become_integer(checker, expr, type->size);
}

const struct type *sema_types_offsetof(struct checker *checker, struct ast_expr *expr)
{
    const struct type *type =
        type_complete(cdefs_resolve(checker->cdefs, expr->offset_of.type_text, SPACE_KERNEL));
    if (!type || type->kind != TYPE_RECORD) {
        diag_error(checker->diag, expr->offset_of.type_loc, "'%s' is not a known struct",
                   expr->offset_of.type_text);
        return NULL;
    }
    uint64_t offset = 0;
    char *path = arena_strdup(checker->arena, expr->offset_of.path);
    for (char *name = strtok(path, "."); name; name = strtok(NULL, ".")) {
        const struct type_field *field =
            type->kind == TYPE_RECORD ? type_find_field(type, name) : NULL;
        if (!field) {
            if (type->kind == TYPE_RECORD)
                return missing_field(checker, expr->offset_of.path_loc, type, name);
            diag_error(checker->diag, expr->offset_of.path_loc, "%s has no fields",
                       type_name(checker->arena, type));
            return NULL;
        }
        offset += field->offset;
        type = type_complete(field->type);
    }
    return become_integer(checker, expr, offset);
}

/* "string" (capacity 0: the operand's) or "string[N]"; false for other names. */
static bool parse_string_type(const char *text, unsigned long *capacity, bool *valid)
{
    if (strncmp(text, "string", 6) != 0)
        return false;
    const char *rest = text + 6;
    while (*rest == ' ')
        rest++;
    *capacity = 0;
    *valid = true;
    if (*rest == '\0')
        return true;
    if (*rest != '[')
        return false;
    char *end = NULL;
    *capacity = strtoul(rest + 1, &end, 10);
    while (end && *end == ' ')
        end++;
    *valid = end && end != rest + 1 && *end == ']' && end[1] == '\0';
    return true;
}

bool sema_types_is_string_cast(const char *type_text)
{
    unsigned long capacity;
    bool valid;
    return parse_string_type(type_text, &capacity, &valid);
}

static bool is_char_array(const struct type *type)
{
    return type->kind == TYPE_ARRAY && type->element && type->element->kind == TYPE_INT &&
           type->element->size == 1 && type->length;
}

/* `(string[N])x` of a string or a char array: the first N - 1 bytes and a
 * NUL, as str(p, N) cuts what it reads; `(string)x` keeps x's capacity. */
const struct type *sema_types_string_cast(struct checker *checker, struct ast_expr *expr,
                                          const struct type *operand)
{
    unsigned long capacity;
    bool valid;
    parse_string_type(expr->cast.type_text, &capacity, &valid);
    if (!valid || (capacity == 0 && strchr(expr->cast.type_text, '['))) {
        diag_error(checker->diag, expr->cast.type_loc,
                   "a string's length must be a positive integer, e.g. string[16]");
        return NULL;
    }
    if (capacity > SEMA_STRING_CAST_MAX) {
        diag_error(checker->diag, expr->cast.type_loc, "string[%lu] is longer than %u bytes",
                   capacity, SEMA_STRING_CAST_MAX);
        return NULL;
    }
    if (operand->kind != TYPE_STRING && !is_char_array(operand)) {
        struct diag_entry *entry =
            diag_error(checker->diag, expr->loc, "cannot cast %s to %s",
                       type_name(checker->arena, operand), expr->cast.type_text);
        diag_hint(entry, "a string cast takes a string or a char array; str(address) reads a "
                         "string from memory");
        return NULL;
    }
    return type_string(checker->arena, capacity ? (unsigned)capacity : operand->size);
}

/* ---- enums: casts and enumerators carry their enum's names, which
 * printf's %s prints (bpftrace 0.22). ---- */

static const struct ast_c_definition *script_enum(const struct checker *checker, const char *tag)
{
    const struct vec *definitions = checker->program ? &checker->program->c_definitions : NULL;
    for (size_t i = 0; definitions && i < definitions->count; i++) {
        const struct ast_c_definition *definition = vec_get(definitions, i);
        if (definition->kind == C_ENUM && definition->name && strcmp(definition->name, tag) == 0)
            return definition;
    }
    return NULL;
}

static const struct type *enum_from_script(struct checker *checker,
                                           const struct ast_c_definition *definition,
                                           const struct type *base)
{
    unsigned count = (unsigned)definition->enumerators.count;
    struct type_enumerator *names = arena_alloc(checker->arena, sizeof(*names) * (count + 1));
    for (unsigned i = 0; i < count; i++) {
        const struct ast_c_enumerator *enumerator = vec_get(&definition->enumerators, i);
        names[i].name = enumerator->name;
        names[i].value = enumerator->value;
    }
    return type_enum(checker->arena, base,
                     arena_printf(checker->arena, "enum %s", definition->name), names, count);
}

static const struct type *enum_from_btf(struct checker *checker, const struct btf *btf,
                                        const struct btf_type *t, const struct type *base)
{
    unsigned count = btf_vlen(t);
    struct type_enumerator *names = arena_alloc(checker->arena, sizeof(*names) * (count + 1));
    for (unsigned i = 0; i < count; i++) {
        if (btf_is_enum(t)) {
            const struct btf_enum *e = &btf_enum(t)[i];
            names[i].name = arena_strdup(checker->arena, btf__name_by_offset(btf, e->name_off));
            names[i].value = btf_kflag(t) ? (int64_t)e->val : (int64_t)(uint32_t)e->val;
        } else {
            const struct btf_enum64 *e = &btf_enum64(t)[i];
            names[i].name = arena_strdup(checker->arena, btf__name_by_offset(btf, e->name_off));
            names[i].value = (int64_t)btf_enum64_value(e);
        }
    }
    const char *tag = btf__name_by_offset(btf, t->name_off);
    return type_enum(checker->arena, base, arena_printf(checker->arena, "enum %s", tag), names,
                     count);
}

static const struct btf *kernel_btf(struct checker *checker)
{
    struct btf_types *kernel = cdefs_kernel(checker->cdefs);
    return kernel ? btf_types_btf(kernel) : NULL;
}

/* `(enum e)x`: the integer type the cast resolved to, with e's names. */
static const struct type *enum_cast_type(struct checker *checker, const char *type_text,
                                         const struct type *base)
{
    const char *tag = type_text + 5;
    const struct ast_c_definition *definition = script_enum(checker, tag);
    if (definition)
        return enum_from_script(checker, definition, base);
    const struct btf *btf = kernel_btf(checker);
    int id = btf ? btf__find_by_name_kind(btf, tag, BTF_KIND_ENUM) : -1;
    if (btf && id <= 0)
        id = btf__find_by_name_kind(btf, tag, BTF_KIND_ENUM64);
    if (id <= 0)
        return base;
    return enum_from_btf(checker, btf, btf__type_by_id(btf, (uint32_t)id), base);
}

static bool enum_has(const struct btf *btf, const struct btf_type *t, const char *name)
{
    for (unsigned i = 0; i < btf_vlen(t); i++) {
        uint32_t offset = btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
        if (strcmp(btf__name_by_offset(btf, offset), name) == 0)
            return true;
    }
    return false;
}

/* The tag of the named enum that defines enumerator `name` (script first,
 * then the kernel's BTF); NULL when it has none or is anonymous. */
static const char *enumerator_tag(struct checker *checker, const char *name)
{
    const struct vec *definitions = checker->program ? &checker->program->c_definitions : NULL;
    for (size_t i = 0; definitions && i < definitions->count; i++) {
        const struct ast_c_definition *definition = vec_get(definitions, i);
        if (definition->kind != C_ENUM)
            continue;
        for (size_t j = 0; j < definition->enumerators.count; j++) {
            const struct ast_c_enumerator *enumerator = vec_get(&definition->enumerators, j);
            if (strcmp(enumerator->name, name) == 0)
                return definition->name && *definition->name ? definition->name : NULL;
        }
    }
    const struct btf *btf = kernel_btf(checker);
    unsigned total = btf ? btf__type_cnt(btf) : 0;
    for (unsigned id = 1; id < total; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        if (btf_is_any_enum(t) && enum_has(btf, t, name)) {
            const char *tag = btf__name_by_offset(btf, t->name_off);
            return tag && *tag ? tag : NULL;
        }
    }
    return NULL;
}
