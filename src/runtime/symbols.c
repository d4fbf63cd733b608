/* Symbolisation for the output: the addresses of a captured stack (from its
 * stack-trace map), kernel symbols from /proc/kallsyms (read once, searched
 * by bisection) and user symbols from the process's mappings and the ELF
 * symbol tables of its binaries (each binary read once). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/resolved.h"
#include "runtime/runtime_internal.h"

struct symbol {
    uint64_t address;
    uint64_t size; /* 0: unknown, up to the next symbol */
    char *name;
    size_t order; /* position in the source: of aliases, the first listed wins */
};

struct symbol_table {
    struct symbol *symbols;
    size_t count, capacity;
};

struct binary {
    char *path;
    struct symbol_table table;
    GElf_Phdr *loads; /* PT_LOAD headers, to turn file offsets into addresses */
    size_t load_count;
};

struct mapping {
    uint64_t start, end, offset;
    struct binary *binary;
};

struct process {
    uint32_t pid;
    struct mapping *mappings;
    size_t count;
};

static struct {
    struct session *session;
    bool kernel_loaded;
    struct symbol_table kernel;
    struct binary **binaries;
    size_t binary_count;
    struct process *processes;
    size_t process_count;
} state;

static void table_add(struct symbol_table *table, uint64_t address, uint64_t size, const char *name)
{
    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 1024;
        struct symbol *grown = realloc(table->symbols, capacity * sizeof(*grown));
        if (!grown)
            return;
        table->symbols = grown;
        table->capacity = capacity;
    }
    char *copy = strdup(name);
    if (!copy)
        return;
    table->symbols[table->count] = (struct symbol){address, size, copy, table->count};
    table->count++;
}

static int compare_symbols(const void *a, const void *b)
{
    const struct symbol *left = a, *right = b;
    if (left->address != right->address)
        return left->address < right->address ? -1 : 1;
    return left->order < right->order ? -1 : left->order > right->order;
}

/* The last symbol at or before `address`. */
static const struct symbol *table_find(const struct symbol_table *table, uint64_t address)
{
    size_t low = 0, high = table->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (table->symbols[middle].address <= address)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return NULL;
    const struct symbol *found = &table->symbols[low - 1];
    while (found > table->symbols && found[-1].address == found->address)
        found--;
    if (found->size && address >= found->address + found->size)
        return NULL;
    return found;
}

static void load_kernel_symbols(void)
{
    state.kernel_loaded = true;
    FILE *file = fopen("/proc/kallsyms", "r");
    if (!file)
        return;
    char line[512], name[256];
    unsigned long long address;
    char kind;
    while (fgets(line, sizeof(line), file))
        if (sscanf(line, "%llx %c %255s", &address, &kind, name) == 3 && address)
            table_add(&state.kernel, address, 0, name);
    fclose(file);
    qsort(state.kernel.symbols, state.kernel.count, sizeof(struct symbol), compare_symbols);
}

static void read_elf_symbols(Elf *elf, struct binary *binary)
{
    Elf_Scn *section = NULL;
    while ((section = elf_nextscn(elf, section))) {
        GElf_Shdr header;
        if (!gelf_getshdr(section, &header) ||
            (header.sh_type != SHT_SYMTAB && header.sh_type != SHT_DYNSYM))
            continue;
        Elf_Data *data = elf_getdata(section, NULL);
        size_t count = header.sh_entsize ? header.sh_size / header.sh_entsize : 0;
        for (size_t i = 0; data && i < count; i++) {
            GElf_Sym symbol;
            if (!gelf_getsym(data, (int)i, &symbol) || GELF_ST_TYPE(symbol.st_info) != STT_FUNC ||
                !symbol.st_value)
                continue;
            const char *name = elf_strptr(elf, header.sh_link, symbol.st_name);
            if (name && *name)
                table_add(&binary->table, symbol.st_value, symbol.st_size, name);
        }
    }
    size_t count = 0;
    if (elf_getphdrnum(elf, &count) == 0 && count) {
        binary->loads = calloc(count, sizeof(GElf_Phdr));
        for (size_t i = 0; binary->loads && i < count; i++) {
            GElf_Phdr header;
            if (gelf_getphdr(elf, (int)i, &header) && header.p_type == PT_LOAD)
                binary->loads[binary->load_count++] = header;
        }
    }
    qsort(binary->table.symbols, binary->table.count, sizeof(struct symbol), compare_symbols);
}

static struct binary *binary_for(const char *path)
{
    for (size_t i = 0; i < state.binary_count; i++)
        if (strcmp(state.binaries[i]->path, path) == 0)
            return state.binaries[i];
    struct binary **grown =
        realloc(state.binaries, (state.binary_count + 1) * sizeof(*state.binaries));
    struct binary *binary = calloc(1, sizeof(*binary));
    if (!grown || !binary) {
        free(binary);
        if (grown)
            state.binaries = grown;
        return NULL;
    }
    state.binaries = grown;
    binary->path = strdup(path);
    state.binaries[state.binary_count++] = binary;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return binary;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    if (elf) {
        read_elf_symbols(elf, binary);
        elf_end(elf);
    }
    close(fd);
    return binary;
}

static void read_mappings(struct process *process)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%u/maps", process->pid);
    FILE *file = fopen(path, "r");
    if (!file)
        return;
    char line[4096];
    size_t capacity = 0;
    while (fgets(line, sizeof(line), file)) {
        unsigned long long start, end, offset;
        char permissions[8];
        int name_at = 0;
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, permissions, &offset,
                   &name_at) < 4 ||
            !name_at || line[name_at] != '/' || permissions[2] != 'x')
            continue;
        line[strcspn(line, "\n")] = '\0';
        if (process->count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            struct mapping *grown = realloc(process->mappings, capacity * sizeof(*grown));
            if (!grown)
                break;
            process->mappings = grown;
        }
        process->mappings[process->count++] =
            (struct mapping){start, end, offset, binary_for(line + name_at)};
    }
    fclose(file);
}

/* A process's mappings are read the first time one of its addresses is
 * shown, which for printf is while it most likely still runs. */
static struct process *process_for(uint32_t pid)
{
    for (size_t i = 0; i < state.process_count; i++)
        if (state.processes[i].pid == pid)
            return &state.processes[i];
    struct process *grown =
        realloc(state.processes, (state.process_count + 1) * sizeof(*state.processes));
    if (!grown)
        return NULL;
    state.processes = grown;
    struct process *process = &state.processes[state.process_count++];
    *process = (struct process){.pid = pid};
    read_mappings(process);
    return process;
}

static const struct mapping *mapping_for(uint32_t pid, uint64_t address)
{
    struct process *process = process_for(pid);
    for (size_t i = 0; process && i < process->count; i++)
        if (address >= process->mappings[i].start && address < process->mappings[i].end)
            return &process->mappings[i];
    return NULL;
}

static const struct symbol *user_symbol(uint32_t pid, uint64_t address, uint64_t *where)
{
    const struct mapping *mapping = mapping_for(pid, address);
    if (!mapping || !mapping->binary)
        return NULL;
    uint64_t file_offset = address - mapping->start + mapping->offset;
    const struct binary *binary = mapping->binary;
    for (size_t i = 0; i < binary->load_count; i++) {
        const GElf_Phdr *load = &binary->loads[i];
        if (file_offset >= load->p_offset && file_offset < load->p_offset + load->p_filesz) {
            *where = file_offset - load->p_offset + load->p_vaddr;
            return table_find(&binary->table, *where);
        }
    }
    return NULL;
}

static bool symbolize(void *context, bool user, uint32_t pid, uint64_t address, bool offset,
                      struct strbuf *out)
{
    const struct symbol *symbol;
    uint64_t where = address;
    if (user) {
        symbol = user_symbol(pid, address, &where);
    } else {
        if (!state.kernel_loaded)
            load_kernel_symbols();
        symbol = table_find(&state.kernel, address);
    }
    if (!symbol)
        return false;
    strbuf_puts(out, symbol->name);
    if (offset)
        strbuf_printf(out, "+%" PRIu64, where - symbol->address);
    return true;
}

static void module_of(void *context, bool user, uint32_t pid, uint64_t address, struct strbuf *out)
{
    if (!user) {
        strbuf_puts(out, "[kernel.kallsyms]");
        return;
    }
    const struct mapping *mapping = mapping_for(pid, address);
    strbuf_puts(out, mapping && mapping->binary ? mapping->binary->path : "[unknown]");
}

static unsigned read_stack(void *context, bool user, unsigned limit, int64_t id, uint64_t *ips,
                           unsigned max)
{
    char name[32];
    snprintf(name, sizeof(name), "sonde_stack_%u", limit);
    struct bpf_map *map =
        state.session ? bpf_object__find_map_by_name(state.session->object, name) : NULL;
    if (!map || limit > max)
        return 0;
    uint32_t key = (uint32_t)id;
    memset(ips, 0, sizeof(uint64_t) * limit);
    if (bpf_map_lookup_elem(bpf_map__fd(map), &key, ips) != 0)
        return 0;
    unsigned count = 0;
    while (count < limit && ips[count])
        count++;
    return count;
}

static const struct output_symbolizer symbolizer = {
    .stack = read_stack,
    .symbol = symbolize,
    .module = module_of,
};

void session__install_symbolizer(struct session *session)
{
    state.session = session;
    output_set_symbolizer(&symbolizer);
}

static void free_table(struct symbol_table *table)
{
    for (size_t i = 0; i < table->count; i++)
        free(table->symbols[i].name);
    free(table->symbols);
    *table = (struct symbol_table){0};
}

void session__remove_symbolizer(struct session *session)
{
    if (state.session != session)
        return;
    output_set_symbolizer(NULL);
    free_table(&state.kernel);
    for (size_t i = 0; i < state.binary_count; i++) {
        free_table(&state.binaries[i]->table);
        free(state.binaries[i]->loads);
        free(state.binaries[i]->path);
        free(state.binaries[i]);
    }
    free(state.binaries);
    for (size_t i = 0; i < state.process_count; i++)
        free(state.processes[i].mappings);
    free(state.processes);
    memset(&state, 0, sizeof(state));
}
