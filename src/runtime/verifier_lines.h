/* Where in the script the verifier stopped: the programs carry BTF line info
 * (codegen gives every instruction the script's line:col), the verifier's log
 * quotes the script's line before the instructions that came from it, and
 * the object's .BTF.ext has the column of each instruction. */
#ifndef SONDE_RUNTIME_VERIFIER_LINES_H
#define SONDE_RUNTIME_VERIFIER_LINES_H

#include <stdbool.h>
#include <stddef.h>

struct verifier_stop {
    int line;         /* of the last "; <line> @ file:N" annotation before the failure; 0: none */
    int instruction;  /* the failing instruction's index; -1: unknown */
    char reason[256]; /* the verifier's one-line reason, "" if none was found */
};

/* Reads a program's verifier log (as libbpf frames it). */
void verifier_log_stop(const char *log, size_t length, struct verifier_stop *out);

/* The column the line info of `elf` gives the instruction `instruction` of
 * program `function` when it is on `line`; otherwise the column of the first
 * instruction on `line`; 0 when the object says nothing of `line`. */
int verifier_line_column(const void *elf, size_t elf_size, const char *function, int line,
                         int instruction);

#endif
