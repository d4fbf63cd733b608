/* config.c: the script's `config = { ... }` block as settings.
 *
 * Keys may be written as their environment variable (BPFTRACE_MAX_STRLEN) or
 * in short form (max_strlen). An environment variable that is set wins over
 * the script, as in bpftrace. */
#include "ast/config.h"
#include "probes/probe.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_settings[] = {
    "max_strlen", "max_map_keys", "missing_probes", "perf_rb_pages", NULL,
};

/* "BPFTRACE_MAX_STRLEN" and "max_strlen" both give "max_strlen". */
static void short_key(const char *key, char *out, size_t size)
{
    if (strncmp(key, "BPFTRACE_", 9) == 0)
        key += 9;
    size_t i = 0;
    for (; key[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)key[i]);
    out[i] = '\0';
}

static bool is_known(const char *key)
{
    for (size_t i = 0; known_settings[i]; i++)
        if (strcmp(known_settings[i], key) == 0)
            return true;
    return false;
}

int ast_config_check(const struct ast_program *program, struct diag *diag)
{
    int errors = 0;
    for (size_t i = 0; i < program->config.count; i++) {
        const struct ast_config_entry *entry = vec_get(&program->config, i);
        char key[64];
        short_key(entry->key, key, sizeof(key));
        if (!is_known(key)) {
            struct diag_entry *d =
                diag_error(diag, entry->loc, "unknown config key '%s'", entry->key);
            diag_hint(d, "known keys: max_strlen, max_map_keys, missing_probes, perf_rb_pages");
            errors++;
            continue;
        }
        enum probe_missing policy;
        if (strcmp(key, "missing_probes") == 0) {
            if (!entry->text || !probes_parse_missing(entry->text, &policy)) {
                struct diag_entry *d =
                    diag_error(diag, entry->loc, "invalid value for config key '%s'", entry->key);
                diag_hint(d, "use error, warn or ignore");
                errors++;
            }
        } else if (!entry->is_number || entry->number == 0) {
            diag_error(diag, entry->loc, "config key '%s' needs a positive integer", entry->key);
            errors++;
        }
    }
    return errors ? -EINVAL : 0;
}

const char *ast_config_setting(const struct ast_program *program, const char *key)
{
    char variable[80] = "BPFTRACE_";
    for (size_t i = 0; key[i] && i + 10 < sizeof(variable); i++) {
        variable[9 + i] = (char)toupper((unsigned char)key[i]);
        variable[10 + i] = '\0';
    }
    const char *value = getenv(variable);
    if (value && *value)
        return value;
    for (size_t i = program ? program->config.count : 0; i-- > 0;) {
        const struct ast_config_entry *entry = vec_get(&program->config, i);
        char entry_key[64];
        short_key(entry->key, entry_key, sizeof(entry_key));
        if (strcmp(entry_key, key) == 0)
            return entry->text;
    }
    return NULL;
}
