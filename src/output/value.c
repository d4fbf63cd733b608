/* value: the text form of values (bpftrace's text output) and the reduction of
 * per-CPU map values into one.
 *
 * Aggregation values are made of 8-byte words, as the kernel side stores them
 * per CPU:
 *   count, sum        word 0 = the running count or sum
 *   min, max          word 0 = the value, word 1 = "set" flag (non-zero once
 *                     this CPU has seen a value; needed because 0 is a valid
 *                     minimum and idle CPUs hold zeros)
 *   avg, stats        word 0 = count of values, word 1 = their total
 *   hist, lhist       one counter per bucket
 * The type checker gives min/max values a size of 16 so the flag has room;
 * output_combine_per_cpu is told the slot size through value_size. */
#include "output/output.h"
#include "output/resolved.h"

#include <inttypes.h>
#include <string.h>

/* probe_read_str always ends what it read with a NUL, so a str() result
 * that was cut holds max_strlen - 1 bytes and the NUL; one exactly that long
 * is taken as cut too, as bpftrace does. str(p, n) with a smaller n asked
 * for the cut, and shows no trailer. */
static bool string_was_cut(const struct type *type, size_t length,
                           const struct output_names *names)
{
    if (type->size == 0)
        return false;
    unsigned max_strlen = names ? names->max_strlen : 0;
    return length == type->size || (type->size == max_strlen && length + 1 == type->size);
}

static uint64_t read_word(const void *bytes, unsigned index)
{
    uint64_t word;
    memcpy(&word, (const char *)bytes + index * 8, 8);
    return word;
}

uint64_t output_read_word(const void *bytes, unsigned index)
{
    return read_word(bytes, index);
}

static void write_word(void *bytes, unsigned index, uint64_t word)
{
    memcpy((char *)bytes + index * 8, &word, 8);
}

static void append_integer(struct strbuf *out, uint64_t value, bool is_signed)
{
    if (is_signed)
        strbuf_printf(out, "%" PRId64, (int64_t)value);
    else
        strbuf_printf(out, "%" PRIu64, value);
}

/* An integer of 1, 2, 4 or 8 bytes, sign-extended when signed. */
static uint64_t read_integer(const void *bytes, unsigned size, bool is_signed)
{
    switch (size) {
    case 1: {
        uint8_t v;
        memcpy(&v, bytes, 1);
        return is_signed ? (uint64_t)(int64_t)(int8_t)v : v;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, bytes, 2);
        return is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, bytes, 4);
        return is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    default:
        return read_word(bytes, 0);
    }
}

uint64_t output_average(const void *bytes, bool is_signed)
{
    uint64_t count = read_word(bytes, 0), total = read_word(bytes, 1);
    if (count == 0)
        return 0;
    if (is_signed)
        return (uint64_t)((int64_t)total / (int64_t)count);
    return total / count;
}

static void append_string(const struct type *type, const char *bytes,
                          const struct output_names *names, struct strbuf *out)
{
    size_t length = strnlen(bytes, type->size);
    strbuf_append(out, bytes, length);
    if (string_was_cut(type, length, names))
        strbuf_puts(out, names && names->truncation_trailer ? names->truncation_trailer : "..");
}

static void append_probe(uint64_t index, const struct output_names *names, struct strbuf *out)
{
    if (names && names->probe_names && index < names->probe_count)
        strbuf_puts(out, names->probe_names[index]);
    else
        strbuf_printf(out, "<probe %" PRIu64 ">", index);
}

/* Tuples "(1, abc)", records "{ .a = 1, .b = abc }" (bpftrace: "{}" when
 * empty), arrays "[1,2,3]" without spaces. */
static void append_fields(const struct type *type, const char *bytes,
                          const struct output_names *names, struct strbuf *out)
{
    bool record = type->kind == TYPE_RECORD;
    if (record && type->field_count == 0) {
        strbuf_puts(out, "{}");
        return;
    }
    strbuf_puts(out, record ? "{ " : "(");
    for (unsigned i = 0; i < type->field_count; i++) {
        const struct type_field *field = &type->fields[i];
        if (i)
            strbuf_puts(out, ", ");
        if (record)
            strbuf_printf(out, ".%s = ", field->name ? field->name : "");
        unsigned char bits[8];
        output_format_value(field->type, type_field_value(field, bytes, bits), names, out);
    }
    strbuf_puts(out, record ? " }" : ")");
}

static void append_array(const struct type *type, const char *bytes,
                         const struct output_names *names, struct strbuf *out)
{
    strbuf_putc(out, '[');
    for (unsigned i = 0; i < type->length; i++) {
        if (i)
            strbuf_putc(out, ',');
        output_format_value(type->element, bytes + (size_t)i * type->element->size, names, out);
    }
    strbuf_putc(out, ']');
}

/* Current bpftrace prints stats as a record; 0.17 printed
 * "count 2, average 7, total 14". */
static void append_stats(const struct type *type, const void *bytes, struct strbuf *out)
{
    strbuf_puts(out, "{ .count = ");
    append_integer(out, read_word(bytes, 0), type->is_signed);
    strbuf_puts(out, ", .average = ");
    append_integer(out, output_average(bytes, type->is_signed), type->is_signed);
    strbuf_puts(out, ", .total = ");
    append_integer(out, read_word(bytes, 1), type->is_signed);
    strbuf_puts(out, " }");
}

/* Current bpftrace shows a value of enum type by its enumerator's name
 * wherever text output shows values (map keys and values, print(), tuples);
 * a value no enumerator has prints as its number. bpftrace 0.17 printed
 * numbers only. */
static void append_int_or_enumerator(const struct type *type, const void *bytes, struct strbuf *out)
{
    uint64_t value = read_integer(bytes, type->size, type->is_signed);
    const char *name = type->enumerators ? type_enumerator_name(type, (int64_t)value) : NULL;
    if (name)
        strbuf_puts(out, name);
    else
        append_integer(out, value, type->is_signed);
}

void output_format_value(const struct type *type, const void *bytes,
                         const struct output_names *names, struct strbuf *out)
{
    switch (type->kind) {
    case TYPE_KSTACK:
    case TYPE_USTACK:
    case TYPE_KSYM:
    case TYPE_USYM:
    case TYPE_USERNAME:
    case TYPE_TIMESTAMP:
    case TYPE_BUFFER:
    case TYPE_INET:
    case TYPE_MACADDR:
    case TYPE_NUMBER_NAME:
    case TYPE_CGROUP_PATH:
        output_format_resolved(type, bytes, 4, out);
        break;
    case TYPE_VOID:
        strbuf_puts(out, "null");
        break;
    case TYPE_INT:
        append_int_or_enumerator(type, bytes, out);
        break;
    case TYPE_BOOL:
        strbuf_puts(out, *(const unsigned char *)bytes ? "true" : "false");
        break;
    case TYPE_STRING:
        append_string(type, bytes, names, out);
        break;
    case TYPE_POINTER:
        strbuf_printf(out, "0x%" PRIx64, read_word(bytes, 0));
        break;
    case TYPE_ARRAY:
        append_array(type, bytes, names, out);
        break;
    case TYPE_TUPLE:
    case TYPE_RECORD:
        append_fields(type, bytes, names, out);
        break;
    case TYPE_PROBE:
        append_probe(read_word(bytes, 0), names, out);
        break;
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_MIN:
    case TYPE_MAX:
        append_integer(out, read_word(bytes, 0), type->is_signed);
        break;
    case TYPE_AVG:
        append_integer(out, output_average(bytes, type->is_signed), type->is_signed);
        break;
    case TYPE_STATS:
        append_stats(type, bytes, out);
        break;
    case TYPE_HIST:
    case TYPE_LHIST:
        /* Histograms are whole blocks of lines: the map printer draws them. */
        break;
    }
}

static uint64_t divide(uint64_t value, uint64_t div, bool is_signed)
{
    if (div <= 1)
        return value;
    return is_signed ? (uint64_t)((int64_t)value / (int64_t)div) : value / div;
}

bool output_scaled_integer(const struct type *type, const void *bytes, uint64_t div,
                           uint64_t *value)
{
    switch (type->kind) {
    case TYPE_INT:
        /* bpftrace never divides an enum: its value names an enumerator. */
        if (type->enumerators)
            div = 1;
        *value = divide(read_integer(bytes, type->size, type->is_signed), div, type->is_signed);
        return true;
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_MIN:
    case TYPE_MAX:
        *value = divide(read_word(bytes, 0), div, type->is_signed);
        return true;
    case TYPE_AVG:
        *value = divide(output_average(bytes, type->is_signed), div, type->is_signed);
        return true;
    default:
        return false;
    }
}

void output_format_map_value(const struct type *type, const void *bytes, uint64_t div,
                             const struct output_names *names, struct strbuf *out)
{
    uint64_t value;
    if (div > 1 && !type->enumerators && output_scaled_integer(type, bytes, div, &value)) {
        append_integer(out, value, type->is_signed);
    } else if (div > 1 && type->kind == TYPE_STATS) {
        /* Only the average is divided, as in bpftrace. */
        strbuf_puts(out, "{ .count = ");
        append_integer(out, read_word(bytes, 0), type->is_signed);
        strbuf_puts(out, ", .average = ");
        append_integer(out, divide(output_average(bytes, type->is_signed), div, type->is_signed),
                       type->is_signed);
        strbuf_puts(out, ", .total = ");
        append_integer(out, read_word(bytes, 1), type->is_signed);
        strbuf_puts(out, " }");
    } else {
        output_format_value(type, bytes, names, out);
    }
}

/* ---- per-CPU reduction ---- */

static void add_words(const char *values, unsigned stride, unsigned words, unsigned cpu_count,
                      void *out)
{
    for (unsigned w = 0; w < words; w++) {
        uint64_t sum = 0;
        for (unsigned cpu = 0; cpu < cpu_count; cpu++)
            sum += read_word(values + (size_t)cpu * stride, w);
        write_word(out, w, sum);
    }
}

static bool better(uint64_t candidate, uint64_t best, bool is_signed, bool want_max)
{
    if (is_signed)
        return want_max ? (int64_t)candidate > (int64_t)best : (int64_t)candidate < (int64_t)best;
    return want_max ? candidate > best : candidate < best;
}

/* Only CPUs whose "set" word is non-zero take part. Without a set word
 * (value_size 8) every CPU does, which is only right if none is idle. */
static void reduce_min_max(const struct type *type, const char *values, unsigned stride,
                           unsigned value_size, unsigned cpu_count, void *out)
{
    bool has_flag = value_size >= 16, any = false;
    uint64_t best = 0;
    for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
        const char *slot = values + (size_t)cpu * stride;
        if (has_flag && read_word(slot, 1) == 0)
            continue;
        uint64_t value = read_word(slot, 0);
        if (!any || better(value, best, type->is_signed, type->kind == TYPE_MAX))
            best = value;
        any = true;
    }
    write_word(out, 0, best);
    if (has_flag)
        write_word(out, 1, any);
}

static bool all_zero(const char *bytes, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        if (bytes[i])
            return false;
    return true;
}

void output_combine_per_cpu(const struct type *value, const void *per_cpu_values,
                            unsigned value_size, unsigned cpu_count, void *out)
{
    const char *values = per_cpu_values;
    unsigned stride = (value_size + 7) / 8 * 8;
    memset(out, 0, value_size);
    if (cpu_count == 0)
        return;
    switch (value->kind) {
    case TYPE_COUNT:
    case TYPE_SUM:
    case TYPE_AVG:
    case TYPE_STATS:
    case TYPE_HIST:
    case TYPE_LHIST:
        /* Two's-complement addition is the same for signed and unsigned. */
        add_words(values, stride, value_size / 8, cpu_count, out);
        break;
    case TYPE_MIN:
    case TYPE_MAX:
        reduce_min_max(value, values, stride, value_size, cpu_count, out);
        break;
    default:
        /* A plain value in a per-CPU map: the first CPU that wrote one. */
        for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
            const char *slot = values + (size_t)cpu * stride;
            if (!all_zero(slot, value_size)) {
                memcpy(out, slot, value_size);
                break;
            }
        }
        break;
    }
}
