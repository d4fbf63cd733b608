#include "types/type.h"

#include <string.h>

const struct type type_void = {.kind = TYPE_VOID, .size = 0, .align = 1};
const struct type type_bool = {.kind = TYPE_BOOL, .size = 1, .align = 1};
const struct type type_probe = {.kind = TYPE_PROBE, .size = 8, .align = 8};

#define INT_TYPE(bytes, signedness) \
    {.kind = TYPE_INT, .size = bytes, .align = bytes, .is_signed = signedness}
static const struct type int_types[2][4] = {
    {INT_TYPE(1, false), INT_TYPE(2, false), INT_TYPE(4, false), INT_TYPE(8, false)},
    {INT_TYPE(1, true), INT_TYPE(2, true), INT_TYPE(4, true), INT_TYPE(8, true)},
};

const struct type *type_int(unsigned size, bool is_signed)
{
    unsigned slot = size <= 1 ? 0 : size == 2 ? 1 : size <= 4 ? 2 : 3;
    return &int_types[is_signed ? 1 : 0][slot];
}

static struct type *new_type(struct arena *arena, enum type_kind kind, unsigned size,
                             unsigned align)
{
    struct type *type = ARENA_NEW(arena, struct type);
    type->kind = kind;
    type->size = size;
    type->align = align ? align : 1;
    return type;
}

const struct type *type_string(struct arena *arena, unsigned capacity)
{
    return new_type(arena, TYPE_STRING, capacity, 1);
}

const struct type *type_pointer(struct arena *arena, const struct type *element,
                                enum address_space space)
{
    struct type *type = new_type(arena, TYPE_POINTER, 8, 8);
    type->element = element;
    type->space = space;
    return type;
}

const struct type *type_array(struct arena *arena, const struct type *element, unsigned length)
{
    struct type *type = new_type(arena, TYPE_ARRAY, element->size * length, element->align);
    type->element = element;
    type->length = length;
    return type;
}

static struct type *enum_of_size(struct arena *arena, unsigned size, bool is_signed,
                                 const char *name, const struct type_enumerator *enumerators,
                                 unsigned count)
{
    struct type *type = new_type(arena, TYPE_INT, size, size);
    type->is_signed = is_signed;
    type->name = name;
    type->enumerators = enumerators;
    type->enumerator_count = count;
    return type;
}

const struct type *type_enum(struct arena *arena, const struct type *base, const char *name,
                             const struct type_enumerator *enumerators, unsigned count)
{
    struct type *type = enum_of_size(arena, base->size, base->is_signed, name, enumerators, count);
    type->wide =
        base->size == 8 ? type : enum_of_size(arena, 8, base->is_signed, name, enumerators, count);
    ((struct type *)type->wide)->wide = type->wide;
    return type;
}

const struct type *type_widened(const struct type *type)
{
    if (type->kind == TYPE_INT && type->wide)
        return type->wide;
    return type_int(8, type->is_signed);
}

const char *type_enumerator_name(const struct type *type, int64_t value)
{
    for (unsigned i = 0; type->kind == TYPE_INT && i < type->enumerator_count; i++)
        if (type->enumerators[i].value == value)
            return type->enumerators[i].name;
    return NULL;
}

static unsigned align_up(unsigned value, unsigned align)
{
    return (value + align - 1) / align * align;
}

const struct type *type_tuple(struct arena *arena, const struct type *const *elements,
                              unsigned count)
{
    struct type_field *fields = arena_alloc(arena, sizeof(*fields) * (count ? count : 1));
    unsigned offset = 0, align = 1;
    for (unsigned i = 0; i < count; i++) {
        offset = align_up(offset, elements[i]->align);
        fields[i].type = elements[i];
        fields[i].offset = offset;
        offset += elements[i]->size;
        if (elements[i]->align > align)
            align = elements[i]->align;
    }
    struct type *type = new_type(arena, TYPE_TUPLE, align_up(offset, align), align);
    type->fields = fields;
    type->field_count = count;
    return type;
}

const struct type *type_record(struct arena *arena, const char *name,
                               const struct type_field *fields, unsigned count, unsigned size)
{
    unsigned align = 1;
    for (unsigned i = 0; i < count; i++)
        if (fields[i].type->align > align)
            align = fields[i].type->align;
    struct type *type = new_type(arena, TYPE_RECORD, size, align);
    type->name = name;
    type->fields = fields;
    type->field_count = count;
    return type;
}

/* Aggregation values are what the kernel stores per CPU; avg and stats keep
 * (count, total) and print the quotient in user space. */
const struct type *type_aggregation(struct arena *arena, enum type_kind kind,
                                    const struct type *value)
{
    unsigned size = kind == TYPE_AVG || kind == TYPE_STATS ? 16 : 8;
    struct type *type = new_type(arena, kind, size, 8);
    type->element = value;
    type->is_signed = value ? value->is_signed : false;
    return type;
}

bool type_is_integer(const struct type *type)
{
    return type->kind == TYPE_INT || type->kind == TYPE_BOOL;
}

bool type_is_aggregation(const struct type *type)
{
    return type->kind >= TYPE_COUNT && type->kind <= TYPE_LHIST;
}

bool type_equal(const struct type *a, const struct type *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->size != b->size)
        return false;
    switch (a->kind) {
    case TYPE_INT:
        return a->is_signed == b->is_signed;
    case TYPE_POINTER:
        return type_equal(a->element, b->element);
    case TYPE_ARRAY:
        return a->length == b->length && type_equal(a->element, b->element);
    case TYPE_KSTACK:
    case TYPE_USTACK:
        return a->length == b->length && strcmp(a->name, b->name) == 0;
    case TYPE_NUMBER_NAME:
    case TYPE_CGROUP_PATH:
        return strcmp(a->name, b->name) == 0;
    case TYPE_TUPLE:
    case TYPE_RECORD:
        if (a->field_count != b->field_count)
            return false;
        if (a->kind == TYPE_RECORD && a->name && b->name && strcmp(a->name, b->name) != 0)
            return false;
        for (unsigned i = 0; i < a->field_count; i++)
            if (!type_equal(a->fields[i].type, b->fields[i].type) ||
                a->fields[i].offset != b->fields[i].offset)
                return false;
        return true;
    default:
        return a->is_signed == b->is_signed;
    }
}

/* Every record held by value is filled with its holder: a value such as
 * `curtask->se.load` is printed and copied by its own fields, and nothing
 * else would fill struct load_weight (print() showed `{}`). Filling never
 * follows pointers, so it ends: a C struct cannot hold itself by value. */
const struct type *type_complete(const struct type *type)
{
    const struct type *inner = type;
    while (inner && inner->kind == TYPE_ARRAY)
        inner = inner->element;
    /* A lazy one is a copy still to fill (a user-space view), whatever the flag says. */
    if (!inner || (inner->kind != TYPE_RECORD && inner->kind != TYPE_TUPLE) ||
        (inner->complete && !inner->lazy))
        return type;
    /* Records and tuples are arena-allocated, never the shared consts. */
    struct type *aggregate = (struct type *)inner;
    aggregate->complete = true; /* before the fields: a malformed cycle stops here */
    struct type_lazy *lazy = aggregate->lazy;
    if (lazy) {
        aggregate->lazy = NULL;
        lazy->complete(lazy, aggregate);
    }
    for (unsigned i = 0; i < aggregate->field_count; i++)
        type_complete(aggregate->fields[i].type);
    return type;
}

const struct type_field *type_find_field(const struct type *record, const char *name)
{
    type_complete(record);
    for (unsigned i = 0; i < record->field_count; i++)
        if (record->fields[i].name && strcmp(record->fields[i].name, name) == 0)
            return &record->fields[i];
    return NULL;
}

void type_bitfield_value(const struct type_field *field, const void *record, unsigned char out[8])
{
    const unsigned char *bytes = (const unsigned char *)record + field->offset;
    unsigned bits = field->bit_offset + field->bit_size; /* at most 64 + 7 */
    uint64_t word = 0;
    for (unsigned i = 0; i < (bits + 7) / 8 && i < 8; i++)
        word |= (uint64_t)bytes[i] << (8 * i);
    uint64_t value = word >> field->bit_offset;
    if (bits > 64) /* the top bits sit in a ninth byte */
        value |= (uint64_t)bytes[8] << (64 - field->bit_offset);
    unsigned width = field->bit_size < 64 ? field->bit_size : 64;
    if (width < 64) {
        uint64_t mask = ((uint64_t)1 << width) - 1;
        value &= mask;
        if (field->type->is_signed && (value >> (width - 1)) & 1)
            value |= ~mask;
    }
    for (unsigned i = 0; i < 8; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static const char *aggregation_name(enum type_kind kind)
{
    static const char *const names[] = {"count_t", "sum_t",   "min_t",  "max_t",
                                        "avg_t",   "stats_t", "hist_t", "lhist_t"};
    return names[kind - TYPE_COUNT];
}

void type_describe(const struct type *type, struct strbuf *out)
{
    switch (type->kind) {
    case TYPE_VOID:
        strbuf_puts(out, "void");
        break;
    case TYPE_INT:
        if (type->enumerators && type->name)
            strbuf_puts(out, type->name);
        else
            strbuf_printf(out, "%sint%u", type->is_signed ? "" : "u", type->size * 8);
        break;
    case TYPE_BOOL:
        strbuf_puts(out, "bool");
        break;
    case TYPE_STRING:
        strbuf_printf(out, "string[%u]", type->size);
        break;
    case TYPE_POINTER:
        type_describe(type->element, out);
        strbuf_puts(out, " *");
        break;
    case TYPE_ARRAY:
        type_describe(type->element, out);
        strbuf_printf(out, "[%u]", type->length);
        break;
    case TYPE_TUPLE:
        strbuf_putc(out, '(');
        for (unsigned i = 0; i < type->field_count; i++) {
            if (i)
                strbuf_puts(out, ", ");
            type_describe(type->fields[i].type, out);
        }
        strbuf_putc(out, ')');
        break;
    case TYPE_RECORD:
        strbuf_printf(out, "struct %s", type->name ? type->name : "<anonymous>");
        break;
    case TYPE_PROBE:
        strbuf_puts(out, "probe");
        break;
    case TYPE_KSTACK:
        strbuf_puts(out, "kstack");
        break;
    case TYPE_USTACK:
        strbuf_puts(out, "ustack");
        break;
    case TYPE_KSYM:
        strbuf_puts(out, "ksym_t");
        break;
    case TYPE_USYM:
        strbuf_puts(out, "usym_t");
        break;
    case TYPE_USERNAME:
        strbuf_puts(out, "username");
        break;
    case TYPE_TIMESTAMP:
        strbuf_puts(out, "timestamp");
        break;
    case TYPE_BUFFER:
        strbuf_printf(out, "buffer[%u]", type->length);
        break;
    case TYPE_INET:
        strbuf_puts(out, "inet");
        break;
    case TYPE_MACADDR:
        strbuf_puts(out, "macaddr_t");
        break;
    case TYPE_NUMBER_NAME:
        strbuf_printf(out, "%s text", type->name);
        break;
    case TYPE_CGROUP_PATH:
        strbuf_puts(out, "cgroup_path_t");
        break;
    default:
        strbuf_puts(out, aggregation_name(type->kind));
        break;
    }
}

const char *type_name(struct arena *arena, const struct type *type)
{
    struct strbuf buf = {0};
    type_describe(type, &buf);
    const char *name = arena_strdup(arena, strbuf_text(&buf));
    strbuf_free(&buf);
    return name;
}

const void *type_field_value(const struct type_field *field, const void *record,
                             unsigned char scratch[8])
{
    if (!field->bit_size)
        return (const char *)record + field->offset;
    type_bitfield_value(field, record, scratch);
    return scratch;
}
