/* The script's C definitions as types, with C's natural layout. */
#include "types/cdefs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One name the script defined. */
struct cdefs_entry {
    const char *name;  /* "struct mine", "mine_t", "RED" (enumerator), "MAX" (#define) */
    struct type *type; /* NULL for constants */
    bool is_constant;
    int64_t value;
    bool defined; /* records: false while only a pointer named them */
};

struct cdefs {
    struct arena *arena;
    struct vec entries; /* struct cdefs_entry * */
    cdefs_kernel_source kernel_source;
    struct btf_types *kernel;
    bool kernel_tried;
};

struct btf_types *cdefs_kernel(struct cdefs *cdefs)
{
    if (!cdefs->kernel_tried) {
        cdefs->kernel_tried = true;
        cdefs->kernel = cdefs->kernel_source ? cdefs->kernel_source() : NULL;
    }
    return cdefs->kernel;
}

static struct cdefs_entry *find_entry(const struct cdefs *cdefs, const char *name)
{
    for (size_t i = 0; i < cdefs->entries.count; i++) {
        struct cdefs_entry *entry = vec_get(&cdefs->entries, i);
        if (strcmp(entry->name, name) == 0)
            return entry;
    }
    return NULL;
}

static struct cdefs_entry *add_entry(struct cdefs *cdefs, const char *name)
{
    struct cdefs_entry *entry = ARENA_NEW(cdefs->arena, struct cdefs_entry);
    entry->name = arena_strdup(cdefs->arena, name);
    vec_push(&cdefs->entries, entry);
    return entry;
}

static const struct type *integer_type(const char *name)
{
    if (strcmp(name, "void") == 0)
        return &type_void;
    return type_c_integer(name);
}

/* A record named only through a pointer so far (`struct node *next` inside
 * struct node, or a struct defined further down). */
static struct type *record_shell(struct cdefs *cdefs, const char *tagged_name)
{
    struct cdefs_entry *entry = add_entry(cdefs, tagged_name);
    struct type *record = ARENA_NEW(cdefs->arena, struct type);
    record->kind = TYPE_RECORD;
    record->align = 1;
    record->name = arena_strdup(cdefs->arena, strchr(tagged_name, ' ') + 1);
    entry->type = record;
    return record;
}

static bool is_tagged(const char *name)
{
    return strncmp(name, "struct ", 7) == 0 || strncmp(name, "union ", 6) == 0 ||
           strncmp(name, "enum ", 5) == 0;
}

/* A name without pointer or array suffix. */
static const struct type *resolve_base(struct cdefs *cdefs, const char *name, bool under_pointer)
{
    const struct type *type = integer_type(name);
    if (type)
        return type;
    struct cdefs_entry *entry = find_entry(cdefs, name);
    if (entry && entry->type && (entry->defined || under_pointer))
        return entry->type;
    struct btf_types *kernel = cdefs_kernel(cdefs);
    type = kernel ? btf_types_find(kernel, name) : NULL;
    if (type)
        return type;
    if (under_pointer && strncmp(name, "enum ", 5) != 0 && is_tagged(name))
        return entry ? entry->type : record_shell(cdefs, name);
    return NULL;
}

/* Drop qualifiers and surrounding spaces: "const char *" -> "char *". */
static char *normalize(struct arena *arena, const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    char *copy = arena_strdup(arena, text);
    static const char *const qualifiers[] = {"const ", "volatile ", "restrict "};
    for (size_t i = 0; i < 3; i++) {
        char *at;
        size_t length = strlen(qualifiers[i]);
        while ((at = strstr(copy, qualifiers[i])) != NULL &&
               (at == copy || !isalnum((unsigned char)at[-1])))
            memmove(at, at + length, strlen(at + length) + 1);
    }
    size_t end = strlen(copy);
    while (end && isspace((unsigned char)copy[end - 1]))
        copy[--end] = '\0';
    return copy;
}

bool cdefs_array_too_long(const char *text)
{
    const char *bracket = strchr(text, '[');
    return bracket && strtoull(bracket + 1, NULL, 10) > CDEFS_ARRAY_MAX_LENGTH;
}

const struct type *cdefs_resolve(struct cdefs *cdefs, const char *text, enum address_space space)
{
    char *name = normalize(cdefs->arena, text);
    char *bracket = strchr(name, '[');
    unsigned length = 0;
    if (bracket) {
        unsigned long long asked = strtoull(bracket + 1, NULL, 10);
        if (asked > CDEFS_ARRAY_MAX_LENGTH)
            return NULL; /* cdefs_array_too_long() says why */
        length = (unsigned)asked;
        *bracket = '\0';
    }
    size_t end = strlen(name);
    int stars = 0;
    while (end && (name[end - 1] == '*' || isspace((unsigned char)name[end - 1]))) {
        stars += name[end - 1] == '*';
        name[--end] = '\0';
    }
    const struct type *type = resolve_base(cdefs, name, stars > 0);
    if (!type)
        return NULL;
    for (int i = 0; i < stars; i++)
        type = type_pointer(cdefs->arena, type, space);
    if (bracket) {
        if (stars == 0 && strcmp(name, "char") == 0 && length)
            return type_string(cdefs->arena, length);
        type = type_array(cdefs->arena, type, length);
    }
    return type;
}

bool cdefs_constant(struct cdefs *cdefs, const char *name, int64_t *value)
{
    struct cdefs_entry *entry = find_entry(cdefs, name);
    if (entry && entry->is_constant) {
        *value = entry->value;
        return true;
    }
    struct btf_types *kernel = cdefs_kernel(cdefs);
    return kernel && btf_types_enum_value(kernel, name, value);
}

static unsigned align_up(unsigned value, unsigned align)
{
    return align ? (value + align - 1) / align * align : value;
}

/* Places one field at `*bits` and advances it. Bitfields share a unit of
 * their declared type unless they would cross its boundary (as gcc does). */
static void place_field(struct type_field *field, int bit_width, unsigned *bits)
{
    const struct type *type = field->type;
    if (bit_width < 0) {
        unsigned offset = align_up((*bits + 7) / 8, type->align);
        field->offset = offset;
        *bits = (offset + type->size) * 8;
        return;
    }
    unsigned unit = type->size * 8;
    if (bit_width == 0 || *bits / unit != (*bits + (unsigned)bit_width - 1) / unit)
        *bits = align_up(*bits, unit);
    field->offset = *bits / 8;
    field->bit_offset = (unsigned short)(*bits % 8);
    field->bit_size = (unsigned short)bit_width;
    *bits += (unsigned)bit_width;
}

static bool convert_record(struct cdefs *cdefs, const struct ast_c_definition *definition,
                           struct type *record, struct diag *diag)
{
    bool is_union = definition->kind == C_UNION;
    size_t count = definition->fields.count;
    struct type_field *fields = arena_alloc(cdefs->arena, sizeof(*fields) * (count + 1));
    unsigned bits = 0, size = 0, align = 1, named = 0;
    for (size_t i = 0; i < count; i++) {
        const struct ast_c_field *source = vec_get(&definition->fields, i);
        const char *text =
            source->is_array
                ? arena_printf(cdefs->arena, "%s[%u]", source->type_text, source->array_length)
                : source->type_text;
        const struct type *type = cdefs_resolve(cdefs, text, SPACE_KERNEL);
        if (!type || type->kind == TYPE_VOID ||
            (type->kind == TYPE_RECORD && type->size == 0 && !type->field_count && !type->lazy)) {
            diag_error(diag, source->loc, "unknown or incomplete type '%s' for field '%s'",
                       source->type_text, source->name ? source->name : "");
            return false;
        }
        if (source->bit_width >= 0 && type->kind != TYPE_INT && type->kind != TYPE_BOOL) {
            diag_error(diag, source->loc, "bitfield '%s' must have an integer type", source->name);
            return false;
        }
        struct type_field *field = &fields[named];
        field->name = source->name;
        field->type = type;
        if (is_union)
            bits = 0;
        place_field(field, source->bit_width, &bits);
        if (bits > size * 8)
            size = (bits + 7) / 8;
        if (type->align > align)
            align = type->align;
        if (source->name && *source->name)
            named++;
    }
    record->fields = fields;
    record->field_count = named;
    record->align = align;
    record->size = align_up(size, align);
    return true;
}

static bool add_record(struct cdefs *cdefs, const struct ast_c_definition *definition,
                       struct diag *diag)
{
    const char *tag = definition->kind == C_UNION ? "union" : "struct";
    const char *tagged = arena_printf(cdefs->arena, "%s %s", tag, definition->name);
    struct cdefs_entry *entry = find_entry(cdefs, tagged);
    if (entry && entry->defined) {
        diag_error(diag, definition->loc, "%s is defined twice", tagged);
        return false;
    }
    struct type *record = entry ? entry->type : record_shell(cdefs, tagged);
    entry = find_entry(cdefs, tagged);
    if (!convert_record(cdefs, definition, record, diag))
        return false;
    entry->defined = true;
    return true;
}

static void add_enum(struct cdefs *cdefs, const struct ast_c_definition *definition)
{
    for (size_t i = 0; i < definition->enumerators.count; i++) {
        const struct ast_c_enumerator *enumerator = vec_get(&definition->enumerators, i);
        struct cdefs_entry *entry = add_entry(cdefs, enumerator->name);
        entry->is_constant = true;
        entry->value = enumerator->value;
    }
    if (definition->name && *definition->name) {
        struct cdefs_entry *entry =
            add_entry(cdefs, arena_printf(cdefs->arena, "enum %s", definition->name));
        entry->type = (struct type *)type_int(4, true);
        entry->defined = true;
    }
}

static bool add_typedef(struct cdefs *cdefs, const struct ast_c_definition *definition,
                        struct diag *diag)
{
    const struct type *target = cdefs_resolve(cdefs, definition->typedef_target, SPACE_KERNEL);
    if (!target) {
        diag_error(diag, definition->loc, "unknown type '%s' in typedef %s",
                   definition->typedef_target, definition->name);
        return false;
    }
    struct cdefs_entry *entry = add_entry(cdefs, definition->name);
    entry->type = (struct type *)target; /* never written through: `defined` is set */
    entry->defined = true;
    return true;
}

/* Only integer #defines become constants (the preamble has already reduced
 * integer expressions to their value). A #define replaces whatever constant
 * of that name came before, a header's TASK_RUNNING or an enumerator, as
 * cpp's replacement would; one that is no integer hides it. */
static void add_define(struct cdefs *cdefs, const struct ast_c_definition *definition)
{
    const char *text = definition->define_value ? definition->define_value : "";
    char *end = NULL;
    long long value = strtoll(text, &end, 0);
    while (end && (*end == 'u' || *end == 'U' || *end == 'l' || *end == 'L'))
        end++;
    bool is_integer = end != text && !(end && *end && !isspace((unsigned char)*end));
    struct cdefs_entry *entry = find_entry(cdefs, definition->name);
    if (entry && entry->type)
        return; /* a type of that name keeps it */
    if (!entry && !is_integer)
        return;
    if (!entry)
        entry = add_entry(cdefs, definition->name);
    entry->is_constant = is_integer;
    entry->value = is_integer ? value : 0;
}

struct cdefs *cdefs_build(struct arena *arena, const struct vec *definitions,
                          cdefs_kernel_source kernel, struct diag *diag)
{
    struct cdefs *cdefs = ARENA_NEW(arena, struct cdefs);
    cdefs->arena = arena;
    cdefs->kernel_source = kernel;
    bool ok = true;
    for (size_t i = 0; definitions && i < definitions->count; i++) {
        const struct ast_c_definition *definition = vec_get(definitions, i);
        switch (definition->kind) {
        case C_STRUCT:
        case C_UNION:
            ok &= add_record(cdefs, definition, diag);
            break;
        case C_ENUM:
            add_enum(cdefs, definition);
            break;
        case C_TYPEDEF:
            ok &= add_typedef(cdefs, definition, diag);
            break;
        case C_DEFINE:
            add_define(cdefs, definition);
            break;
        case C_INCLUDE:
            break; /* kernel headers: BTF has the same types */
        }
    }
    return ok ? cdefs : NULL;
}
