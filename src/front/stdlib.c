/* stdlib.c: the standard library, macros written in the language itself
 * (the .bt files of src/stdlib, compiled into the binary by scripts/embed-stdlib.sh).
 * Each file is parsed as a prelude and its macros join the script's, which
 * win over a stdlib macro of the same name and arity. */
#include <string.h>

#include "front/parse.h"

struct front_stdlib_file {
    const char *name;
    const char *text;
};
extern const struct front_stdlib_file front_stdlib_files[];

static bool defined_by_script(const struct ast_program *program, const struct ast_macro *macro)
{
    for (size_t i = 0; i < program->macros.count; i++) {
        const struct ast_macro *mine = vec_get(&program->macros, i);
        if (strcmp(mine->name, macro->name) == 0 && mine->params.count == macro->params.count)
            return true;
    }
    return false;
}

/* A stdlib file that does not parse is sonde's bug; its own diag keeps the
 * file's text, and the error names the file and line. */
static const struct ast_program *parse_file(const struct front_stdlib_file *file,
                                            struct arena *arena, struct diag *diag)
{
    struct diag own;
    diag_init(&own, file->name, file->text);
    const struct ast_program *prelude = front_parse(file->text, arena, &own);
    if (!prelude) {
        const struct diag_entry *error = own.entries.count ? vec_get(&own.entries, 0) : NULL;
        diag_error(diag, (struct srcloc){0}, "%s:%d:%d: %s (in sonde's standard library)",
                   file->name, error ? error->loc.line : 0, error ? error->loc.column : 0,
                   error ? error->message : "cannot parse");
    }
    diag_free(&own);
    return prelude;
}

int front_add_stdlib(struct ast_program *program, struct arena *arena, struct diag *diag)
{
    size_t script_macros = program->macros.count;
    for (const struct front_stdlib_file *file = front_stdlib_files; file->name; file++) {
        const struct ast_program *prelude = parse_file(file, arena, diag);
        if (!prelude)
            return -1;
        for (size_t i = 0; i < prelude->macros.count; i++) {
            struct ast_macro *macro = vec_get(&prelude->macros, i);
            macro->stdlib_file = file->name;
            struct ast_program script = {.macros = {program->macros.items, script_macros, 0}};
            if (!defined_by_script(&script, macro))
                vec_push(&program->macros, macro);
        }
    }
    return 0;
}
