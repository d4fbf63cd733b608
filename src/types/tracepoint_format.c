/* Reading tracefs format files: one `field:<declaration>; offset:N; size:N;
 * signed:N;` line per field, typed from the C declaration. */
#include "types/tracepoint_format.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"

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

/* What a pointer points to: integers keep their type, `char` becomes int8
 * (strings are read through it), anything else (void, structs) is opaque. */
static const struct type *pointee_type(struct arena *arena, const char *element, bool user_pointers)
{
    size_t length = strlen(element);
    if (length >= 2 && strcmp(element + length - 2, " *") == 0)
        return tracepoint_c_type(arena, element, 8, false, user_pointers);
    const struct type *integer = type_c_integer(element);
    return integer ? integer : &type_void;
}

static const struct type *integer_by_size(struct arena *arena, unsigned size, bool is_signed)
{
    if (size == 1 || size == 2 || size == 4 || size == 8)
        return type_int(size, is_signed);
    /* Odd sizes (by-value structs) stay readable as bytes. */
    return type_array(arena, type_int(1, false), size);
}

/* `T name[N]` (c_type "T[N]"): char arrays are strings, the rest arrays. */
static const struct type *array_type(struct arena *arena, const char *c_type, const char *bracket,
                                     unsigned size, bool is_signed, bool user_pointers)
{
    char *element =
        normalize_c_type(arena, arena_strndup(arena, c_type, (size_t)(bracket - c_type)));
    unsigned length = (unsigned)strtoul(bracket + 1, NULL, 10);
    if (strcmp(element, "char") == 0 && length > 0)
        return type_string(arena, length);
    const struct type *element_type;
    if (length > 0)
        element_type = tracepoint_c_type(arena, element, size / length, is_signed, user_pointers);
    else
        element_type = pointee_type(arena, element, user_pointers);
    if (element_type->kind == TYPE_VOID)
        element_type = type_int(1, false);
    return type_array(arena, element_type, length);
}

const struct type *tracepoint_c_type(struct arena *arena, const char *c_type, unsigned size,
                                     bool is_signed, bool user_pointers)
{
    enum address_space space = user_pointers ? SPACE_USER : SPACE_KERNEL;
    if (strncmp(c_type, "__data_loc ", 11) == 0) {
        /* Only char payloads have a useful language type; for other element
         * types the field is the raw (length << 16 | offset) word. */
        char *element = normalize_c_type(arena, c_type + 11);
        if (strcmp(element, "char[]") == 0)
            return type_string(arena, 64);
        return type_int(4, false);
    }
    const char *bracket = strchr(c_type, '[');
    if (bracket)
        return array_type(arena, c_type, bracket, size, is_signed, user_pointers);

    char *name = normalize_c_type(arena, c_type);
    size_t length = strlen(name);
    if (length >= 1 && name[length - 1] == '*') {
        name[length >= 2 ? length - 2 : 0] = '\0';
        return type_pointer(arena, pointee_type(arena, name, user_pointers), space);
    }
    if (is_pointer_typedef(name))
        return type_pointer(arena, &type_void, space);
    const struct type *integer = type_c_integer(name);
    if (integer)
        return integer;
    /* C enums are int-sized; a syscall slot says 8 only because every
     * argument is widened to a register. */
    if (strncmp(name, "enum ", 5) == 0 && size > 4)
        return type_int(4, is_signed);
    return integer_by_size(arena, size, is_signed);
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
static int parse_field_line(struct arena *arena, const char *line, bool user_pointers,
                            struct tracepoint_field *field)
{
    const char *semicolon = strchr(line, ';');
    unsigned is_signed = 0;
    if (!semicolon || split_declaration(arena, line, (size_t)(semicolon - line), field) != 0)
        return -EINVAL;
    if (!read_attribute(semicolon, "offset:", &field->offset) ||
        !read_attribute(semicolon, "size:", &field->size) ||
        !read_attribute(semicolon, "signed:", &is_signed))
        return -EINVAL;
    field->is_signed = is_signed != 0;
    field->type =
        tracepoint_c_type(arena, field->c_type, field->size, field->is_signed, user_pointers);
    return 0;
}

static const struct type *build_args_type(struct arena *arena, struct tracepoint_format *format)
{
    struct type_field *members =
        arena_alloc(arena, sizeof(*members) * (format->field_count ? format->field_count : 1));
    unsigned end = 0;
    for (unsigned i = 0; i < format->field_count; i++) {
        const struct tracepoint_field *field = &format->fields[i];
        members[i] = (struct type_field){field->name, field->type, field->offset};
        if (field->offset + field->size > end)
            end = field->offset + field->size;
    }
    const char *name = arena_printf(arena, "%s_%s", format->category, format->event);
    return type_record(arena, name, members, format->field_count, end);
}

const struct tracepoint_format *tracepoint_format_parse(struct arena *arena, const char *category,
                                                        const char *event, const char *text,
                                                        bool user_pointers, const char **error)
{
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
        if (parse_field_line(arena, body, user_pointers, field) != 0) {
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
                                                       const char **error)
{
    *error = NULL;
    char *path = arena_printf(arena, "%s/events/%s/%s/format", tracefs, category, event);
    char *text = read_whole_file(path);
    if (!text)
        return NULL;
    /* Syscall arguments are the caller's registers: pointers into user memory. */
    bool user_pointers = strcmp(category, "syscalls") == 0;
    const struct tracepoint_format *format =
        tracepoint_format_parse(arena, category, event, text, user_pointers, error);
    free(text);
    if (!format)
        errno = EINVAL;
    return format;
}
