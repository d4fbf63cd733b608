/* json: bpftrace's `-f json`. Every message is one JSON object on its own
 * line, `{"type": T, "data": D}`, with bpftrace's spacing (objects ", " and
 * ": ", arrays ","), so jq pipelines and line-based parsers written for
 * bpftrace keep working. Unlike bpftrace, strings that are not UTF-8 are
 * escaped byte by byte, so every line parses. */
#include "output/output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings and numbers ---- */

/* Length of the valid UTF-8 sequence at `text`, or 0 if there is none. */
static size_t utf8_sequence(const unsigned char *text, size_t available)
{
    unsigned char lead = text[0];
    size_t length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (lead >= 0xf8 || length == 0 || length > available)
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((text[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong three-byte forms and UTF-16 surrogates are not UTF-8. */
    if (length == 3 && ((lead == 0xe0 && text[1] < 0xa0) || (lead == 0xed && text[1] >= 0xa0)))
        return 0;
    if (length == 4 && ((lead == 0xf0 && text[1] < 0x90) || (lead == 0xf4 && text[1] >= 0x90)))
        return 0;
    return length;
}

void output_json_string(const char *text, size_t length, struct strbuf *out)
{
    const unsigned char *bytes = (const unsigned char *)text;
    strbuf_putc(out, '"');
    for (size_t i = 0; i < length; i++) {
        unsigned char c = bytes[i];
        switch (c) {
        case '"':
            strbuf_puts(out, "\\\"");
            continue;
        case '\\':
            strbuf_puts(out, "\\\\");
            continue;
        case '\n':
            strbuf_puts(out, "\\n");
            continue;
        case '\r':
            strbuf_puts(out, "\\r");
            continue;
        case '\t':
            strbuf_puts(out, "\\t");
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            strbuf_printf(out, "\\u%04x", c);
        } else if (c < 0x80) {
            strbuf_putc(out, (char)c);
        } else {
            size_t sequence = utf8_sequence(bytes + i, length - i);
            if (sequence == 0) {
                strbuf_printf(out, "\\u%04x", c);
            } else {
                strbuf_append(out, text + i, sequence);
                i += sequence - 1;
            }
        }
    }
    strbuf_putc(out, '"');
}

/* RFC 8259 numbers are doubles in practice: like bpftrace, an integer a
 * double cannot hold exactly is written as a string. */
static void append_unsigned(uint64_t value, struct strbuf *out)
{
    double d = (double)value;
    bool exact = d < 18446744073709551616.0 && (uint64_t)d == value;
    strbuf_printf(out, exact ? "%" PRIu64 : "\"%" PRIu64 "\"", value);
}

static void append_signed(int64_t value, struct strbuf *out)
{
    double d = (double)value;
    bool exact = d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (int64_t)d == value;
    strbuf_printf(out, exact ? "%" PRId64 : "\"%" PRId64 "\"", value);
}

static void append_integer(uint64_t value, bool is_signed, struct strbuf *out)
{
    if (is_signed)
        append_signed((int64_t)value, out);
    else
        append_unsigned(value, out);
}

/* ---- values ---- */

static void append_text_of(const struct type *type, const void *bytes,
                           const struct output_names *names, struct strbuf *out)
{
    struct strbuf text = {0};
    output_format_value(type, bytes, names, &text);
    output_json_string(strbuf_text(&text), text.length, out);
    strbuf_free(&text);
}

static void append_list(const struct type *type, const char *bytes,
                        const struct output_names *names, struct strbuf *out)
{
    bool array = type->kind == TYPE_ARRAY;
    unsigned count = array ? type->length : type->field_count;
    strbuf_putc(out, '[');
    for (unsigned i = 0; i < count; i++) {
        if (i)
            strbuf_putc(out, ',');
        const struct type *element = array ? type->element : type->fields[i].type;
        size_t offset = array ? (size_t)i * type->element->size : type->fields[i].offset;
        output_json_value(element, bytes + offset, 0, names, out);
    }
    strbuf_putc(out, ']');
}

static void append_record(const struct type *type, const char *bytes,
                          const struct output_names *names, struct strbuf *out)
{
    strbuf_putc(out, '{');
    for (unsigned i = 0; i < type->field_count; i++) {
        const struct type_field *field = &type->fields[i];
        if (i)
            strbuf_puts(out, ", ");
        const char *name = field->name ? field->name : "";
        output_json_string(name, strlen(name), out);
        strbuf_puts(out, ": ");
        unsigned char bits[8];
        output_json_value(field->type, type_field_value(field, bytes, bits), 0, names, out);
    }
    strbuf_putc(out, '}');
}

static void append_stats(const struct type *type, const void *bytes, uint64_t div,
                         struct strbuf *out)
{
    uint64_t average = output_average(bytes, type->is_signed);
    if (div > 1)
        average = type->is_signed ? (uint64_t)((int64_t)average / (int64_t)div) : average / div;
    strbuf_puts(out, "{\"count\": ");
    append_integer(output_read_word(bytes, 0), type->is_signed, out);
    strbuf_puts(out, ", \"average\": ");
    append_integer(average, type->is_signed, out);
    strbuf_puts(out, ", \"total\": ");
    append_integer(output_read_word(bytes, 1), type->is_signed, out);
    strbuf_putc(out, '}');
}

void output_json_value(const struct type *type, const void *bytes, uint64_t div,
                       const struct output_names *names, struct strbuf *out)
{
    uint64_t integer;
    if (output_scaled_integer(type, bytes, div, &integer)) {
        append_integer(integer, type->is_signed, out);
        return;
    }
    switch (type->kind) {
    case TYPE_VOID:
        strbuf_puts(out, "null");
        break;
    case TYPE_BOOL:
        strbuf_puts(out, *(const unsigned char *)bytes ? "true" : "false");
        break;
    case TYPE_POINTER:
        append_unsigned(output_read_word(bytes, 0), out);
        break;
    case TYPE_ARRAY:
    case TYPE_TUPLE:
        append_list(type, bytes, names, out);
        break;
    case TYPE_RECORD:
        append_record(type, bytes, names, out);
        break;
    case TYPE_STATS:
        append_stats(type, bytes, div, out);
        break;
    default:
        /* Strings, probe names, anything else: its text. */
        append_text_of(type, bytes, names, out);
        break;
    }
}

/* ---- histograms ---- */

/* A hist label above 2^63 only fits unsigned; lhist labels are signed. */
static void append_bound(const struct output_map *map, const struct output_hist_bound *bound,
                         struct strbuf *out)
{
    if (!map->hist->linear && !bound->plain)
        append_unsigned((uint64_t)bound->value, out);
    else
        append_signed(bound->value, out);
}

/* Closed intervals, as bpftrace writes them: "max" is one below the label. */
static void append_histogram(const struct output_map *map, const void *value, struct strbuf *out)
{
    unsigned bucket_count = map->hist->bucket_count;
    uint64_t *buckets = malloc(bucket_count * sizeof(*buckets));
    struct output_hist_row *rows = malloc(bucket_count * sizeof(*rows));
    strbuf_putc(out, '[');
    if (buckets && rows) {
        memcpy(buckets, value, bucket_count * sizeof(*buckets));
        size_t row_count = output_hist_rows(map->hist, buckets, map->div, rows);
        for (size_t i = 0; i < row_count; i++) {
            const struct output_hist_row *row = &rows[i];
            strbuf_puts(out, i ? ",{" : "{");
            if (row->lower.present) {
                strbuf_puts(out, "\"min\": ");
                append_bound(map, &row->lower, out);
                strbuf_puts(out, ", ");
            }
            if (row->upper.present) {
                strbuf_puts(out, "\"max\": ");
                append_signed(row->upper.value - 1, out);
                strbuf_puts(out, ", ");
            }
            strbuf_printf(out, "\"count\": %" PRIu64 "}", row->count);
        }
    }
    strbuf_putc(out, ']');
    free(buckets);
    free(rows);
}

static void append_map_value(struct output *output, const struct output_map *map, const void *value,
                             struct strbuf *out)
{
    if ((map->value->kind == TYPE_HIST || map->value->kind == TYPE_LHIST) && map->hist)
        append_histogram(map, value, out);
    else
        output_json_value(map->value, value, map->div, &output->names, out);
}

/* Keys are strings: the text form, a tuple's parentheses dropped, and (as
 * bpftrace does) every space removed, so `@[1, "a b"]` reads "1,ab". Being
 * the text form, an enum key is its enumerator's name, as in bpftrace,
 * while enum values stay numbers. */
static void append_key(struct output *output, const struct output_map *map, const void *key,
                       struct strbuf *out)
{
    struct strbuf text = {0}, squeezed = {0};
    output_format_value(map->key, key, &output->names, &text);
    const char *start = strbuf_text(&text);
    size_t length = text.length;
    if (length >= 2 && start[0] == '(' && start[length - 1] == ')') {
        start++;
        length -= 2;
    }
    for (size_t i = 0; i < length; i++)
        if (start[i] != ' ')
            strbuf_putc(&squeezed, start[i]);
    output_json_string(strbuf_text(&squeezed), squeezed.length, out);
    strbuf_free(&text);
    strbuf_free(&squeezed);
}

static const char *map_message_type(const struct type *value)
{
    switch (value->kind) {
    case TYPE_AVG:
    case TYPE_STATS:
        return "stats";
    case TYPE_HIST:
    case TYPE_LHIST:
        return "hist";
    default:
        return "map";
    }
}

static void write_line(struct output *output, struct strbuf *line)
{
    strbuf_putc(line, '\n');
    fwrite(strbuf_text(line), 1, line->length, output->out);
}

static void json_map(struct output *output, const struct output_map *map,
                     struct output_map_entry *entries, size_t count)
{
    if (count == 0)
        return;
    struct strbuf line = {0};
    strbuf_printf(&line, "{\"type\": \"%s\", \"data\": {", map_message_type(map->value));
    output_json_string(map->name, strlen(map->name), &line);
    strbuf_puts(&line, ": ");
    size_t shown = 0;
    size_t *order = output_sorted_entries(map, entries, count, &output->names, &shown);
    if (!map->key || !entries[0].key) {
        append_map_value(output, map, entries[0].value, &line);
    } else {
        strbuf_putc(&line, '{');
        for (size_t i = 0; order && i < shown; i++) {
            const struct output_map_entry *entry = &entries[order[i]];
            if (i)
                strbuf_puts(&line, ", ");
            append_key(output, map, entry->key, &line);
            strbuf_puts(&line, ": ");
            append_map_value(output, map, entry->value, &line);
        }
        strbuf_putc(&line, '}');
    }
    free(order);
    strbuf_puts(&line, "}}");
    write_line(output, &line);
    strbuf_free(&line);
}

static void json_value(struct output *output, const struct type *type, const void *bytes)
{
    struct strbuf line = {0};
    strbuf_puts(&line, "{\"type\": \"value\", \"data\": ");
    output_json_value(type, bytes, 0, &output->names, &line);
    strbuf_putc(&line, '}');
    write_line(output, &line);
    strbuf_free(&line);
}

static void json_printf(struct output *output, const char *text, size_t length)
{
    struct strbuf line = {0};
    strbuf_puts(&line, "{\"type\": \"printf\", \"data\": ");
    output_json_string(text, length, &line);
    strbuf_putc(&line, '}');
    write_line(output, &line);
    strbuf_free(&line);
}

static const char *action_message_type(enum output_action action)
{
    switch (action) {
    case OUTPUT_ACTION_TIME:
        return "time";
    case OUTPUT_ACTION_CAT:
        return "cat";
    case OUTPUT_ACTION_SYSTEM:
        return "syscall";
    case OUTPUT_ACTION_JOIN:
        return "join";
    }
    return "printf";
}

/* Like printf, under the action's own type. An empty cat() or system()
 * output is still a message, as in bpftrace. */
static void json_action(struct output *output, enum output_action action, const char *text,
                        size_t length)
{
    struct strbuf line = {0};
    strbuf_printf(&line, "{\"type\": \"%s\", \"data\": ", action_message_type(action));
    output_json_string(text, length, &line);
    strbuf_putc(&line, '}');
    write_line(output, &line);
    strbuf_free(&line);
}

/* On `out` with everything else, not stderr, so a consumer sees it in
 * order. bpftrace names a -e program "stdin" (sonde's diagnostics say "-e"). */
static void json_script_message(struct output *output, const struct output_script_message *message)
{
    const char *filename = message->filename;
    if (!filename || strcmp(filename, "-e") == 0)
        filename = "stdin";
    struct strbuf line = {0};
    strbuf_printf(&line, "{\"type\": \"%s\", \"msg\": ",
                  message->severity == OUTPUT_SEVERITY_WARNING ? "warnf" : "errorf");
    output_json_string(message->text, strlen(message->text), &line);
    strbuf_puts(&line, ", \"filename\": ");
    output_json_string(filename, strlen(filename), &line);
    strbuf_printf(&line, ", \"line\": %d, \"col\": %d}", message->line, message->column);
    write_line(output, &line);
    strbuf_free(&line);
}

/* These two carry "count" at the top level as well as in "data", as
 * current bpftrace writes them. */
static void json_attached(struct output *output, unsigned probe_count)
{
    if (!output->quiet)
        fprintf(output->out,
                "{\"type\": \"attached_probes\", \"data\": {\"probes\": %u}}\n", probe_count);
}

static void json_lost(struct output *output, uint64_t count)
{
    fprintf(output->out,
            "{\"type\": \"lost_events\", \"count\": %" PRIu64 ", \"data\": {\"events\": %" PRIu64
            "}}\n",
            count, count);
}

/* No blank lines between tracing and the exit-time maps in JSON. */
static void json_end(struct output *output) {}

static void json_flush(struct output *output)
{
    fflush(output->out);
    fflush(output->err);
}

static void json_destroy(struct output *output)
{
    free(output);
}

static const struct output_ops json_ops = {
    .attached = json_attached,
    .printf_text = json_printf,
    .map = json_map,
    .value = json_value,
    .lost = json_lost,
    .flush = json_flush,
    .destroy = json_destroy,
    .end = json_end,
    .action = json_action,
    .script_message = json_script_message,
};

struct output *output_json_new(FILE *out, FILE *err, struct output_names names)
{
    struct output *output = calloc(1, sizeof(*output));
    if (!output)
        return NULL;
    output->ops = &json_ops;
    output->out = out;
    output->err = err;
    output->names = names;
    return output;
}
