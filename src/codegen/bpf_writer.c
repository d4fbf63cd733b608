/* bpf_writer: lays out a relocatable BPF object the way libbpf 1.x reads
 * LLVM's output, then lets libelf write it. Everything is planned in
 * memory first (section indices, strings, symbols, relocations, BTF), so
 * that the libelf part is one pass over finished buffers. */
#define _GNU_SOURCE /* memfd_create */
#include "codegen/bpf_writer.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif

/* Programs that share a section name, back to back in one section. */
struct code_section {
    const char *name_text;
    struct bpf_insn *insns;
    unsigned insn_count;
    Elf64_Rel *relocations;
    unsigned relocation_count; /* planned from the programs */
    unsigned relocations_added;
    size_t index;          /* ELF section index */
    size_t rel_index;      /* its ".rel" section, 0 without relocations */
    size_t name, rel_name; /* offsets in the string table */
};

/* Where a section without programs goes, and its name. */
struct data_section {
    size_t index, name;
};

struct writer {
    const struct bpf_writer_object *object;
    char *error;
    size_t error_size;
    struct code_section *sections;
    unsigned section_count;
    unsigned *program_section; /* per program: index into sections */
    unsigned *program_offset;  /* per program: first instruction in it */
    unsigned *map_offsets;     /* per map: byte offset in ".maps" */
    unsigned *global_offsets;  /* per global: byte offset in ".bss" */
    size_t maps_size, bss_size;
    void *maps_zeros;
    char *strings;
    size_t strings_size, strings_capacity;
    Elf64_Sym *symbols;
    size_t symbol_count, first_global_symbol, first_map_symbol, first_data_symbol;
    struct data_section maps, bss, license, btf_section, symtab, strtab;
    struct btf *btf;
};

static int fail(struct writer *w, int err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    if (w->error && w->error_size)
        vsnprintf(w->error, w->error_size, format, args);
    va_end(args);
    return err;
}

static size_t align_up(size_t value, size_t alignment)
{
    return (value + alignment - 1) / alignment * alignment;
}

/* Section names and symbol names share one table, as LLVM's objects do;
 * offset 0 is the empty name. Returns the offset, or (size_t)-1. */
static size_t add_string(struct writer *w, const char *text)
{
    size_t length = strlen(text) + 1;
    if (w->strings_size + length > w->strings_capacity) {
        size_t capacity = (w->strings_capacity + length) * 2;
        char *grown = realloc(w->strings, capacity);
        if (!grown)
            return (size_t)-1;
        w->strings = grown;
        w->strings_capacity = capacity;
    }
    memcpy(w->strings + w->strings_size, text, length);
    w->strings_size += length;
    return w->strings_size - length;
}

static int find_section(const struct writer *w, const char *name)
{
    for (unsigned i = 0; i < w->section_count; i++)
        if (strcmp(w->sections[i].name_text, name) == 0)
            return (int)i;
    return -1;
}

/* Gives every program its section and its offset there, in the order the
 * programs come, and sizes each section. */
static int group_programs(struct writer *w)
{
    const struct bpf_writer_object *o = w->object;
    w->sections = calloc(o->program_count + 1, sizeof(*w->sections));
    w->program_section = calloc(o->program_count + 1, sizeof(unsigned));
    w->program_offset = calloc(o->program_count + 1, sizeof(unsigned));
    if (!w->sections || !w->program_section || !w->program_offset)
        return fail(w, -ENOMEM, "out of memory while grouping programs");
    for (unsigned i = 0; i < o->program_count; i++) {
        const struct bpf_writer_program *p = &o->programs[i];
        if (!p->name || !p->name[0] || !p->section || !p->section[0] || !p->insn_count)
            return fail(w, -EINVAL, "program %u has no name, no section or no instructions", i);
        int found = find_section(w, p->section);
        if (found < 0) {
            found = (int)w->section_count++;
            w->sections[found].name_text = p->section;
        }
        struct code_section *s = &w->sections[found];
        w->program_section[i] = (unsigned)found;
        w->program_offset[i] = s->insn_count;
        s->insn_count += p->insn_count;
        s->relocation_count += p->relocation_count;
    }
    return 0;
}

/* Copies the instructions of each program to its place in its section. */
static int concatenate_programs(struct writer *w)
{
    const struct bpf_writer_object *o = w->object;
    for (unsigned i = 0; i < w->section_count; i++) {
        struct code_section *s = &w->sections[i];
        s->insns = malloc(s->insn_count * sizeof(*s->insns));
        s->relocations = calloc(s->relocation_count + 1, sizeof(*s->relocations));
        if (!s->insns || !s->relocations)
            return fail(w, -ENOMEM, "out of memory for section '%s'", s->name_text);
    }
    for (unsigned i = 0; i < o->program_count; i++) {
        const struct bpf_writer_program *p = &o->programs[i];
        struct code_section *s = &w->sections[w->program_section[i]];
        memcpy(s->insns + w->program_offset[i], p->insns, p->insn_count * sizeof(*p->insns));
    }
    return 0;
}

static unsigned map_member_count(const struct bpf_writer_map *m)
{
    return 2 + (m->key_size ? 2 : 0) + (m->flags ? 1 : 0);
}

/* Maps sit back to back in ".maps" (each is a struct of 8-byte pointers);
 * globals sit at 8-byte aligned offsets in ".bss". */
static int place_data(struct writer *w)
{
    const struct bpf_writer_object *o = w->object;
    w->map_offsets = calloc(o->map_count + 1, sizeof(unsigned));
    w->global_offsets = calloc(o->global_count + 1, sizeof(unsigned));
    if (!w->map_offsets || !w->global_offsets)
        return fail(w, -ENOMEM, "out of memory while placing maps");
    for (unsigned i = 0; i < o->map_count; i++) {
        if (!o->maps[i].name || !o->maps[i].name[0])
            return fail(w, -EINVAL, "map %u has no name", i);
        w->map_offsets[i] = (unsigned)w->maps_size;
        w->maps_size += 8 * map_member_count(&o->maps[i]);
    }
    for (unsigned i = 0; i < o->global_count; i++) {
        if (!o->globals[i].name || !o->globals[i].name[0] || !o->globals[i].size)
            return fail(w, -EINVAL, "global variable %u has no name or no size", i);
        w->global_offsets[i] = (unsigned)w->bss_size;
        w->bss_size = align_up(w->bss_size + o->globals[i].size, 8);
    }
    w->maps_zeros = calloc(w->maps_size + 1, 1);
    return w->maps_zeros ? 0 : fail(w, -ENOMEM, "out of memory for .maps");
}

/* The section indices the ELF writer will hand out, in creation order:
 * each code section followed by its relocations (as LLVM orders them),
 * then the data, the BTF, and the tables. */
static void number_sections(struct writer *w)
{
    size_t next = 1;
    for (unsigned i = 0; i < w->section_count; i++) {
        w->sections[i].index = next++;
        w->sections[i].rel_index = w->sections[i].relocation_count ? next++ : 0;
    }
    w->maps.index = w->object->map_count ? next++ : 0;
    w->bss.index = w->object->global_count ? next++ : 0;
    w->license.index = next++;
    w->btf_section.index = next++;
    w->symtab.index = next++;
    w->strtab.index = next++;
}

/* Section names go into the table before libelf sees it, so that the
 * table is final by then. */
static int name_sections(struct writer *w)
{
    bool failed = false;
    for (unsigned i = 0; i < w->section_count; i++) {
        struct code_section *s = &w->sections[i];
        s->name = add_string(w, s->name_text);
        failed |= s->name == (size_t)-1;
        if (!s->rel_index)
            continue;
        /* ".rel" + name: add_string may move the table, so build it apart. */
        char *rel_name = malloc(strlen(s->name_text) + 5);
        if (rel_name) {
            strcpy(rel_name, ".rel");
            strcat(rel_name, s->name_text);
        }
        s->rel_name = rel_name ? add_string(w, rel_name) : (size_t)-1;
        failed |= s->rel_name == (size_t)-1;
        free(rel_name);
    }
    struct data_section *fixed[] = {&w->maps,        &w->bss,    &w->license,
                                    &w->btf_section, &w->symtab, &w->strtab};
    const char *names[] = {".maps", ".bss", "license", ".BTF", ".symtab", ".strtab"};
    for (int i = 0; i < 6; i++) {
        fixed[i]->name = add_string(w, names[i]);
        failed |= fixed[i]->name == (size_t)-1;
    }
    return failed ? fail(w, -ENOMEM, "out of memory for section names") : 0;
}

static Elf64_Sym symbol(size_t name, unsigned char bind, unsigned char type, size_t section,
                        size_t value, size_t size)
{
    Elf64_Sym s = {.st_name = (Elf64_Word)name,
                   .st_info = ELF64_ST_INFO(bind, type),
                   .st_shndx = (Elf64_Section)section,
                   .st_value = value,
                   .st_size = size};
    return s;
}

/* Local symbols first (the null symbol, one per code section), then the
 * global ones: programs, maps, globals. */
static int add_symbols(struct writer *w)
{
    const struct bpf_writer_object *o = w->object;
    size_t count = 1 + w->section_count + o->program_count + o->map_count + o->global_count;
    w->symbols = calloc(count, sizeof(*w->symbols));
    if (!w->symbols)
        return fail(w, -ENOMEM, "out of memory for the symbol table");
    size_t n = 1;
    for (unsigned i = 0; i < w->section_count; i++)
        w->symbols[n++] = symbol(0, STB_LOCAL, STT_SECTION, w->sections[i].index, 0, 0);
    w->first_global_symbol = n;
    for (unsigned i = 0; i < o->program_count; i++)
        w->symbols[n++] = symbol(add_string(w, o->programs[i].name), STB_GLOBAL, STT_FUNC,
                                 w->sections[w->program_section[i]].index,
                                 w->program_offset[i] * sizeof(struct bpf_insn),
                                 o->programs[i].insn_count * sizeof(struct bpf_insn));
    w->first_map_symbol = n;
    for (unsigned i = 0; i < o->map_count; i++)
        w->symbols[n++] =
            symbol(add_string(w, o->maps[i].name), STB_GLOBAL, STT_OBJECT, w->maps.index,
                   w->map_offsets[i], 8 * map_member_count(&o->maps[i]));
    w->first_data_symbol = n;
    for (unsigned i = 0; i < o->global_count; i++)
        w->symbols[n++] = symbol(add_string(w, o->globals[i].name), STB_GLOBAL, STT_OBJECT,
                                 w->bss.index, w->global_offsets[i], o->globals[i].size);
    w->symbol_count = n;
    for (size_t i = w->first_global_symbol; i < n; i++)
        if (w->symbols[i].st_name == (Elf64_Word)-1)
            return fail(w, -ENOMEM, "out of memory for symbol names");
    return 0;
}

/* The symbol a relocation may point at: a map or a global; 0 if none. */
static size_t data_symbol(const struct writer *w, const char *name)
{
    const struct bpf_writer_object *o = w->object;
    for (unsigned i = 0; i < o->map_count; i++)
        if (strcmp(o->maps[i].name, name) == 0)
            return w->first_map_symbol + i;
    for (unsigned i = 0; i < o->global_count; i++)
        if (strcmp(o->globals[i].name, name) == 0)
            return w->first_data_symbol + i;
    return 0;
}

/* Two maps or globals of one name would leave libbpf to pick one of them
 * by its BTF name; refuse instead. */
static int check_unique_names(struct writer *w)
{
    for (size_t i = w->first_map_symbol; i < w->symbol_count; i++) {
        const char *name = w->strings + w->symbols[i].st_name;
        if (data_symbol(w, name) != i)
            return fail(w, -EINVAL, "the name '%s' is given to two maps or global variables", name);
    }
    return 0;
}

static int add_relocation(struct writer *w, unsigned program, unsigned r)
{
    const struct bpf_writer_program *p = &w->object->programs[program];
    const struct bpf_writer_relocation *rel = &p->relocations[r];
    size_t sym = rel->symbol ? data_symbol(w, rel->symbol) : 0;
    if (!sym)
        return fail(w, -ENOENT,
                    "program '%s': relocation %u names '%s', which is neither a map nor a "
                    "global variable",
                    p->name, r, rel->symbol ? rel->symbol : "(null)");
    if (rel->insn >= p->insn_count - 1 || p->insns[rel->insn].code != (BPF_LD | BPF_IMM | BPF_DW))
        return fail(w, -EINVAL,
                    "program '%s': relocation %u for '%s' points at instruction %u, which is "
                    "not the first half of an ld_imm64",
                    p->name, r, rel->symbol, rel->insn);
    struct code_section *s = &w->sections[w->program_section[program]];
    size_t insn = w->program_offset[program] + rel->insn;
    s->relocations[s->relocations_added++] = (Elf64_Rel){
        .r_offset = insn * sizeof(struct bpf_insn),
        .r_info = ELF64_R_INFO(sym, R_BPF_64_64),
    };
    return 0;
}

static int add_relocations(struct writer *w)
{
    for (unsigned i = 0; i < w->object->program_count; i++)
        for (unsigned r = 0; r < w->object->programs[i].relocation_count; r++) {
            int err = add_relocation(w, i, r);
            if (err)
                return err;
        }
    return 0;
}

/* libbpf reads each map attribute from the element count of a pointer to
 * an int array: `int (*max_entries)[N]`. */
static int attribute_type(struct btf *btf, int int_id, int index_id, unsigned value)
{
    int array = btf__add_array(btf, index_id, int_id, value);
    return array < 0 ? array : btf__add_ptr(btf, array);
}

static int add_map_type(struct btf *btf, const struct bpf_writer_map *m, int int_id, int index_id)
{
    const char *names[5] = {"type", "max_entries", "key_size", "value_size", "map_flags"};
    unsigned values[5] = {m->type, m->max_entries, m->key_size, m->value_size, m->flags};
    bool present[5] = {true, true, m->key_size != 0, m->key_size != 0, m->flags != 0};
    int types[5] = {0};
    for (int i = 0; i < 5; i++) {
        types[i] = present[i] ? attribute_type(btf, int_id, index_id, values[i]) : 0;
        if (types[i] < 0)
            return types[i];
    }
    /* Fields follow their struct directly, so every type they use comes first. */
    int id = btf__add_struct(btf, NULL, 8 * map_member_count(m));
    for (int i = 0, offset = 0; id > 0 && i < 5; i++) {
        if (!present[i])
            continue;
        int err = btf__add_field(btf, names[i], types[i], offset, 0);
        if (err)
            return err;
        offset += 64;
    }
    return id < 0 ? id : btf__add_var(btf, m->name, BTF_VAR_GLOBAL_ALLOCATED, id);
}

/* An unsigned integer of the variable's size, or an array of bytes when
 * no integer has that size. */
static int add_global_type(struct btf *btf, const struct bpf_writer_global *g, int index_id)
{
    static const char *const names[] = {
        [1] = "unsigned char", [2] = "unsigned short", [4] = "unsigned int", [8] = "unsigned long"};
    int type;
    if (g->size <= 8 && names[g->size]) {
        type = btf__add_int(btf, names[g->size], g->size, 0);
    } else {
        type = btf__add_int(btf, names[1], 1, 0);
        type = type < 0 ? type : btf__add_array(btf, index_id, type, g->size);
    }
    return type < 0 ? type : btf__add_var(btf, g->name, BTF_VAR_GLOBAL_ALLOCATED, type);
}

/* A DATASEC with its size and offsets filled in (LLVM leaves them 0 for
 * libbpf to fix up from the symbols; the values are the same). */
static int add_datasec(struct btf *btf, const char *name, size_t size, const int *vars,
                       const unsigned *offsets, const Elf64_Sym *symbols, unsigned count)
{
    int err = btf__add_datasec(btf, name, (__u32)size);
    for (unsigned i = 0; err >= 0 && i < count; i++)
        err = btf__add_datasec_var_info(btf, vars[i], offsets[i], (__u32)symbols[i].st_size);
    return err < 0 ? err : 0;
}

static int add_btf_data(struct writer *w, int *vars)
{
    const struct bpf_writer_object *o = w->object;
    struct btf *btf = w->btf;
    int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
    int index_id = btf__add_int(btf, "__ARRAY_SIZE_TYPE__", 4, 0);
    if (int_id < 0 || index_id < 0)
        return int_id < 0 ? int_id : index_id;
    for (unsigned i = 0; i < o->map_count; i++)
        if ((vars[i] = add_map_type(btf, &o->maps[i], int_id, index_id)) < 0)
            return vars[i];
    for (unsigned i = 0; i < o->global_count; i++)
        if ((vars[o->map_count + i] = add_global_type(btf, &o->globals[i], index_id)) < 0)
            return vars[o->map_count + i];
    int err = 0;
    if (o->map_count)
        err = add_datasec(btf, ".maps", w->maps_size, vars, w->map_offsets,
                          w->symbols + w->first_map_symbol, o->map_count);
    if (!err && o->global_count)
        err = add_datasec(btf, ".bss", w->bss_size, vars + o->map_count, w->global_offsets,
                          w->symbols + w->first_data_symbol, o->global_count);
    return err;
}

static int build_btf(struct writer *w)
{
    w->btf = btf__new_empty();
    if (!w->btf)
        return fail(w, errno ? -errno : -ENOMEM, "cannot create BTF: %s", strerror(errno));
    int *vars = calloc(w->object->map_count + w->object->global_count + 1, sizeof(int));
    if (!vars)
        return fail(w, -ENOMEM, "out of memory for BTF variables");
    int err = add_btf_data(w, vars);
    free(vars);
    if (err)
        return fail(w, err, "cannot build the BTF of maps and globals: %s", strerror(-err));
    return 0;
}

/* One section with one data buffer; libelf places it in the file. */
static int add_section(struct writer *w, Elf *elf, const struct data_section *where,
                       Elf64_Shdr header, const void *buffer, size_t size)
{
    Elf_Scn *scn = elf_newscn(elf);
    Elf_Data *data = scn ? elf_newdata(scn) : NULL;
    Elf64_Shdr *shdr = scn ? elf64_getshdr(scn) : NULL;
    const char *name = w->strings + where->name;
    if (!data || !shdr)
        return fail(w, -EIO, "libelf cannot add section '%s': %s", name, elf_errmsg(-1));
    if (elf_ndxscn(scn) != where->index)
        return fail(w, -EFAULT, "section '%s' got index %zu instead of %zu", name, elf_ndxscn(scn),
                    where->index);
    header.sh_name = (Elf64_Word)where->name;
    *shdr = header;
    data->d_buf = (void *)buffer;
    data->d_size = size;
    data->d_align = header.sh_addralign;
    data->d_type = header.sh_type == SHT_SYMTAB ? ELF_T_SYM
                   : header.sh_type == SHT_REL  ? ELF_T_REL
                                                : ELF_T_BYTE;
    return 0;
}

static Elf64_Shdr section_header(Elf64_Word type, Elf64_Xword flags, Elf64_Xword align)
{
    Elf64_Shdr h = {.sh_type = type, .sh_flags = flags, .sh_addralign = align};
    return h;
}

static int add_code_sections(struct writer *w, Elf *elf)
{
    for (unsigned i = 0; i < w->section_count; i++) {
        const struct code_section *s = &w->sections[i];
        struct data_section code = {s->index, s->name}, rel = {s->rel_index, s->rel_name};
        int err =
            add_section(w, elf, &code, section_header(SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8),
                        s->insns, s->insn_count * sizeof(*s->insns));
        if (err)
            return err;
        if (!s->rel_index)
            continue;
        Elf64_Shdr header = section_header(SHT_REL, SHF_INFO_LINK, 8);
        header.sh_link = (Elf64_Word)w->symtab.index;
        header.sh_info = (Elf64_Word)s->index;
        header.sh_entsize = sizeof(Elf64_Rel);
        err = add_section(w, elf, &rel, header, s->relocations,
                          s->relocation_count * sizeof(Elf64_Rel));
        if (err)
            return err;
    }
    return 0;
}

/* .bss is SHT_NOBITS: a size and no bytes (libelf writes none). */
static int add_data_sections(struct writer *w, Elf *elf)
{
    const struct bpf_writer_object *o = w->object;
    int err = 0;
    if (o->map_count)
        err = add_section(w, elf, &w->maps, section_header(SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8),
                          w->maps_zeros, w->maps_size);
    if (!err && o->global_count)
        err = add_section(w, elf, &w->bss, section_header(SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 8),
                          NULL, w->bss_size);
    if (!err)
        err =
            add_section(w, elf, &w->license, section_header(SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1),
                        o->license, strlen(o->license) + 1);
    __u32 btf_size = 0;
    const void *btf_data = err ? NULL : btf__raw_data(w->btf, &btf_size);
    if (!err && !btf_data)
        return fail(w, -ENOMEM, "cannot get the raw BTF");
    if (!err)
        err = add_section(w, elf, &w->btf_section, section_header(SHT_PROGBITS, 0, 4), btf_data,
                          btf_size);
    return err;
}

static int add_tables(struct writer *w, Elf *elf)
{
    Elf64_Shdr symtab = section_header(SHT_SYMTAB, 0, 8);
    symtab.sh_link = (Elf64_Word)w->strtab.index;
    symtab.sh_info = (Elf64_Word)w->first_global_symbol; /* one past the last local */
    symtab.sh_entsize = sizeof(Elf64_Sym);
    int err =
        add_section(w, elf, &w->symtab, symtab, w->symbols, w->symbol_count * sizeof(Elf64_Sym));
    if (err)
        return err;
    return add_section(w, elf, &w->strtab, section_header(SHT_STRTAB, 0, 1), w->strings,
                       w->strings_size);
}

static int add_header(struct writer *w, Elf *elf)
{
    Elf64_Ehdr *ehdr = elf64_newehdr(elf);
    if (!ehdr)
        return fail(w, -EIO, "libelf cannot create the ELF header: %s", elf_errmsg(-1));
    ehdr->e_ident[EI_DATA] = ELFDATA2LSB;
    ehdr->e_ident[EI_OSABI] = ELFOSABI_NONE;
    ehdr->e_type = ET_REL;
    ehdr->e_machine = EM_BPF;
    ehdr->e_version = EV_CURRENT;
    ehdr->e_shstrndx = (Elf64_Half)w->strtab.index;
    return 0;
}

/* Reads the file libelf wrote back into a malloc'd buffer. */
static int read_back(struct writer *w, int fd, size_t size, void **elf, size_t *elf_size)
{
    char *buffer = malloc(size ? size : 1);
    if (!buffer)
        return fail(w, -ENOMEM, "out of memory for the object (%zu bytes)", size);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, buffer + done, size - done, (off_t)done);
        if (n <= 0) {
            free(buffer);
            return fail(w, n < 0 ? -errno : -EIO, "cannot read the written object back: %s",
                        n < 0 ? strerror(errno) : "short file");
        }
        done += (size_t)n;
    }
    *elf = buffer;
    *elf_size = size;
    return 0;
}

/* libelf writes through a file descriptor; a memfd keeps it off disk. */
static int write_elf(struct writer *w, void **out, size_t *out_size)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(w, -EIO, "libelf is too old: %s", elf_errmsg(-1));
    int fd = memfd_create("sonde-bpf-object", MFD_CLOEXEC);
    if (fd < 0)
        return fail(w, -errno, "cannot create a memory file for the object: %s", strerror(errno));
    Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
    int err = elf ? 0 : fail(w, -EIO, "libelf cannot start the object: %s", elf_errmsg(-1));
    err = err ? err : add_header(w, elf);
    err = err ? err : add_code_sections(w, elf);
    err = err ? err : add_data_sections(w, elf);
    err = err ? err : add_tables(w, elf);
    off_t size = err ? -1 : elf_update(elf, ELF_C_WRITE);
    if (!err && size < 0)
        err = fail(w, -EIO, "libelf cannot write the object: %s", elf_errmsg(-1));
    if (!err)
        err = read_back(w, fd, (size_t)size, out, out_size);
    if (elf)
        elf_end(elf);
    close(fd);
    return err;
}

static void release(struct writer *w)
{
    for (unsigned i = 0; i < w->section_count; i++) {
        free(w->sections[i].insns);
        free(w->sections[i].relocations);
    }
    free(w->sections);
    free(w->program_section);
    free(w->program_offset);
    free(w->map_offsets);
    free(w->global_offsets);
    free(w->maps_zeros);
    free(w->strings);
    free(w->symbols);
    btf__free(w->btf);
}

int bpf_writer_write(const struct bpf_writer_object *object, void **elf, size_t *size, char *error,
                     size_t error_size)
{
    struct writer w = {.object = object, .error = error, .error_size = error_size};
    *elf = NULL;
    *size = 0;
    if (error && error_size)
        error[0] = '\0';
    int err = object->license ? 0 : fail(&w, -EINVAL, "the object has no license");
    err = err ? err : (add_string(&w, "") == 0 ? 0 : fail(&w, -ENOMEM, "out of memory"));
    err = err ? err : group_programs(&w);
    err = err ? err : concatenate_programs(&w);
    err = err ? err : place_data(&w);
    if (!err)
        number_sections(&w);
    err = err ? err : add_symbols(&w);
    err = err ? err : name_sections(&w);
    err = err ? err : check_unique_names(&w);
    err = err ? err : add_relocations(&w);
    err = err ? err : build_btf(&w);
    err = err ? err : write_elf(&w, elf, size);
    release(&w);
    return err;
}
