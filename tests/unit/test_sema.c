/* The type checker: each rule, with the exact place and text of its error.
 * Probes are BEGIN/END/interval so no kernel access is needed. */
#define SEMA_FIXTURE_CHECKS
#include "sema_fixture.h"

static void check_source(struct checked *out, const char *source, const char *const *params,
                         int param_count)
{
    struct sema_options options = {.max_strlen = 64, .params = {params, param_count}};
    check_with(out, source, &options);
}

static const char *value_type(const struct checked *checked, const char *map_name)
{
    const struct sema_map *map = checked_map(checked, map_name);
    return map && map->value ? type_name((struct arena *)&checked->arena, map->value) : "(none)";
}

static void test_printf(void)
{
    struct checked checked;
    check_source(&checked, "BEGIN { printf(\"%d %s\\n\", pid, comm); }", NULL, 0);
    CHECK(checked.status == 0);
    CHECK(checked.result.printfs.count == 1);
    const struct sema_printf *site = vec_get(&checked.result.printfs, 0);
    CHECK(site->arg_count == 2);
    CHECK_STR(type_name(&checked.arena, site->arg_types[0]), "uint32");
    CHECK_STR(type_name(&checked.arena, site->arg_types[1]), "string[16]");
    release(&checked);

    rejects("BEGIN { printf(\"%d %d\\n\", pid); }", 9, "2 conversions but 1 argument");
    rejects("BEGIN { printf(\"%d\\n\", comm); }", 24, "string");
    rejects("BEGIN { printf(pid); }", 16, "string literal");
    rejects("BEGIN { printf(\"%q\", 1); }", 17, "");
}

static void test_names(void)
{
    rejects("BEGIN { foo(); }", 9, "unknown function 'foo'");
    rejects("BEGIN { @x = pidd; }", 14, "unknown identifier 'pidd'");
    rejects("BEGIN { @x = $y; }", 14, "$y is used before it is assigned");
    rejects("BEGIN { @x = args->count; }", 14, "'args' is not available");
    rejects("BEGIN { @x = nargs; }", 14, "'nargs' is only available");
    rejects("BEGIN { str(); }", 9, "str() takes at least 1 argument, got 0");
    rejects("BEGIN { exit(1, 2); }", 9, "exit() takes at most 1 argument, got 2");

    struct checked checked;
    check_source(&checked, "BEGIN { @x = pidd; }", NULL, 0);
    const struct diag_entry *error = first_error(&checked);
    CHECK(error && error->hint && strstr(error->hint, "'pid'"));
    release(&checked);
}

static void test_maps(void)
{
    struct checked checked;
    check_source(&checked,
                 "BEGIN { @[comm] = count(); @[\"x\"] = count(); @n = pid - 5; @u = nsecs + 1;"
                 " @s = \"abc\"; @b = 1 == 2; @t[1, \"a\"] = 3; }",
                 NULL, 0);
    CHECK(checked.status == 0);
    const struct sema_map *counts = checked_map(&checked, "@");
    CHECK(counts && counts->per_cpu);
    CHECK_STR(type_name(&checked.arena, counts->key), "string[16]");
    CHECK_STR(value_type(&checked, "@"), "count_t");
    CHECK_STR(value_type(&checked, "@n"), "int64");
    CHECK_STR(value_type(&checked, "@u"), "uint64");
    CHECK_STR(value_type(&checked, "@s"), "string[4]");
    CHECK_STR(value_type(&checked, "@b"), "bool");
    const struct sema_map *tuple = checked_map(&checked, "@t");
    CHECK(tuple && tuple->key && tuple->key->kind == TYPE_TUPLE);
    CHECK_STR(type_name(&checked.arena, tuple->key), "(int64, string[2])");
    release(&checked);

    /* A read in one probe is typed by a write in a later one. */
    accepts("BEGIN { @a = @b; } END { @b = 1; }");
    rejects("BEGIN { @a = @never; }", 14, "@never is read but never assigned");
    rejects("BEGIN { @x = 1; @x = \"a\"; }", 22, "@x holds int64");
    rejects("BEGIN { @x[1] = 1; @x[\"a\"] = 1; }", 20, "@x is used with key string[2]");
    rejects("BEGIN { count(); }", 9, "count() can only be assigned to a map");
    rejects("BEGIN { $c = count(); }", 14, "count() can only be assigned to a map");
    /* count/sum/min/max/avg read as integers (summed over CPUs); stats cannot. */
    rejects("BEGIN { @c = stats(1); @d = @c; }", 29, "which a probe cannot read");
    accepts("BEGIN { @x++; @y[1] += 5; @z -= 1; }");
}

static void test_statements(void)
{
    accepts("BEGIN { $x = 1; if ($x > 0) { $x = 2; } else if ($x < 0) { $x = 3; } else { $x = 4; } }");
    accepts("BEGIN { $i = 0; while ($i < 10) { $i++; if ($i == 5) { break; } continue; } }");
    accepts("BEGIN { unroll(3) { @x++; } }");
    accepts("BEGIN { $s = \"a\"; $s = \"longer\"; if ($s == \"b\") { exit(); } }");
    accepts("interval:s:1 { @ticks = count(); }");
    rejects("BEGIN { $x = 1; $x = \"s\"; }", 22, "$x holds int64");
    rejects("BEGIN { if (\"a\") { } }", 13, "a condition must be an integer");
    rejects("BEGIN { break; }", 9, "break outside of a loop");
    rejects("BEGIN { $a = \"a\" < \"b\"; }", 14, "cannot compare string[2] and string[2]");
    rejects("BEGIN { $a = comm + 1; }", 14, "arithmetic needs integers");
    rejects("BEGIN { $a = 1 ? 2 : \"x\"; }", 14, "both branches");
    rejects("BEGIN { unroll(200) { } }", 16, "unroll needs a constant count");
    rejects("BEGIN { $x = printf(\"a\"); }", 14, "no value");
}

static void test_positional(void)
{
    const char *params[] = {"42", "hello"};
    struct checked checked;
    check_source(&checked, "BEGIN { @a = $1; @b = $2; @c = $#; @d = $3; @e = str($2); }", params, 2);
    CHECK(checked.status == 0);
    CHECK_STR(value_type(&checked, "@a"), "int64");
    CHECK_STR(value_type(&checked, "@b"), "string[6]");
    CHECK_STR(value_type(&checked, "@c"), "int64");
    CHECK_STR(value_type(&checked, "@d"), "int64"); /* missing: 0 */
    CHECK_STR(value_type(&checked, "@e"), "string[6]");
    release(&checked);
}

int main(void)
{
    test_printf();
    test_names();
    test_maps();
    test_statements();
    test_positional();
    return TEST_DONE();
}
