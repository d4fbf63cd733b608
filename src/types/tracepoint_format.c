/* Reading tracefs format files: one `field:<declaration>; offset:N; size:N;
 * signed:N;` line per field, typed from the C declaration. */
#include "types/tracepoint_format.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "types/btf.h"

/* Integer names decide over the file's size (see type_c_integer): syscall
 * formats put every argument in an 8-byte slot and even say `signed:0` for
 * `int`. */

/* Typedefs of pointers, so that they print as addresses and stay 8 bytes. */
static const char *const pointer_names[] = {
    "cap_user_header_t",
    "cap_user_data_t",
    "fl_owner_t",
};

static bool is_pointer_typedef(const char *name)
{
    for (size_t i = 0; i < sizeof(pointer_names) / sizeof(pointer_names[0]); i++)
        if (strcmp(pointer_names[i], name) == 0)
            return true;
    return false;
}

static bool is_qualifier(const char *word, size_t length)
{
    static const char *const qualifiers[] = {"const",    "volatile", "__user",   "__rcu",
                                             "__seg_gs", "__seg_fs", "__percpu", "__iomem"};
    for (size_t i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]); i++)
        if (strlen(qualifiers[i]) == length && strncmp(qualifiers[i], word, length) == 0)
            return true;
    return false;
}

/* "const char *const" → "char *": qualifiers dropped, words single-spaced,
 * stars attached as " *". */
static char *normalize_c_type(struct arena *arena, const char *c_type)
{
    struct strbuf out = {0};
    for (const char *p = c_type; *p;) {
        if (isspace((unsigned char)*p)) {
            p++;
        } else if (*p == '*') {
            strbuf_puts(&out, out.length ? " *" : "*");
            p++;
        } else {
            const char *start = p;
            while (*p && !isspace((unsigned char)*p) && *p != '*')
                p++;
            if (is_qualifier(start, (size_t)(p - start)))
                continue;
            if (out.length)
                strbuf_putc(&out, ' ');
            strbuf_append(&out, start, (size_t)(p - start));
        }
    }
    char *text = arena_strdup(arena, strbuf_text(&out));
    strbuf_free(&out);
    return text;
}

/* How C type names become language types: where pointers point, and where
 * named types (structs, unions, typedefs) come from. */
struct c_types {
    struct arena *arena;
    bool user_pointers;
    struct btf_types *btf; /* NULL: named types stay opaque (void) */
    bool kernel_btf;       /* btf is (or is loaded at the first named type as) the kernel's */
};

/* Names looked up in the kernel's BTF, shared by every format of the run:
 * `syscalls:*` names the same few dozen structs hundreds of times, and a
 * BTF miss scans all of its types. The kernel's types live as long as the
 * process; other BTF (tests) is not cached, since it may be freed. */
struct named_entry {
    const char *name;
    const struct type *type;
};
static struct vec kernel_names;

static const struct type *named_type(struct c_types *ctx, const char *name)
{
    if (!ctx->btf && ctx->kernel_btf)
        ctx->btf = btf_types_kernel();
    if (!ctx->btf)
        return NULL;
    if (!ctx->kernel_btf)
        return btf_types_find(ctx->btf, name);
    for (size_t i = 0; i < kernel_names.count; i++) {
        const struct named_entry *entry = vec_get(&kernel_names, i);
        if (strcmp(entry->name, name) == 0)
            return entry->type;
    }
    struct named_entry *entry = calloc(1, sizeof(*entry));
    char *copy = strdup(name);
    if (!entry || !copy) {
        free(entry);
        free(copy);
        return btf_types_find(ctx->btf, name);
    }
    *entry = (struct named_entry){copy, btf_types_find(ctx->btf, name)};
    vec_push(&kernel_names, entry);
    return entry->type;
}

/* A user-space struct's pointers point into the same process: the view of a
 * BTF type with every pointer, however deep, in user memory. Records are
 * copied lazily, like BTF's own, so recursive structs cost nothing until a
 * field is read. */
struct user_record {
    struct type_lazy lazy;
    struct arena *arena;
    const struct type *source;
};

static const struct type *user_view(struct arena *arena, const struct type *type);

static void complete_user_record(struct type_lazy *lazy, struct type *record)
{
    struct user_record *user = (struct user_record *)lazy;
    const struct type *source = type_complete(user->source);
    struct type_field *fields =
        arena_alloc(user->arena, sizeof(*fields) * (source->field_count + 1));
    for (unsigned i = 0; i < source->field_count; i++) {
        fields[i] = source->fields[i];
        fields[i].type = user_view(user->arena, source->fields[i].type);
    }
    record->fields = fields;
    record->field_count = source->field_count;
    record->align = source->align;
    record->size = source->size;
}

static const struct type *user_view(struct arena *arena, const struct type *type)
{
    switch (type->kind) {
    case TYPE_POINTER:
        return type_pointer(arena, user_view(arena, type->element), SPACE_USER);
    case TYPE_ARRAY: {
        const struct type *element = user_view(arena, type->element);
        return element == type->element ? type : type_array(arena, element, type->length);
    }
    case TYPE_RECORD: {
        struct type *record = ARENA_NEW(arena, struct type);
        *record = *type;
        struct user_record *user = ARENA_NEW(arena, struct user_record);
        user->lazy.complete = complete_user_record;
        user->arena = arena;
        user->source = type;
        record->lazy = &user->lazy;
        return record;
    }
    default:
        return type;
    }
}

static bool is_tagged(const char *name)
{
    return strncmp(name, "struct ", 7) == 0 || strncmp(name, "union ", 6) == 0 ||
           strncmp(name, "enum ", 5) == 0;
}

static const struct type *c_type(struct c_types *ctx, const char *text, unsigned size,
                                 bool is_signed);

/* What a pointer points to: integers keep their type, `char` becomes int8
 * (strings are read through it), named types come from BTF (so that
 * `args->rqtp->tv_sec` reads a field), anything else is opaque. */
static const struct type *pointee_type(struct c_types *ctx, const char *element)
{
    size_t length = strlen(element);
    if (length >= 2 && strcmp(element + length - 2, " *") == 0)
        return c_type(ctx, element, 8, false);
    const struct type *integer = type_c_integer(element);
    if (integer)
        return integer;
    if (strcmp(element, "void") == 0)
        return &type_void;
    const struct type *named = named_type(ctx, element);
    if (!named)
        return &type_void;
    return ctx->user_pointers ? user_view(ctx->arena, named) : named;
}

static const struct type *integer_by_size(struct arena *arena, unsigned size, bool is_signed)
{
    if (size == 1 || size == 2 || size == 4 || size == 8)
        return type_int(size, is_signed);
    /* Odd sizes (by-value structs BTF does not know) stay readable as bytes. */
    return type_array(arena, type_int(1, false), size);
}

/* A struct or union held in the record itself: its BTF layout when that
 * fits the field, else bytes. Typedefs of odd sizes are such structs too. */
static const struct type *by_value_type(struct c_types *ctx, const char *name, unsigned size,
                                        bool is_signed)
{
    bool tagged = strncmp(name, "struct ", 7) == 0 || strncmp(name, "union ", 6) == 0;
    bool odd = size != 1 && size != 2 && size != 4 && size != 8;
    if (tagged || (odd && !is_tagged(name))) {
        const struct type *named = named_type(ctx, name);
        if (named && named->kind == TYPE_RECORD && named->size == size)
            return ctx->user_pointers ? user_view(ctx->arena, named) : named;
    }
    return integer_by_size(ctx->arena, size, is_signed);
}

/* `T name[N]` (c_type "T[N]"): char arrays are strings, the rest arrays. */
static const struct type *array_type(struct c_types *ctx, const char *text, const char *bracket,
                                     unsigned size, bool is_signed)
{
    char *element =
        normalize_c_type(ctx->arena, arena_strndup(ctx->arena, text, (size_t)(bracket - text)));
    unsigned length = (unsigned)strtoul(bracket + 1, NULL, 10);
    if (strcmp(element, "char") == 0 && length > 0)
        return type_string(ctx->arena, length);
    const struct type *element_type;
    if (length > 0)
        element_type = c_type(ctx, element, size / length, is_signed);
    else
        element_type = pointee_type(ctx, element);
    if (element_type->kind == TYPE_VOID)
        element_type = type_int(1, false);
    return type_array(ctx->arena, element_type, length);
}

static const struct type *c_type(struct c_types *ctx, const char *text, unsigned size,
                                 bool is_signed)
{
    struct arena *arena = ctx->arena;
    enum address_space space = ctx->user_pointers ? SPACE_USER : SPACE_KERNEL;
    if (strncmp(text, "__data_loc ", 11) == 0) {
        /* Only char payloads have a useful language type; for other element
         * types the field is the raw (length << 16 | offset) word. */
        char *element = normalize_c_type(arena, text + 11);
        if (strcmp(element, "char[]") == 0)
            return type_string(arena, 64);
        return type_int(4, false);
    }
    const char *bracket = strchr(text, '[');
    if (bracket)
        return array_type(ctx, text, bracket, size, is_signed);

    char *name = normalize_c_type(arena, text);
    size_t length = strlen(name);
    if (length >= 1 && name[length - 1] == '*') {
        name[length >= 2 ? length - 2 : 0] = '\0';
        return type_pointer(arena, pointee_type(ctx, name), space);
    }
    if (is_pointer_typedef(name))
        return type_pointer(arena, &type_void, space);
    const struct type *integer = type_c_integer(name);
    if (integer)
        return integer;
    if (strncmp(name, "enum ", 5) == 0) {
        const struct type *named = named_type(ctx, name);
        if (named && type_is_integer(named) && named->size <= size)
            return named;
        /* C enums are int-sized; a syscall slot says 8 only because every
         * argument is widened to a register. */
        if (size > 4)
            return type_int(4, is_signed);
    }
    return by_value_type(ctx, name, size, is_signed);
}

const struct type *tracepoint_c_type(struct arena *arena, const char *c_type_text, unsigned size,
                                     bool is_signed, bool user_pointers)
{
    struct c_types ctx = {arena, user_pointers, NULL, false};
    return c_type(&ctx, c_type_text, size, is_signed);
}

const struct type *tracepoint_c_type_btf(struct arena *arena, const char *c_type_text,
                                         unsigned size, bool is_signed, bool user_pointers,
                                         struct btf_types *btf)
{
    struct c_types ctx = {arena, user_pointers, btf, false};
    return c_type(&ctx, c_type_text, size, is_signed);
}

/* Field declarations as tracefs writes them:
 *   "unsigned int fd", "const char * filename", "char comm[16]",
 *   "__data_loc char[] filename". The name is the last identifier, after
 * which only an array suffix may follow. */
static int split_declaration(struct arena *arena, const char *declaration, size_t length,
                             struct tracepoint_field *field)
{
    while (length && isspace((unsigned char)declaration[length - 1]))
        length--;
    size_t name_end = length;
    const char *suffix = "";
    if (length && declaration[length - 1] == ']') {
        while (name_end && declaration[name_end - 1] != '[')
            name_end--;
        if (name_end == 0)
            return -EINVAL;
        name_end--;
        suffix = arena_strndup(arena, declaration + name_end, length - name_end);
    }
    size_t name_start = name_end;
    while (name_start && (isalnum((unsigned char)declaration[name_start - 1]) ||
                          declaration[name_start - 1] == '_'))
        name_start--;
    if (name_start == name_end)
        return -EINVAL;
    size_t type_end = name_start;
    while (type_end && isspace((unsigned char)declaration[type_end - 1]))
        type_end--;
    if (type_end == 0)
        return -EINVAL;
    field->name = arena_strndup(arena, declaration + name_start, name_end - name_start);
    field->c_type = arena_printf(arena, "%.*s%s", (int)type_end, declaration, suffix);
    field->is_data_loc = strncmp(declaration, "__data_loc ", 11) == 0;
    return 0;
}

/* Reads `key:N;` from a field line; false when it is absent or malformed. */
static bool read_attribute(const char *line, const char *key, unsigned *value)
{
    const char *found = strstr(line, key);
    if (!found)
        return false;
    char *end = NULL;
    unsigned long number = strtoul(found + strlen(key), &end, 10);
    if (end == found + strlen(key) || *end != ';')
        return false;
    *value = (unsigned)number;
    return true;
}

/* One `field:` line (without the leading "field:"). */
static int parse_field_line(struct c_types *ctx, const char *line, struct tracepoint_field *field)
{
    const char *semicolon = strchr(line, ';');
    unsigned is_signed = 0;
    if (!semicolon || split_declaration(ctx->arena, line, (size_t)(semicolon - line), field) != 0)
        return -EINVAL;
    if (!read_attribute(semicolon, "offset:", &field->offset) ||
        !read_attribute(semicolon, "size:", &field->size) ||
        !read_attribute(semicolon, "signed:", &is_signed))
        return -EINVAL;
    field->is_signed = is_signed != 0;
    field->type = c_type(ctx, field->c_type, field->size, field->is_signed);
    return 0;
}

static unsigned align_up(unsigned value, unsigned align)
{
    return align > 1 ? (value + align - 1) / align * align : value;
}

/* The record `args` is as a value ($a = args, print(args)): each field at
 * its tracefs offset, unless its language type is larger than its slot
 * (a __data_loc string is 4 bytes in the record, 64 as a value); the
 * fields after such a one move down. */
static const struct type *build_args_type(struct arena *arena, struct tracepoint_format *format)
{
    struct type_field *members =
        arena_alloc(arena, sizeof(*members) * (format->field_count ? format->field_count : 1));
    unsigned end = 0, align = 1;
    for (unsigned i = 0; i < format->field_count; i++) {
        const struct tracepoint_field *field = &format->fields[i];
        const struct type *type = field->type;
        unsigned offset = field->offset;
        if (offset < end || (type->align > 1 && offset % type->align != 0))
            offset = align_up(end, type->align);
        members[i] = (struct type_field){field->name, type, offset};
        unsigned slot_end = offset + (type->size > field->size ? type->size : field->size);
        if (slot_end > end)
            end = slot_end;
        if (type->align > align)
            align = type->align;
    }
    const char *name = arena_printf(arena, "%s_%s", format->category, format->event);
    return type_record(arena, name, members, format->field_count, align_up(end, align));
}

static const struct tracepoint_format *parse_format(struct c_types *ctx, const char *category,
                                                    const char *event, const char *text,
                                                    const char **error)
{
    struct arena *arena = ctx->arena;
    struct vec fields = {0};
    bool saw_format = false;
    unsigned line_number = 0;
    *error = NULL;
    for (const char *line = text, *next; line && *line; line = next) {
        const char *newline = strchr(line, '\n');
        int line_length = newline ? (int)(newline - line) : (int)strlen(line);
        next = newline ? newline + 1 : NULL;
        line_number++;
        while (*line == ' ' || *line == '\t')
            line++, line_length--;
        if (strncmp(line, "format:", 7) == 0)
            saw_format = true;
        if (strncmp(line, "field:", 6) != 0)
            continue;
        /* A copy, so that a field missing an attribute cannot read the next line's. */
        const char *body = arena_strndup(arena, line + 6, (size_t)line_length - 6);
        struct tracepoint_field *field = ARENA_NEW(arena, struct tracepoint_field);
        if (parse_field_line(ctx, body, field) != 0) {
            *error = arena_printf(arena, "line %u: cannot read the field '%.*s'", line_number,
                                  line_length, line);
            vec_free(&fields);
            return NULL;
        }
        if (strncmp(field->name, "common_", 7) != 0)
            vec_push(&fields, field);
    }
    if (!saw_format) {
        *error = arena_strdup(arena, "no 'format:' section");
        vec_free(&fields);
        return NULL;
    }
    struct tracepoint_format *format = ARENA_NEW(arena, struct tracepoint_format);
    format->category = arena_strdup(arena, category);
    format->event = arena_strdup(arena, event);
    struct tracepoint_field *array =
        arena_alloc(arena, sizeof(*array) * (fields.count ? fields.count : 1));
    for (size_t i = 0; i < fields.count; i++)
        array[i] = *(struct tracepoint_field *)vec_get(&fields, i);
    format->fields = array;
    format->field_count = (unsigned)fields.count;
    format->args_type = build_args_type(arena, format);
    vec_free(&fields);
    return format;
}

const struct tracepoint_format *tracepoint_format_parse(struct arena *arena, const char *category,
                                                        const char *event, const char *text,
                                                        bool user_pointers, const char **error)
{
    struct c_types ctx = {arena, user_pointers, NULL, false};
    return parse_format(&ctx, category, event, text, error);
}

const struct tracepoint_format *tracepoint_format_parse_btf(struct arena *arena,
                                                            const char *category, const char *event,
                                                            const char *text, bool user_pointers,
                                                            struct btf_types *btf,
                                                            const char **error)
{
    struct c_types ctx = {arena, user_pointers, btf, false};
    return parse_format(&ctx, category, event, text, error);
}

static char *read_whole_file(const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    struct strbuf text = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0)
        strbuf_append(&text, chunk, got);
    int saved_errno = ferror(file) ? EIO : 0;
    fclose(file);
    if (saved_errno) {
        strbuf_free(&text);
        errno = saved_errno;
        return NULL;
    }
    return text.data ? text.data : strdup("");
}

const struct tracepoint_format *tracepoint_format_read(struct arena *arena, const char *tracefs,
                                                       const char *category, const char *event,
                                                       bool named_types, const char **error)
{
    *error = NULL;
    char *path = arena_printf(arena, "%s/events/%s/%s/format", tracefs, category, event);
    char *text = read_whole_file(path);
    if (!text)
        return NULL;
    /* Syscall arguments are the caller's registers: pointers into user memory. */
    bool user_pointers = strcmp(category, "syscalls") == 0;
    /* Named types come from the kernel's BTF, loaded only if a field has one. */
    struct c_types ctx = {arena, user_pointers, NULL, named_types};
    const struct tracepoint_format *format = parse_format(&ctx, category, event, text, error);
    free(text);
    if (!format)
        errno = EINVAL;
    return format;
}
