/* Function symbols of an ELF file, via libelf. */
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

bool probes_elf_file_offset(const struct probe_elf *elf, uint64_t address, uint64_t *offset)
{
    for (size_t i = 0; i < elf->segments.count; i++) {
        const struct probe_elf_segment *segment = vec_get(&elf->segments, i);
        if (address >= segment->address && address < segment->address + segment->size) {
            *offset = address - segment->address + segment->file_offset;
            return true;
        }
    }
    return false;
}

static bool is_defined_function(const GElf_Sym *symbol)
{
    int type = GELF_ST_TYPE(symbol->st_info);
    return (type == STT_FUNC || type == STT_GNU_IFUNC) && symbol->st_shndx != SHN_UNDEF &&
           symbol->st_value != 0;
}

static void read_symbol_table(struct arena *arena, Elf *elf, Elf_Scn *section,
                              const GElf_Shdr *header, struct probe_elf *out)
{
    Elf_Data *data = elf_getdata(section, NULL);
    size_t count = header->sh_entsize ? header->sh_size / header->sh_entsize : 0;
    for (size_t i = 0; data && i < count; i++) {
        GElf_Sym symbol;
        if (!gelf_getsym(data, (int)i, &symbol) || !is_defined_function(&symbol))
            continue;
        const char *name = elf_strptr(elf, header->sh_link, symbol.st_name);
        uint64_t offset = 0;
        if (!name || !*name || !probes_elf_file_offset(out, symbol.st_value, &offset))
            continue;
        struct probe_elf_symbol *function = ARENA_NEW(arena, struct probe_elf_symbol);
        function->name = arena_strdup(arena, name);
        function->address = symbol.st_value;
        function->size = symbol.st_size;
        function->file_offset = offset;
        vec_push(&out->functions, function);
    }
}

static int compare_symbols(const void *a, const void *b)
{
    const struct probe_elf_symbol *x = *(const struct probe_elf_symbol *const *)a;
    const struct probe_elf_symbol *y = *(const struct probe_elf_symbol *const *)b;
    return strcmp(x->name, y->name);
}

/* .symtab and .dynsym mostly name the same functions: keep one of each name. */
static void sort_unique(struct probe_elf *out)
{
    struct vec *functions = &out->functions;
    if (functions->count == 0)
        return;
    qsort(functions->items, functions->count, sizeof(void *), compare_symbols);
    size_t kept = 1;
    for (size_t i = 1; i < functions->count; i++)
        if (compare_symbols(&functions->items[kept - 1], &functions->items[i]) != 0)
            functions->items[kept++] = functions->items[i];
    functions->count = kept;
}

static int read_elf(struct arena *arena, Elf *elf, struct probe_elf *out, const char **error)
{
    if (elf_kind(elf) != ELF_K_ELF) {
        *error = "not an ELF file";
        return -ENOEXEC;
    }
    read_segments(arena, elf, out);
    Elf_Scn *section = NULL;
    while ((section = elf_nextscn(elf, section)) != NULL) {
        GElf_Shdr header;
        if (gelf_getshdr(section, &header) &&
            (header.sh_type == SHT_SYMTAB || header.sh_type == SHT_DYNSYM))
            read_symbol_table(arena, elf, section, &header, out);
    }
    sort_unique(out);
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
    vec_free(&elf->segments);
}

const struct probe_elf_symbol *probes_elf_find(const struct probe_elf *elf, const char *name)
{
    size_t low = 0, high = elf->functions.count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        const struct probe_elf_symbol *symbol = vec_get(&elf->functions, middle);
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
