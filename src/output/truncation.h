/* truncation: the trailer bpftrace's text shows after a string that was cut
 * short (its str_trunc_trailer, ".." by default), and how a cut string is
 * told apart. */
#ifndef SONDE_OUTPUT_TRUNCATION_H
#define SONDE_OUTPUT_TRUNCATION_H

#include <stdbool.h>
#include <stddef.h>

#include "types/type.h"

/* max_strlen: the size of str()'s results (the trace's setting); trailer:
 * the text to append, "" for none (not copied: it must outlive the output). */
void output_set_string_truncation(unsigned max_strlen, const char *trailer);

/* A string of `length` bytes (up to its NUL) held in a `type`: was it cut?
 * Either no NUL at all (a char array filled to the end), or bpftrace's
 * heuristic for str(): a result that fills a max_strlen buffer, NUL
 * included, probably stopped short of the real end. */
bool output_string_was_cut(const struct type *type, size_t length);

/* The trailer ("" when disabled). */
const char *output_truncation_trailer(void);

#endif
