/* What uprobe.c shares with its helpers: the instruction-boundary check of
 * uprobe_boundary.c and the C++ names of uprobe_cpp.c. */
#ifndef SONDE_PROBES_UPROBE_INTERNAL_H
#define SONDE_PROBES_UPROBE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "probes/elf_symbols.h"

enum uprobe_boundary {
    UPROBE_BOUNDARY_OK,        /* an instruction starts there */
    UPROBE_BOUNDARY_INSIDE,    /* the offset falls inside an instruction */
    UPROBE_BOUNDARY_UNCHECKED, /* sonde cannot tell (architecture, unreadable code) */
};

/* The result of checking `offset` bytes into the function `symbol` of the
 * file `path` (read as `elf`). INSIDE gives the starts of the instructions
 * before and after the offset in *before and *after; UNCHECKED says why in
 * *reason. Offset 0 is always OK. */
struct uprobe_boundary_check {
    enum uprobe_boundary result;
    uint64_t before, after;
    const char *reason;
};
void probes_uprobe_check_boundary(struct arena *arena, const char *path,
                                  const struct probe_elf *elf,
                                  const struct probe_elf_symbol *symbol, uint64_t offset,
                                  struct uprobe_boundary_check *out);

/* The demangled form of a C++ symbol ("ns::f(int)" for "_ZN2ns1fEi"), or
 * NULL when `name` is not a mangled C++ name. */
const char *probes_uprobe_demangle(struct arena *arena, const char *name);

/* Whether `pattern` (a glob) matches the symbol `name` as a `cpp:` attach
 * point means it: its mangled name, or its demangled one without the
 * parameter list unless the pattern has a '(' ("ns::f", "ns::*",
 * "ns::f(int)"). `demangled` is probes_uprobe_demangle(name). */
bool probes_uprobe_cpp_match(const char *pattern, const char *name, const char *demangled);

#endif
