/* The direct backend's object writer: what libbpf finds in the object is
 * what was asked for (programs, sections, maps with their attributes, the
 * .bss global), relocations to unknown names or to instructions that are
 * not ld_imm64 are errors with a sentence, and, as root, the kernel loads
 * the programs. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "codegen/bpf_writer.h"
#include "test.h"

/* Hand-encoded instructions, enough for the test programs (macros, so
 * that the programs can be static initialisers). */
#define INSN(op, dst, src, offset, immediate)                                                      \
    {                                                                                              \
        .code = (op), .dst_reg = (dst), .src_reg = (src), .off = (offset), .imm = (immediate)      \
    }
#define MOV_IMM(dst, imm)        INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define MOV_REG(dst, src)        INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ADD_IMM(dst, imm)        INSN(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm)
#define STORE_ZERO(base, off)    INSN(BPF_ST | BPF_MEM | BPF_DW, base, 0, off, 0)
#define LOAD_U64(dst, base, off) INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, base, off, 0)
#define CALL(helper)             INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper)
#define JUMP_IF_ZERO(reg, off)   INSN(BPF_JMP | BPF_JEQ | BPF_K, reg, 0, off, 0)
#define EXIT()                   INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* ld_imm64 takes two slots; the relocation fills in the pointer. */
#define LD_IMM64(dst) INSN(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, 0), INSN(0, 0, 0, 0, 0)

/* Looks a zeroed 8-byte key up in "counts", null-checks, returns 0. */
static const struct bpf_insn lookup_insns[] = {
    STORE_ZERO(BPF_REG_10, -8),
    MOV_REG(BPF_REG_2, BPF_REG_10),
    ADD_IMM(BPF_REG_2, -8),
    LD_IMM64(BPF_REG_1), /* index 3: counts */
    CALL(BPF_FUNC_map_lookup_elem),
    JUMP_IF_ZERO(BPF_REG_0, 1),
    LOAD_U64(BPF_REG_1, BPF_REG_0, 0),
    MOV_IMM(BPF_REG_0, 0),
    EXIT(),
};
static const struct bpf_writer_relocation lookup_relocations[] = {{3, "counts"}};

/* Returns the global sonde_stopping. */
static const struct bpf_insn stopping_insns[] = {
    LD_IMM64(BPF_REG_1), /* index 0: sonde_stopping */
    LOAD_U64(BPF_REG_0, BPF_REG_1, 0),
    EXIT(),
};
static const struct bpf_writer_relocation stopping_relocations[] = {{0, "sonde_stopping"}};

/* Points at the per-CPU array and the ring buffer, returns 0. */
static const struct bpf_insn read_insns[] = {
    LD_IMM64(BPF_REG_1), /* index 0: scratch */
    LD_IMM64(BPF_REG_2), /* index 2: events */
    MOV_IMM(BPF_REG_0, 0),
    EXIT(),
};
static const struct bpf_writer_relocation read_relocations[] = {{0, "scratch"}, {2, "events"}};

#define COUNT(array) (unsigned)(sizeof(array) / sizeof((array)[0]))
#define PROGRAM(name, section, insns, relocations)                                                 \
    {                                                                                              \
        name, section, insns, COUNT(insns), relocations, COUNT(relocations)                        \
    }

static const struct bpf_writer_program programs[] = {
    PROGRAM("lookup", "raw_tp", lookup_insns, lookup_relocations),
    PROGRAM("read_enter", "tracepoint/syscalls/sys_enter_read", read_insns, read_relocations),
    PROGRAM("stopping", "raw_tp", stopping_insns, stopping_relocations),
};

static const struct bpf_writer_map maps[] = {
    {"counts", BPF_MAP_TYPE_HASH, 1024, 8, 8, BPF_F_NO_PREALLOC},
    {"scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 1, 4, 16, 0},
    {"events", BPF_MAP_TYPE_RINGBUF, 4096 * 16, 0, 0, 0},
};

static const struct bpf_writer_global globals[] = {{"sonde_stopping", 8}};

static const struct bpf_writer_object full_object = {
    programs, COUNT(programs), maps, COUNT(maps), globals, COUNT(globals), "GPL",
};

static struct bpf_object *open_object(const struct bpf_writer_object *object)
{
    void *elf = NULL;
    size_t size = 0;
    char error[256];
    int err = bpf_writer_write(object, &elf, &size, error, sizeof(error));
    CHECK(err == 0);
    if (err) {
        fprintf(stderr, "bpf_writer_write: %s\n", error);
        return NULL;
    }
    LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = "writer_test");
    struct bpf_object *obj = bpf_object__open_mem(elf, size, &options);
    free(elf); /* libbpf keeps its own copy */
    CHECK(obj != NULL);
    return obj;
}

static void check_program(struct bpf_object *obj, const char *name, const char *section,
                          size_t insn_count)
{
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);
    CHECK(prog != NULL);
    if (!prog)
        return;
    CHECK_STR(bpf_program__section_name(prog), section);
    CHECK(bpf_program__insn_cnt(prog) == insn_count);
}

static void check_map(struct bpf_object *obj, const struct bpf_writer_map *expected)
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, expected->name);
    CHECK(map != NULL);
    if (!map)
        return;
    CHECK(bpf_map__type(map) == (enum bpf_map_type)expected->type);
    CHECK(bpf_map__max_entries(map) == expected->max_entries);
    CHECK(bpf_map__key_size(map) == expected->key_size);
    CHECK(bpf_map__value_size(map) == expected->value_size);
    CHECK(bpf_map__map_flags(map) == expected->flags);
}

/* libbpf names the internal map after the object: "writer_test.bss" (cut). */
static struct bpf_map *bss_map(struct bpf_object *obj)
{
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj)
    {
        const char *name = bpf_map__name(map);
        size_t length = strlen(name);
        if (bpf_map__is_internal(map) && length >= 4 && strcmp(name + length - 4, ".bss") == 0)
            return map;
    }
    return NULL;
}

/* As root the verifier sees the programs. Returns whether they loaded. */
static bool check_load(struct bpf_object *obj)
{
    if (geteuid() != 0) {
        printf("skipped load (not root)\n");
        return false;
    }
    int err = bpf_object__load(obj);
    CHECK(err == 0);
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) CHECK(err || bpf_program__fd(prog) >= 0);
    return err == 0;
}

/* The global's relocation reaches the .bss map: "stopping" returns the
 * value the map was created with. */
static void check_global_value(struct bpf_object *obj, __u64 expected)
{
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "stopping");
    LIBBPF_OPTS(bpf_test_run_opts, run);
    CHECK(prog && bpf_prog_test_run_opts(bpf_program__fd(prog), &run) == 0);
    CHECK(run.retval == (__u32)expected);
}

static void test_libbpf_finds_everything(void)
{
    struct bpf_object *obj = open_object(&full_object);
    if (!obj)
        return;
    check_program(obj, "lookup", "raw_tp", COUNT(lookup_insns));
    check_program(obj, "stopping", "raw_tp", COUNT(stopping_insns));
    check_program(obj, "read_enter", "tracepoint/syscalls/sys_enter_read", COUNT(read_insns));
    for (unsigned i = 0; i < COUNT(maps); i++)
        check_map(obj, &maps[i]);
    struct bpf_map *bss = bss_map(obj);
    CHECK(bss != NULL);
    __u64 stopping = 42;
    if (bss) {
        CHECK(bpf_map__value_size(bss) == 8);
        CHECK(bpf_map__set_initial_value(bss, &stopping, sizeof(stopping)) == 0);
    }
    if (check_load(obj))
        check_global_value(obj, stopping);
    bpf_object__close(obj);
}

static int open_fd_count(void)
{
    int count = 0;
    for (int fd = 0; fd < 1024; fd++)
        count += fcntl(fd, F_GETFD) >= 0;
    return count;
}

/* Writing, opening, loading and closing leave no descriptor open (no
 * leaked memfd, no program or map left in the kernel by us). */
static void test_nothing_left_behind(void)
{
    int before = open_fd_count();
    struct bpf_object *obj = open_object(&full_object);
    if (obj && geteuid() == 0)
        CHECK(bpf_object__load(obj) == 0);
    bpf_object__close(obj);
    CHECK(open_fd_count() == before);
}

static Elf_Scn *section_named(Elf *elf, const char *name)
{
    size_t strings;
    elf_getshdrstrndx(elf, &strings);
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr header;
        gelf_getshdr(scn, &header);
        if (strcmp(elf_strptr(elf, strings, header.sh_name), name) == 0)
            return scn;
    }
    return NULL;
}

static void check_section(Elf *elf, const char *name, unsigned type, unsigned flags, unsigned align,
                          size_t size)
{
    Elf_Scn *scn = section_named(elf, name);
    GElf_Shdr header;
    CHECK(scn != NULL);
    if (!scn || !gelf_getshdr(scn, &header))
        return;
    CHECK(header.sh_type == type);
    CHECK(header.sh_flags == flags);
    CHECK(header.sh_addralign == align);
    CHECK(header.sh_size == size);
}

/* Locals come first and sh_info points at the first global, as the ELF
 * rules (and libelf-based readers) expect. */
static void check_symbol_order(Elf *elf)
{
    Elf_Scn *scn = section_named(elf, ".symtab");
    GElf_Shdr header;
    CHECK(scn != NULL);
    if (!scn || !gelf_getshdr(scn, &header))
        return;
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t count = header.sh_size / header.sh_entsize;
    for (size_t i = 0; i < count; i++) {
        GElf_Sym sym;
        gelf_getsym(data, (int)i, &sym);
        bool local = GELF_ST_BIND(sym.st_info) == STB_LOCAL;
        CHECK(local == (i < header.sh_info));
    }
}

static void test_elf_layout(void)
{
    void *image = NULL;
    size_t size = 0;
    char error[256];
    CHECK(bpf_writer_write(&full_object, &image, &size, error, sizeof(error)) == 0);
    elf_version(EV_CURRENT);
    Elf *elf = image ? elf_memory(image, size) : NULL;
    CHECK(elf != NULL);
    if (!elf) {
        free(image);
        return;
    }
    GElf_Ehdr ehdr;
    CHECK(gelf_getehdr(elf, &ehdr) != NULL);
    CHECK(ehdr.e_machine == EM_BPF && ehdr.e_type == ET_REL);
    CHECK(ehdr.e_ident[EI_CLASS] == ELFCLASS64 && ehdr.e_ident[EI_DATA] == ELFDATA2LSB);
    size_t exec = SHF_ALLOC | SHF_EXECINSTR, data = SHF_ALLOC | SHF_WRITE;
    size_t raw_tp_size = (COUNT(lookup_insns) + COUNT(stopping_insns)) * 8;
    check_section(elf, "raw_tp", SHT_PROGBITS, exec, 8, raw_tp_size);
    check_section(elf, ".relraw_tp", SHT_REL, SHF_INFO_LINK, 8, 2 * sizeof(Elf64_Rel));
    check_section(elf, ".maps", SHT_PROGBITS, data, 8, (5 + 4 + 2) * 8);
    check_section(elf, ".bss", SHT_NOBITS, data, 8, 8);
    check_section(elf, "license", SHT_PROGBITS, data, 1, 4);
    check_symbol_order(elf);
    elf_end(elf);
    free(image);
}

/* Without maps or globals there is no ".maps" and no ".bss" (libbpf
 * refuses a ".maps" section without its DATASEC). */
static void test_program_alone(void)
{
    static const struct bpf_insn insns[] = {MOV_IMM(BPF_REG_0, 0), EXIT()};
    static const struct bpf_writer_program alone = {"alone", "raw_tp", insns, 2, NULL, 0};
    struct bpf_writer_object object = {&alone, 1, NULL, 0, NULL, 0, "GPL"};
    struct bpf_object *obj = open_object(&object);
    if (!obj)
        return;
    check_program(obj, "alone", "raw_tp", 2);
    CHECK(bss_map(obj) == NULL);
    check_load(obj);
    bpf_object__close(obj);
}

/* Writes `program` beside the test's maps and globals; returns the error. */
static int write_with(const struct bpf_writer_program *program, char *error, size_t size)
{
    struct bpf_writer_object object = full_object;
    object.programs = program;
    object.program_count = 1;
    void *image = (void *)1;
    size_t image_size = 1;
    int err = bpf_writer_write(&object, &image, &image_size, error, size);
    CHECK(err != 0 || image != NULL);
    CHECK(err == 0 || (image == NULL && image_size == 0));
    free(image);
    return err;
}

static void test_bad_relocations(void)
{
    char error[256];
    static const struct bpf_writer_relocation unknown[] = {{0, "nowhere"}};
    struct bpf_writer_program program = PROGRAM("bad", "raw_tp", stopping_insns, unknown);
    CHECK(write_with(&program, error, sizeof(error)) == -ENOENT);
    CHECK(strstr(error, "'nowhere'") != NULL && strstr(error, "program 'bad'") != NULL);

    static const struct bpf_writer_relocation not_ld[] = {{2, "counts"}};
    program.relocations = not_ld; /* instruction 2 is the exit */
    CHECK(write_with(&program, error, sizeof(error)) == -EINVAL);
    CHECK(strstr(error, "not the first half of an ld_imm64") != NULL);

    static const struct bpf_writer_relocation second_half[] = {{1, "counts"}};
    program.relocations = second_half;
    CHECK(write_with(&program, error, sizeof(error)) == -EINVAL);

    static const struct bpf_writer_relocation past_end[] = {{7, "counts"}};
    program.relocations = past_end;
    CHECK(write_with(&program, error, sizeof(error)) == -EINVAL);
    CHECK(strstr(error, "instruction 7") != NULL);
}

/* A map and a global of one name: libbpf would match BTF to either. */
static void test_duplicate_names(void)
{
    static const struct bpf_writer_global clash[] = {{"counts", 8}};
    struct bpf_writer_object object = full_object;
    object.globals = clash;
    void *image = NULL;
    size_t size = 0;
    char error[256];
    CHECK(bpf_writer_write(&object, &image, &size, error, sizeof(error)) == -EINVAL);
    CHECK(strstr(error, "'counts'") != NULL);
    free(image);
}

int main(void)
{
    test_libbpf_finds_everything();
    test_nothing_left_behind();
    test_elf_layout();
    test_program_alone();
    test_bad_relocations();
    test_duplicate_names();
    return TEST_DONE();
}
