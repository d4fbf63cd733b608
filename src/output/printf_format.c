/* printf_format: parse C-style format strings once, check argument types, and
 * render events in user space.
 *
 * Rendering follows C's printf. bpftrace 0.17 called snprintf; current
 * bpftrace formats through iostreams and differs in corners (precision is
 * ignored except for floats, so "%.2s" prints the whole string; the ' ' flag
 * is ignored; "%05d" of -5 gives "000-5"). Upstream fixes such deviations as
 * bugs (the lost zero padding, bpftrace#4501), so C is the target.
 * Integer arguments arrive as raw bytes of their own type; they are widened
 * first and then converted exactly as C converts an int, short, char or long
 * long for the conversion's length modifier. */
#include "output/printf_format.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "output/resolved.h"

/* Widths beyond this are certainly mistakes and would make one event huge. */
#define MAX_FIELD_WIDTH 65536

struct parser {
    struct arena *arena;
    const char *text;
    size_t length;
    size_t pos;
    const char *error;
    unsigned error_offset;
};

static bool fail(struct parser *parser, size_t offset, const char *message)
{
    parser->error = message;
    parser->error_offset = (unsigned)offset;
    return false;
}

static void add_flag(struct format_piece *piece, char flag)
{
    size_t count = strlen(piece->flags);
    if (!strchr(piece->flags, flag) && count + 1 < sizeof(piece->flags))
        piece->flags[count] = flag;
}

/* Digits for a width or precision; '*' (taken from an argument) is not
 * supported. *value stays -1 when there are no digits. */
static bool parse_number(struct parser *parser, size_t start, int *value)
{
    *value = -1;
    if (parser->pos < parser->length && parser->text[parser->pos] == '*')
        return fail(parser, start,
                    arena_strdup(parser->arena,
                                 "'*' width or precision is not supported in format strings"));
    while (parser->pos < parser->length && parser->text[parser->pos] >= '0' &&
           parser->text[parser->pos] <= '9') {
        *value = (*value < 0 ? 0 : *value * 10) + (parser->text[parser->pos++] - '0');
        if (*value > MAX_FIELD_WIDTH)
            return fail(parser, start,
                        arena_printf(parser->arena,
                                     "width or precision larger than %d in format specifier",
                                     MAX_FIELD_WIDTH));
    }
    return true;
}

static enum format_length parse_length(struct parser *parser)
{
    /* Two-letter modifiers first, so "hh" is not read as "h". */
    static const struct {
        const char *text;
        enum format_length length;
    } modifiers[] = {{"hh", LENGTH_HH}, {"ll", LENGTH_LL}, {"h", LENGTH_H},
                     {"l", LENGTH_L},   {"j", LENGTH_J},   {"z", LENGTH_Z}};
    for (size_t i = 0; i < sizeof(modifiers) / sizeof(modifiers[0]); i++) {
        size_t n = strlen(modifiers[i].text);
        if (parser->length - parser->pos >= n &&
            memcmp(parser->text + parser->pos, modifiers[i].text, n) == 0) {
            parser->pos += n;
            return modifiers[i].length;
        }
    }
    return LENGTH_NONE;
}

static enum format_conversion conversion_for(char c)
{
    switch (c) {
    case 'd':
    case 'i':
        return CONVERSION_SIGNED;
    case 'u':
        return CONVERSION_UNSIGNED;
    case 'x':
        return CONVERSION_HEX;
    case 'X':
        return CONVERSION_HEX_UPPER;
    case 'o':
        return CONVERSION_OCTAL;
    case 's':
        return CONVERSION_STRING;
    case 'c':
        return CONVERSION_CHAR;
    case 'p':
        return CONVERSION_POINTER;
    default:
        return CONVERSION_NONE;
    }
}

/* bpftrace's %r, %rx and %rh print buffers; the letter after 'r' is part of
 * the specifier. */
static enum format_conversion buffer_conversion(struct parser *parser, int *spec_length)
{
    char next = parser->pos < parser->length ? parser->text[parser->pos] : '\0';
    if (next != 'x' && next != 'h')
        return CONVERSION_BUFFER;
    parser->pos++;
    ++*spec_length;
    return next == 'x' ? CONVERSION_BUFFER_HEX : CONVERSION_BUFFER_SPACED;
}

/* Parse one specifier; parser->pos is just past the '%'. */
static bool parse_spec(struct parser *parser, struct format_piece *piece)
{
    size_t start = piece->offset;
    while (parser->pos < parser->length && strchr("-+ #0", parser->text[parser->pos]) &&
           parser->text[parser->pos] != '\0')
        add_flag(piece, parser->text[parser->pos++]);
    if (!parse_number(parser, start, &piece->width))
        return false;
    if (parser->pos < parser->length && parser->text[parser->pos] == '.') {
        parser->pos++;
        if (!parse_number(parser, start, &piece->precision))
            return false;
        if (piece->precision < 0)
            piece->precision = 0; /* C reads a lone '.' as precision 0 */
    }
    piece->length = parse_length(parser);
    if (parser->pos >= parser->length)
        return fail(parser, start,
                    arena_printf(parser->arena, "incomplete format specifier '%.*s'",
                                 (int)(parser->length - start), parser->text + start));
    char c = parser->text[parser->pos++];
    int spec_length = (int)(parser->pos - start);
    if (c == 'n')
        return fail(parser, start,
                    arena_printf(parser->arena, "format specifier '%.*s' is not supported",
                                 spec_length, parser->text + start));
    piece->conversion = conversion_for(c);
    if (c == 'r')
        piece->conversion = buffer_conversion(parser, &spec_length);
    if (piece->conversion == CONVERSION_NONE)
        return fail(parser, start,
                    arena_printf(parser->arena, "unknown format specifier '%.*s'", spec_length,
                                 parser->text + start));
    return true;
}

static unsigned count_percent_signs(const char *text, size_t length)
{
    unsigned count = 0;
    for (size_t i = 0; i < length; i++)
        count += text[i] == '%';
    return count;
}

static void finish_literal(struct parser *parser, struct format_piece *piece,
                           struct strbuf *literal)
{
    piece->literal = arena_strndup(parser->arena, strbuf_text(literal), literal->length);
    piece->literal_length = literal->length;
    strbuf_reset(literal);
}

const struct printf_format *printf_format_parse(struct arena *arena, const char *text,
                                                size_t length, const char **error,
                                                unsigned *error_offset)
{
    struct parser parser = {.arena = arena, .text = text, .length = length};
    unsigned capacity = count_percent_signs(text, length) + 1;
    struct format_piece *pieces = arena_alloc(arena, sizeof(*pieces) * capacity);
    struct printf_format *format = ARENA_NEW(arena, struct printf_format);
    struct strbuf literal = {0};
    struct format_piece *piece = &pieces[0];
    piece->width = piece->precision = -1;

    while (parser.pos < length) {
        char c = text[parser.pos];
        if (c != '%') {
            strbuf_putc(&literal, c);
            parser.pos++;
            continue;
        }
        if (parser.pos + 1 < length && text[parser.pos + 1] == '%') {
            strbuf_putc(&literal, '%');
            parser.pos += 2;
            continue;
        }
        piece->offset = (unsigned)parser.pos++;
        if (!parse_spec(&parser, piece)) {
            strbuf_free(&literal);
            *error = parser.error;
            *error_offset = parser.error_offset;
            return NULL;
        }
        finish_literal(&parser, piece, &literal);
        format->conversion_count++;
        piece = &pieces[++format->piece_count];
        piece->width = piece->precision = -1;
    }
    if (literal.length > 0) {
        piece->offset = (unsigned)length;
        finish_literal(&parser, piece, &literal);
        format->piece_count++;
    }
    strbuf_free(&literal);
    format->pieces = pieces;
    return format;
}

/* ---- checking ---- */

static const struct format_piece *nth_conversion(const struct printf_format *format, unsigned index)
{
    for (unsigned i = 0; i < format->piece_count; i++) {
        if (format->pieces[i].conversion == CONVERSION_NONE)
            continue;
        if (index-- == 0)
            return &format->pieces[i];
    }
    return NULL;
}

static const char *const length_text[] = {"", "hh", "h", "l", "ll", "j", "z"};

/* The specifier as the user wrote it (modulo flag order), for messages. */
static void describe_spec(const struct format_piece *piece, struct strbuf *out)
{
    static const char conversion_chars[] = " duxXoscp";
    strbuf_printf(out, "%%%s", piece->flags);
    if (piece->width >= 0)
        strbuf_printf(out, "%d", piece->width);
    if (piece->precision >= 0)
        strbuf_printf(out, ".%d", piece->precision);
    if (piece->conversion >= CONVERSION_BUFFER)
        strbuf_puts(out, piece->conversion == CONVERSION_BUFFER       ? "r"
                         : piece->conversion == CONVERSION_BUFFER_HEX ? "rx"
                                                                      : "rh");
    else
        strbuf_printf(out, "%s%c", length_text[piece->length],
                      conversion_chars[piece->conversion]);
}

static bool is_integer_like(const struct type *type)
{
    switch (type->kind) {
    case TYPE_INT:
    case TYPE_BOOL:
    case TYPE_POINTER:
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_MIN:
    case TYPE_MAX:
        return true;
    default:
        return false;
    }
}

/* Current bpftrace prints any value with %s, in its text form. */
static bool is_printable(const struct type *type)
{
    return type->kind != TYPE_VOID && type->kind != TYPE_HIST && type->kind != TYPE_LHIST;
}

const char *printf_format_check(struct arena *arena, const struct printf_format *format,
                                unsigned index, const struct type *type)
{
    const struct format_piece *piece = nth_conversion(format, index);
    if (!piece)
        return arena_printf(arena, "the format string has only %u conversion%s",
                            format->conversion_count, format->conversion_count == 1 ? "" : "s");
    bool buffer = piece->conversion >= CONVERSION_BUFFER;
    bool fits = buffer ? type->kind == TYPE_BUFFER
                : piece->conversion == CONVERSION_STRING ? is_printable(type)
                                                         : is_integer_like(type);
    if (fits)
        return NULL;
    struct strbuf message = {0};
    describe_spec(piece, &message);
    strbuf_puts(&message, buffer                                    ? " expects a buffer (from buf())"
                          : piece->conversion == CONVERSION_STRING ? " expects a printable value"
                                                                    : " expects an integer");
    strbuf_puts(&message, ", got ");
    type_describe(type, &message);
    const char *result = arena_strdup(arena, strbuf_text(&message));
    strbuf_free(&message);
    return result;
}

/* ---- rendering ---- */

/* Like strbuf_printf, but keeps bytes after an embedded NUL (from "%c" of 0). */
static void append_format(struct strbuf *out, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void append_format(struct strbuf *out, const char *format, ...)
{
    char small[128];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(small, sizeof(small), format, args);
    va_end(args);
    if (length < 0)
        return;
    if ((size_t)length < sizeof(small)) {
        strbuf_append(out, small, (size_t)length);
        return;
    }
    char *big = malloc((size_t)length + 1);
    if (!big)
        return;
    va_start(args, format);
    vsnprintf(big, (size_t)length + 1, format, args);
    va_end(args);
    strbuf_append(out, big, (size_t)length);
    free(big);
}

/* The value widened to 64 bits: sign-extended when its type is signed. */
static uint64_t widen_integer(const struct type *type, const void *bytes)
{
    unsigned size = type->kind == TYPE_BOOL ? 1 : type->size;
    bool is_signed = type->kind != TYPE_BOOL && type->kind != TYPE_POINTER && type->is_signed;
    if (size == 1) {
        uint8_t v;
        memcpy(&v, bytes, 1);
        return is_signed ? (uint64_t)(int64_t)(int8_t)v : v;
    }
    if (size == 2) {
        uint16_t v;
        memcpy(&v, bytes, 2);
        return is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
    }
    if (size == 4) {
        uint32_t v;
        memcpy(&v, bytes, 4);
        return is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    uint64_t v = 0;
    memcpy(&v, bytes, size < 8 ? size : 8);
    return v;
}

/* "%" + the allowed flags + width (+ precision), the part every conversion
 * shares. Flags C leaves undefined for a conversion are dropped. */
static void spec_prefix(const struct format_piece *piece, const char *allowed_flags,
                        bool with_precision, char *buf, size_t size)
{
    size_t n = 0;
    buf[n++] = '%';
    for (const char *flag = piece->flags; *flag; flag++)
        if (strchr(allowed_flags, *flag))
            buf[n++] = *flag;
    buf[n] = '\0';
    if (piece->width >= 0)
        n += (size_t)snprintf(buf + n, size - n, "%d", piece->width);
    if (piece->precision >= 0 && with_precision)
        snprintf(buf + n, size - n, ".%d", piece->precision);
}

static void render_integer(const struct format_piece *piece, uint64_t value, struct strbuf *out)
{
    static const char conversion_chars[] = " duxXo";
    char spec[48];
    spec_prefix(piece, "-+ #0", true, spec, sizeof(spec) - 4);
    size_t n = strlen(spec);
    bool is_signed = piece->conversion == CONVERSION_SIGNED;
    char conversion = conversion_chars[piece->conversion];
    switch (piece->length) {
    case LENGTH_L:
    case LENGTH_LL:
    case LENGTH_J:
    case LENGTH_Z:
        snprintf(spec + n, sizeof(spec) - n, "ll%c", conversion);
        if (is_signed)
            append_format(out, spec, (long long)value);
        else
            append_format(out, spec, (unsigned long long)value);
        return;
    default:
        /* Plain, h and hh: C passes an int and the conversion narrows it. */
        snprintf(spec + n, sizeof(spec) - n, "%s%c", length_text[piece->length], conversion);
        if (is_signed)
            append_format(out, spec, (int)(uint32_t)value);
        else
            append_format(out, spec, (unsigned int)(uint32_t)value);
        return;
    }
}

static void render_char(const struct format_piece *piece, uint64_t value, struct strbuf *out)
{
    char spec[32];
    spec_prefix(piece, "-", false, spec, sizeof(spec) - 2);
    strcat(spec, "c");
    append_format(out, spec, (int)(unsigned char)value);
}

/* Current bpftrace prints pointers through iostreams: "0x1000", and "0" for
 * null (glibc's printf, which bpftrace 0.17 used, says "(nil)"). */
static void render_pointer(const struct format_piece *piece, uint64_t value, struct strbuf *out)
{
    char text[24];
    if (value)
        snprintf(text, sizeof(text), "0x%" PRIx64, value);
    else
        strcpy(text, "0");
    char spec[32];
    spec_prefix(piece, "-", false, spec, sizeof(spec) - 2);
    strcat(spec, "s");
    append_format(out, spec, text);
}

static void render_string(const struct format_piece *piece, const struct type *type,
                          const void *bytes, const struct output_names *names, struct strbuf *out)
{
    struct strbuf text = {0};
    /* An enum shows its enumerator's name (bpftrace 0.22), as values do. */
    if (output_is_resolved(type))
        output_format_resolved(type, bytes, 8, &text); /* stacks: printf indents by 8 */
    else
        output_format_value(type, bytes, names, &text);
    char spec[48];
    spec_prefix(piece, "-", true, spec, sizeof(spec) - 2);
    strcat(spec, "s");
    append_format(out, spec, strbuf_text(&text));
    strbuf_free(&text);
}

static void render_buffer(const struct format_piece *piece, const struct type *type,
                          const void *bytes, struct strbuf *out)
{
    static const enum output_buffer_style styles[] = {
        [CONVERSION_BUFFER] = OUTPUT_BUFFER_ESCAPED,
        [CONVERSION_BUFFER_HEX] = OUTPUT_BUFFER_HEX,
        [CONVERSION_BUFFER_SPACED] = OUTPUT_BUFFER_SPACED,
    };
    struct strbuf text = {0};
    output_format_buffer(type, bytes, styles[piece->conversion], &text);
    char spec[48];
    spec_prefix(piece, "-", false, spec, sizeof(spec) - 2);
    strcat(spec, "s");
    append_format(out, spec, strbuf_text(&text));
    strbuf_free(&text);
}

static void render_one(const struct format_piece *piece, const struct type *type, const void *bytes,
                       const struct output_names *names, struct strbuf *out)
{
    if (piece->conversion == CONVERSION_STRING) {
        render_string(piece, type, bytes, names, out);
        return;
    }
    if (piece->conversion >= CONVERSION_BUFFER) {
        render_buffer(piece, type, bytes, out);
        return;
    }
    /* The checker only lets integer-like values reach here. */
    uint64_t value = widen_integer(type, bytes);
    if (piece->conversion == CONVERSION_CHAR)
        render_char(piece, value, out);
    else if (piece->conversion == CONVERSION_POINTER)
        render_pointer(piece, value, out);
    else
        render_integer(piece, value, out);
}

void printf_format_render(const struct printf_format *format, const struct type *const *types,
                          const void *const *values, const struct output_names *names,
                          struct strbuf *out)
{
    unsigned argument = 0;
    for (unsigned i = 0; i < format->piece_count; i++) {
        const struct format_piece *piece = &format->pieces[i];
        strbuf_append(out, piece->literal ? piece->literal : "", piece->literal_length);
        if (piece->conversion == CONVERSION_NONE)
            continue;
        render_one(piece, types[argument], values[argument], names, out);
        argument++;
    }
}
