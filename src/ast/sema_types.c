/* Typing of what reaches into memory: kernel structs through BTF, the
 * script's own C definitions, pointers, fields, indexes, casts, enum
 * constants, curtask, sizeof and offsetof. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ast/sema_internal.h"
#include "types/cdefs.h"

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
    expr->kind = EXPR_INTEGER;
    expr->integer.value = (uint64_t)value;
    return type_int(8, true);
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

const struct type *sema_types_index(struct checker *checker, struct ast_expr *expr)
{
    const struct type *base = sema_check_expr(checker, expr->index.base);
    const struct type *index = sema_check_expr(checker, expr->index.index);
    if (!base || !index)
        return NULL;
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
static enum address_space cast_space(const struct type *operand)
{
    return operand->space ? operand->space : SPACE_KERNEL;
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
        cdefs_resolve(checker->cdefs, expr->cast.type_text, cast_space(operand));
    if (!target) {
        diag_error(checker->diag, expr->cast.type_loc, "unknown type '%s'", expr->cast.type_text);
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
