/* elf_symbols: the functions an ELF binary or library defines, and where
 * each one sits in the file (what a uprobe attaches to), and its global
 * variables (what uaddr() finds). Read with libelf. */
#ifndef SONDE_PROBES_ELF_SYMBOLS_H
#define SONDE_PROBES_ELF_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/vec.h"

struct probe_elf_symbol {
    const char *name;
    uint64_t address;     /* the symbol's virtual address (st_value) */
    uint64_t size;        /* bytes of code or data; 0 when the table does not say */
    uint64_t file_offset; /* functions: where the first instruction is in the file */
};

struct probe_elf_segment {
    uint64_t address, size, file_offset; /* a PT_LOAD: its memory image and file bytes */
};

struct probe_elf {
    struct vec functions; /* struct probe_elf_symbol *, one per name, sorted by name */
    struct vec objects;   /* the same for variables (STT_OBJECT) */
    struct vec segments;  /* struct probe_elf_segment * */
    /* ET_DYN (a PIE or a shared library): loaded at an address chosen at
     * run time, so the addresses above are relative to that base. */
    bool position_independent;
    uint16_t machine; /* e_machine: EM_X86_64, EM_AARCH64, ... (how its code decodes) */
};

/* Read the functions (STT_FUNC and STT_GNU_IFUNC) and variables
 * (STT_OBJECT) defined in .symtab and .dynsym. Returns 0, or -errno with
 * *error saying what went wrong. */
int probes_elf_read(struct arena *arena, const char *path, struct probe_elf *out,
                    const char **error);
void probes_elf_free(struct probe_elf *elf);

/* The function named `name`, or NULL. */
const struct probe_elf_symbol *probes_elf_find(const struct probe_elf *elf, const char *name);

/* The variable named `name`, or NULL. */
const struct probe_elf_symbol *probes_elf_find_object(const struct probe_elf *elf,
                                                      const char *name);

/* The file offset of virtual address `address`; false outside the loaded segments. */
bool probes_elf_file_offset(const struct probe_elf *elf, uint64_t address, uint64_t *offset);
/* The reverse: the virtual address of file offset `offset` in a loaded segment. */
bool probes_elf_address_of_offset(const struct probe_elf *elf, uint64_t offset, uint64_t *address);

/* The function whose code contains `address`, or NULL. */
const struct probe_elf_symbol *probes_elf_function_at(const struct probe_elf *elf,
                                                      uint64_t address);

#endif
