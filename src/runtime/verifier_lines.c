/* Where in the script the verifier stopped (see verifier_lines.h). The log
 * gives the line (the kernel quotes it as "; <text> @ file:N" before the
 * instructions compiled from it) and the failing instruction's index; the
 * object's .BTF.ext gives that instruction's column, which the log leaves out. */
#include <ctype.h>
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/verifier_lines.h"

static bool starts_with(const char *line, size_t length, const char *prefix)
{
    size_t n = strlen(prefix);
    return length >= n && !memcmp(line, prefix, n);
}

/* "12: (79) r1 = ...": the instruction's index, else -1. */
static int instruction_index(const char *line, size_t length)
{
    size_t i = 0;
    int index = 0;
    while (i < length && isdigit((unsigned char)line[i]) && index < 100000000)
        index = index * 10 + (line[i++] - '0');
    if (i == 0 || i + 3 > length || line[i] != ':' || line[i + 1] != ' ' || line[i + 2] != '(')
        return -1;
    return index;
}

/* "; <text> @ file:N": N, else 0. The text may hold " @ " itself. */
static int annotation_line(const char *line, size_t length)
{
    if (length < 2 || line[0] != ';')
        return 0;
    const char *colon = NULL;
    for (const char *c = line + length; c-- > line;)
        if (*c == ':') {
            colon = c;
            break;
        }
    if (!colon || colon == line + length - 1)
        return 0;
    int number = 0;
    for (const char *c = colon + 1; c < line + length; c++) {
        if (!isdigit((unsigned char)*c) || number > 10000000)
            return 0;
        number = number * 10 + (*c - '0');
    }
    return number;
}

/* Lines after the failing instruction that are state dumps or statistics, not the reason. */
static bool is_reason(const char *line, size_t length)
{
    static const char *const not_reasons[] = {
        ";",           "cur state",    "old state", "from ",   "processed ", "verification time",
        "stack depth", "mark_precise", "last_idx",  "parent ", "arg#",       "func#",
        "caller:",     "callee:",      NULL};
    if (length == 0 || isdigit((unsigned char)line[0]) || isspace((unsigned char)line[0]))
        return false;
    for (const char *const *prefix = not_reasons; *prefix; prefix++)
        if (starts_with(line, length, *prefix))
            return false;
    return true;
}

/* "infinite loop detected at insn 7", "unreachable insn 5", "back-edge from insn 7 to 5". */
static int named_instruction(const char *reason)
{
    const char *at = strstr(reason, "insn ");
    if (!at || !isdigit((unsigned char)at[5]))
        return -1;
    return atoi(at + 5);
}

void verifier_log_stop(const char *log, size_t length, struct verifier_stop *out)
{
    *out = (struct verifier_stop){.line = 0, .instruction = -1};
    const char *end = log + length;
    const char *after_instruction = log;
    int current_line = 0;
    for (const char *line = log; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        const char *next = newline ? newline + 1 : end;
        size_t line_length = (size_t)((newline ? newline : end) - line);
        int index = instruction_index(line, line_length);
        int annotated = annotation_line(line, line_length);
        if (annotated)
            current_line = annotated;
        if (index >= 0) {
            out->instruction = index;
            out->line = current_line;
            after_instruction = next;
        }
        line = next;
    }
    for (const char *line = after_instruction; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        size_t line_length = (size_t)((newline ? newline : end) - line);
        if (is_reason(line, line_length)) {
            if (line_length >= sizeof(out->reason))
                line_length = sizeof(out->reason) - 1;
            memcpy(out->reason, line, line_length);
            out->reason[line_length] = '\0';
            break;
        }
        line = newline ? newline + 1 : end;
    }
    int named = named_instruction(out->reason);
    if (named >= 0)
        out->instruction = named;
}

/* The ELF object as codegen emitted it: 64-bit, little-endian (bpfel). */
struct object {
    const unsigned char *bytes;
    size_t size;
    const Elf64_Shdr *sections;
    unsigned section_count;
    const char *section_names;
};

static bool in_bounds(const struct object *object, uint64_t offset, uint64_t length)
{
    return offset <= object->size && length <= object->size - offset;
}

static bool open_object(struct object *object, const void *elf, size_t size)
{
    *object = (struct object){.bytes = elf, .size = size};
    const Elf64_Ehdr *header = elf;
    if (!elf || size < sizeof(*header) || memcmp(header->e_ident, ELFMAG, SELFMAG) ||
        header->e_ident[EI_CLASS] != ELFCLASS64 || header->e_shentsize != sizeof(Elf64_Shdr) ||
        !in_bounds(object, header->e_shoff, (uint64_t)header->e_shnum * sizeof(Elf64_Shdr)) ||
        header->e_shstrndx >= header->e_shnum)
        return false;
    object->sections = (const Elf64_Shdr *)(object->bytes + header->e_shoff);
    object->section_count = header->e_shnum;
    const Elf64_Shdr *names = &object->sections[header->e_shstrndx];
    if (!in_bounds(object, names->sh_offset, names->sh_size))
        return false;
    object->section_names = (const char *)object->bytes + names->sh_offset;
    return true;
}

static const Elf64_Shdr *section_named(const struct object *object, const char *name)
{
    for (unsigned i = 0; i < object->section_count; i++) {
        const Elf64_Shdr *section = &object->sections[i];
        if (!strcmp(object->section_names + section->sh_name, name) &&
            in_bounds(object, section->sh_offset, section->sh_size))
            return section;
    }
    return NULL;
}

/* The function's symbol: its section and where it starts and ends in it. */
static const Elf64_Sym *function_symbol(const struct object *object, const char *function)
{
    const Elf64_Shdr *symbols = section_named(object, ".symtab");
    if (!symbols || symbols->sh_link >= object->section_count)
        return NULL;
    const Elf64_Shdr *names = &object->sections[symbols->sh_link];
    if (!in_bounds(object, names->sh_offset, names->sh_size))
        return NULL;
    const Elf64_Sym *symbol = (const Elf64_Sym *)(object->bytes + symbols->sh_offset);
    size_t count = symbols->sh_size / sizeof(*symbol);
    for (size_t i = 0; i < count; i++)
        if (symbol[i].st_name < names->sh_size && symbol[i].st_shndx < object->section_count &&
            !strcmp((const char *)object->bytes + names->sh_offset + symbol[i].st_name, function))
            return &symbol[i];
    return NULL;
}

/* .BTF's string table (section names in .BTF.ext point into it). */
static const char *btf_strings(const struct object *object, uint32_t *length)
{
    const Elf64_Shdr *btf = section_named(object, ".BTF");
    uint32_t header[6]; /* magic/version/flags, hdr_len, type_off, type_len, str_off, str_len */
    if (!btf || btf->sh_size < sizeof(header))
        return NULL;
    memcpy(header, object->bytes + btf->sh_offset, sizeof(header));
    uint64_t start = (uint64_t)header[1] + header[4];
    if ((header[0] & 0xffff) != 0xeb9f || start + header[5] > btf->sh_size)
        return NULL;
    *length = header[5];
    return (const char *)object->bytes + btf->sh_offset + start;
}

struct line_record {
    uint32_t insn_off, file_name_off, line_off, line_col;
};

/* The line_info records of section `section_name` (NULL: of the next
 * section after `*cursor`, which walks them all), or NULL at the end. */
static const unsigned char *line_records(const struct object *object, const char *section_name,
                                         uint64_t *cursor, uint32_t *count, uint32_t *record_size)
{
    uint32_t strings_length = 0;
    const char *strings = btf_strings(object, &strings_length);
    const Elf64_Shdr *ext = section_named(object, ".BTF.ext");
    uint32_t header[6]; /* magic/version/flags, hdr_len, func_info off/len, line_info off/len */
    if (!strings || !ext || ext->sh_size < sizeof(header))
        return NULL;
    memcpy(header, object->bytes + ext->sh_offset, sizeof(header));
    uint64_t start = (uint64_t)header[1] + header[4], end = start + header[5];
    if ((header[0] & 0xffff) != 0xeb9f || end > ext->sh_size || header[5] < 4)
        return NULL;
    const unsigned char *data = object->bytes + ext->sh_offset;
    memcpy(record_size, data + start, 4);
    if (*record_size < sizeof(struct line_record))
        return NULL;
    for (uint64_t at = *cursor ? *cursor : start + 4; at + 8 <= end;) {
        uint32_t block[2]; /* sec_name_off, num_info */
        memcpy(block, data + at, sizeof(block));
        at += 8;
        if ((uint64_t)block[1] * *record_size > end - at)
            return NULL;
        *cursor = at + (uint64_t)block[1] * *record_size;
        if (!section_name ||
            (block[0] < strings_length && !strcmp(strings + block[0], section_name))) {
            *count = block[1];
            return data + at;
        }
        at = *cursor;
    }
    return NULL;
}

static struct line_record record_at(const unsigned char *records, uint32_t record_size, uint32_t i)
{
    struct line_record record;
    memcpy(&record, records + (size_t)i * record_size, sizeof(record));
    return record;
}

/* The first column any function's line info gives `line` (the verifier's
 * index is past the program's own code: a subprogram libbpf appended). */
static int first_column_anywhere(const struct object *object, int line)
{
    uint64_t cursor = 0;
    uint32_t count = 0, record_size = 0;
    const unsigned char *records;
    while ((records = line_records(object, NULL, &cursor, &count, &record_size)))
        for (uint32_t i = 0; i < count; i++) {
            struct line_record record = record_at(records, record_size, i);
            if ((int)(record.line_col >> 10) == line && (record.line_col & 0x3ff))
                return (int)(record.line_col & 0x3ff);
        }
    return 0;
}

int verifier_line_column(const void *elf, size_t elf_size, const char *function, int line,
                         int instruction)
{
    struct object object;
    const Elf64_Sym *symbol =
        open_object(&object, elf, elf_size) ? function_symbol(&object, function) : NULL;
    if (!symbol || line <= 0)
        return 0;
    const char *section_name = object.section_names + object.sections[symbol->st_shndx].sh_name;
    uint64_t cursor = 0;
    uint32_t count = 0, record_size = 0;
    const unsigned char *records =
        line_records(&object, section_name, &cursor, &count, &record_size);
    uint64_t first = symbol->st_value, last = symbol->st_value + symbol->st_size;
    int exact_column = -1, first_column = 0;
    uint64_t exact_offset = 0;
    for (uint32_t i = 0; records && i < count; i++) {
        struct line_record record = record_at(records, record_size, i);
        if (record.insn_off < first || record.insn_off >= last)
            continue;
        int record_line = (int)(record.line_col >> 10), column = (int)(record.line_col & 0x3ff);
        /* Column 0: LLVM's record for a function's start, from its DISubprogram. */
        if (record_line == line && !first_column)
            first_column = column;
        uint64_t index = (record.insn_off - first) / 8;
        if (instruction >= 0 && index <= (uint64_t)instruction && record.insn_off >= exact_offset) {
            exact_offset = record.insn_off;
            exact_column = record_line == line && column ? column : -1;
        }
    }
    bool inside = instruction >= 0 && (uint64_t)instruction < symbol->st_size / 8;
    if (inside && exact_column > 0)
        return exact_column;
    if (first_column > 0 && (inside || instruction < 0))
        return first_column;
    return first_column_anywhere(&object, line);
}
