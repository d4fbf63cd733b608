/* bpf_writer: a relocatable BPF ELF object, as libbpf 1.x reads it, from
 * instructions that are already final. The direct backend (direct.c) uses
 * it instead of LLVM's object emitter: programs, their map and global
 * variable relocations, BTF-defined maps in ".maps", global variables in
 * ".bss", and the license. */
#ifndef SONDE_CODEGEN_BPF_WRITER_H
#define SONDE_CODEGEN_BPF_WRITER_H

#include <stddef.h>

#include <linux/bpf.h>

/* The instruction at index `insn` of a program is the first half of an
 * ld_imm64 that must point at `symbol`: a map in ".maps" or a global
 * variable (the loader adds the variable's offset in its section). */
struct bpf_writer_relocation {
    unsigned insn;
    const char *symbol;
};

struct bpf_writer_program {
    const char *name;    /* function symbol: bpf_program__name() */
    const char *section; /* decides the program type: "tracepoint/syscalls/sys_enter_read" */
    const struct bpf_insn *insns;
    unsigned insn_count;
    const struct bpf_writer_relocation *relocations;
    unsigned relocation_count;
};

/* A BTF-defined map: `struct { int (*type)[T]; int (*max_entries)[N];
 * int (*key_size)[K]; int (*value_size)[V]; int (*map_flags)[F]; } name
 * SEC(".maps")`; key_size 0 leaves out key_size and value_size (ring
 * buffers), flags 0 leaves out map_flags. */
struct bpf_writer_map {
    const char *name;
    unsigned type;
    unsigned max_entries;
    unsigned key_size;
    unsigned value_size;
    unsigned flags;
};

/* A zero-initialised global variable in ".bss", 8-byte aligned. */
struct bpf_writer_global {
    const char *name;
    unsigned size;
};

struct bpf_writer_object {
    const struct bpf_writer_program *programs;
    unsigned program_count;
    const struct bpf_writer_map *maps;
    unsigned map_count;
    const struct bpf_writer_global *globals;
    unsigned global_count;
    const char *license; /* "GPL" */
};

/* Fills *elf (malloc'd, the caller frees it) and *size, in memory (a
 * memfd; nothing touches the disk). Returns 0, or a negative errno with a
 * sentence in error[] and *elf NULL: -ENOENT for a relocation naming
 * neither a map nor a global, -EINVAL for a relocation that is not at the
 * first half of an ld_imm64, for two maps/globals of one name or a missing
 * name, license or instruction, -EIO when libelf fails. The object has no
 * .BTF.ext (no func_info or line_info): the verifier log shows no source. */
int bpf_writer_write(const struct bpf_writer_object *object, void **elf, size_t *size,
                     char *error, size_t error_size);

#endif
