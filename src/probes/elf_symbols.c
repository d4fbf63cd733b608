/* Function and variable symbols of an ELF file, via libelf. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/elf_symbols.h"

static void read_segments(struct arena *arena, Elf *elf, struct probe_elf *out)
{
    size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0)
        return;
    for (size_t i = 0; i < count; i++) {
        GElf_Phdr header;
        if (!gelf_getphdr(elf, (int)i, &header) || header.p_type != PT_LOAD)
            continue;
        struct probe_elf_segment *segment = ARENA_NEW(arena, struct probe_elf_segment);
        segment->address = header.p_vaddr;
        segment->size = header.p_filesz;
        segment->file_offset = header.p_offset;
        vec_push(&out->segments, segment);
    }
}

/* The loaded segment whose file bytes hold `value`: a virtual address, or
 * with `in_file` a file offset. */
static const struct probe_elf_segment *segment_holding(const struct probe_elf *elf, uint64_t value,
                                                       bool in_file)
{
    for (size_t i = 0; i < elf->segments.count; i++) {
        const struct probe_elf_segment *segment = vec_get(&elf->segments, i);
        uint64_t start = in_file ? segment->file_offset : segment->address;
        if (value >= start && value - start < segment->size)
            return segment;
    }
    return NULL;
}

bool probes_elf_file_offset(const struct probe_elf *elf, uint64_t address, uint64_t *offset)
{
    const struct probe_elf_segment *segment = segment_holding(elf, address, false);
    if (segment)
        *offset = address - segment->address + segment->file_offset;
    return segment != NULL;
}

bool probes_elf_address_of_offset(const struct probe_elf *elf, uint64_t offset, uint64_t *address)
{
    const struct probe_elf_segment *segment = segment_holding(elf, offset, true);
    if (segment)
        *address = offset - segment->file_offset + segment->address;
    return segment != NULL;
}

/* Where a defined symbol goes: the functions, the variables or neither
 * (sections, files, thread-locals: no address of their own in memory). */
static struct vec *kind_of(const GElf_Sym *symbol, struct probe_elf *out)
{
    if (symbol->st_shndx == SHN_UNDEF || symbol->st_value == 0)
        return NULL;
    switch (GELF_ST_TYPE(symbol->st_info)) {
    case STT_FUNC:
    case STT_GNU_IFUNC:
        return &out->functions;
    case STT_OBJECT:
        return symbol->st_shndx == SHN_ABS ? NULL : &out->objects;
    default:
        return NULL;
    }
}

static void read_symbol_table(struct arena *arena, Elf *elf, Elf_Scn *section,
                              const GElf_Shdr *header, struct probe_elf *out)
{
    Elf_Data *data = elf_getdata(section, NULL);
    size_t count = header->sh_entsize ? header->sh_size / header->sh_entsize : 0;
    for (size_t i = 0; data && i < count; i++) {
        GElf_Sym symbol;
        struct vec *kind = gelf_getsym(data, (int)i, &symbol) ? kind_of(&symbol, out) : NULL;
        const char *name = kind ? elf_strptr(elf, header->sh_link, symbol.st_name) : NULL;
        if (!name || !*name)
            continue;
        /* Code must be in the file to be probed; variables in .bss are not. */
        uint64_t offset = 0;
        if (!probes_elf_file_offset(out, symbol.st_value, &offset) && kind == &out->functions)
            continue;
        struct probe_elf_symbol *entry = ARENA_NEW(arena, struct probe_elf_symbol);
        entry->name = arena_strdup(arena, name);
        entry->address = symbol.st_value;
        entry->size = symbol.st_size;
        entry->file_offset = offset;
        vec_push(kind, entry);
    }
}

static int compare_symbols(const void *a, const void *b)
{
    const struct probe_elf_symbol *x = *(const struct probe_elf_symbol *const *)a;
    const struct probe_elf_symbol *y = *(const struct probe_elf_symbol *const *)b;
    return strcmp(x->name, y->name);
}

/* .symtab and .dynsym mostly name the same symbols: keep one of each name. */
static void sort_unique(struct vec *symbols)
{
    if (symbols->count == 0)
        return;
    qsort(symbols->items, symbols->count, sizeof(void *), compare_symbols);
    size_t kept = 1;
    for (size_t i = 1; i < symbols->count; i++)
        if (compare_symbols(&symbols->items[kept - 1], &symbols->items[i]) != 0)
            symbols->items[kept++] = symbols->items[i];
    symbols->count = kept;
}

static int read_elf(struct arena *arena, Elf *elf, struct probe_elf *out, const char **error)
{
    if (elf_kind(elf) != ELF_K_ELF) {
        *error = "not an ELF file";
        return -ENOEXEC;
    }
    GElf_Ehdr header;
    if (gelf_getehdr(elf, &header)) {
        out->position_independent = header.e_type == ET_DYN;
        out->machine = header.e_machine;
    }
    read_segments(arena, elf, out);
    Elf_Scn *section = NULL;
    while ((section = elf_nextscn(elf, section)) != NULL) {
        GElf_Shdr section_header;
        if (gelf_getshdr(section, &section_header) &&
            (section_header.sh_type == SHT_SYMTAB || section_header.sh_type == SHT_DYNSYM))
            read_symbol_table(arena, elf, section, &section_header, out);
    }
    sort_unique(&out->functions);
    sort_unique(&out->objects);
    return 0;
}

int probes_elf_read(struct arena *arena, const char *path, struct probe_elf *out,
                    const char **error)
{
    memset(out, 0, sizeof(*out));
    *error = NULL;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        *error = "libelf is out of date";
        return -EINVAL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = -errno;
        *error = arena_strdup(arena, strerror(errno));
        return err;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int err;
    if (!elf) {
        *error = arena_strdup(arena, elf_errmsg(-1));
        err = -EINVAL;
    } else {
        err = read_elf(arena, elf, out, error);
        elf_end(elf);
    }
    close(fd);
    return err;
}

void probes_elf_free(struct probe_elf *elf)
{
    vec_free(&elf->functions);
    vec_free(&elf->objects);
    vec_free(&elf->segments);
}

static const struct probe_elf_symbol *find_sorted(const struct vec *symbols, const char *name)
{
    size_t low = 0, high = symbols->count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        const struct probe_elf_symbol *symbol = vec_get(symbols, middle);
        int order = strcmp(symbol->name, name);
        if (order == 0)
            return symbol;
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

const struct probe_elf_symbol *probes_elf_find(const struct probe_elf *elf, const char *name)
{
    return find_sorted(&elf->functions, name);
}

const struct probe_elf_symbol *probes_elf_find_object(const struct probe_elf *elf, const char *name)
{
    return find_sorted(&elf->objects, name);
}

const struct probe_elf_symbol *probes_elf_function_at(const struct probe_elf *elf, uint64_t address)
{
    for (size_t i = 0; i < elf->functions.count; i++) {
        const struct probe_elf_symbol *symbol = vec_get(&elf->functions, i);
        if (address >= symbol->address &&
            address < symbol->address + (symbol->size ? symbol->size : 1))
            return symbol;
    }
    return NULL;
}
