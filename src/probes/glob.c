/* Attach-point wildcards: `*` (any run of characters) and `?` (one). */
#include <string.h>

#include "probes/probe.h"

/* Greedy scan that remembers the last `*`: on a mismatch the star absorbs
 * one more character and matching resumes, so no recursion is needed. */
bool probes_glob_match(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (*pattern == '?' || *pattern == *text) {
            pattern++;
            text++;
        } else if (star) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

bool probes_has_wildcard(const char *text)
{
    return text && strpbrk(text, "*?") != NULL;
}
