/* suggest: "did you mean ...?" for names the user got slightly wrong. */
#ifndef SONDE_BASE_SUGGEST_H
#define SONDE_BASE_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between two strings. */
size_t suggest_distance(const char *a, const char *b);
/* The candidate closest to `name`, or NULL when none is close enough to be a
 * plausible typo (distance more than a third of the name's length, min 2). */
const char *suggest_closest(const char *name, const char *const *candidates, size_t count);

#endif
