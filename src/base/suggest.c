#include "base/suggest.h"

#include <stdlib.h>
#include <string.h>

size_t suggest_distance(const char *a, const char *b)
{
    size_t a_length = strlen(a), b_length = strlen(b);
    size_t *row = malloc((b_length + 1) * sizeof(*row));
    if (!row)
        return (size_t)-1;
    for (size_t j = 0; j <= b_length; j++)
        row[j] = j;
    for (size_t i = 1; i <= a_length; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b_length; j++) {
            size_t above = row[j];
            size_t substitute = diagonal + (a[i - 1] != b[j - 1]);
            size_t best = above + 1 < row[j - 1] + 1 ? above + 1 : row[j - 1] + 1;
            row[j] = substitute < best ? substitute : best;
            diagonal = above;
        }
    }
    size_t distance = row[b_length];
    free(row);
    return distance;
}

/* Past this length a name is no typo of a known one worth the quadratic
 * comparisons (a fuzzed 1,300-character probe name took seconds). */
enum { SUGGEST_LONGEST_NAME = 128 };

const char *suggest_closest(const char *name, const char *const *candidates, size_t count)
{
    size_t length = strlen(name);
    if (length > SUGGEST_LONGEST_NAME)
        return NULL;
    size_t limit = length / 3;
    if (limit < 2)
        limit = 2;
    const char *best = NULL;
    size_t best_distance = limit + 1;
    for (size_t i = 0; i < count; i++) {
        /* The distance is at least the difference in length. */
        size_t other = strlen(candidates[i]);
        if ((other > length ? other - length : length - other) >= best_distance)
            continue;
        size_t distance = suggest_distance(name, candidates[i]);
        if (distance < best_distance) {
            best = candidates[i];
            best_distance = distance;
        }
    }
    return best;
}
