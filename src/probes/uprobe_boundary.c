/* Whether uprobe:BIN:FUNC+OFFSET lands on an instruction. The kernel does
 * not check: it writes its breakpoint byte wherever it is told, and one in
 * the middle of an instruction changes that instruction, so the traced
 * program computes wrong results or crashes. x86-64 instructions have
 * lengths from 1 to 15 bytes, so the function is decoded from its start
 * with LLVM's disassembler; arm64 instructions are 4 bytes each. */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "probes/uprobe_internal.h"

/* The longest x86 instruction: enough bytes past the offset to decode the
 * instruction that holds it. */
#define LONGEST_INSTRUCTION 15
/* How far into a function whose size the symbol table does not give
 * sonde decodes, so that a mistyped offset does not read a whole file. */
#define LONGEST_UNSIZED_FUNCTION (1u << 20)

/* The X86 target is registered only on the first check, not at start-up:
 * most runs never probe at an offset. */
static void register_x86(void)
{
    static bool registered;
    if (registered)
        return;
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
    registered = true;
}

/* The function's first `offset + LONGEST_INSTRUCTION` bytes (fewer at the
 * end of the file); NULL when the file cannot be read there. */
static unsigned char *read_code(struct arena *arena, const char *path,
                                const struct probe_elf_symbol *symbol, uint64_t offset,
                                size_t *count)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t wanted = (size_t)offset + LONGEST_INSTRUCTION;
    unsigned char *bytes = arena_alloc(arena, wanted);
    ssize_t got = pread(fd, bytes, wanted, (off_t)symbol->file_offset);
    close(fd);
    if (got <= (ssize_t)offset)
        return NULL;
    *count = (size_t)got;
    return bytes;
}

static void check_x86(struct arena *arena, const char *path, const char *triple,
                      const struct probe_elf_symbol *symbol, uint64_t offset,
                      struct uprobe_boundary_check *out)
{
    size_t count = 0;
    unsigned char *bytes =
        offset < LONGEST_UNSIZED_FUNCTION ? read_code(arena, path, symbol, offset, &count) : NULL;
    if (!bytes) {
        out->result = UPROBE_BOUNDARY_UNCHECKED;
        out->reason = arena_printf(arena, "the code of %s cannot be read", symbol->name);
        return;
    }
    register_x86();
    LLVMDisasmContextRef disassembler = LLVMCreateDisasm(triple, NULL, 0, NULL, NULL);
    if (!disassembler) {
        out->result = UPROBE_BOUNDARY_UNCHECKED;
        out->reason = arena_printf(arena, "LLVM has no disassembler for %s", triple);
        return;
    }
    uint64_t start = 0, next = 0;
    char text[128];
    while (next < offset) {
        size_t length = LLVMDisasmInstruction(disassembler, bytes + next, count - next,
                                              symbol->address + next, text, sizeof(text));
        if (length == 0)
            break;
        start = next;
        next += length;
    }
    LLVMDisasmDispose(disassembler);
    if (next < offset) {
        out->result = UPROBE_BOUNDARY_UNCHECKED;
        out->reason = arena_printf(arena, "the code of %s does not decode at +%llu", symbol->name,
                                   (unsigned long long)next);
        return;
    }
    out->result = next == offset ? UPROBE_BOUNDARY_OK : UPROBE_BOUNDARY_INSIDE;
    out->before = start;
    out->after = next;
}

static const char *machine_name(uint16_t machine)
{
    switch (machine) {
    case EM_ARM:
        return "32-bit arm";
    case EM_PPC64:
        return "ppc64";
    case EM_S390:
        return "s390x";
    case EM_RISCV:
        return "riscv";
    case EM_MIPS:
        return "mips";
    case EM_LOONGARCH:
        return "loongarch";
    default:
        return NULL;
    }
}

void probes_uprobe_check_boundary(struct arena *arena, const char *path,
                                  const struct probe_elf *elf,
                                  const struct probe_elf_symbol *symbol, uint64_t offset,
                                  struct uprobe_boundary_check *out)
{
    memset(out, 0, sizeof(*out));
    if (offset == 0)
        return;
    if (elf->machine == EM_X86_64 || elf->machine == EM_386) {
        check_x86(arena, path, elf->machine == EM_386 ? "i386-linux-gnu" : "x86_64-linux-gnu",
                  symbol, offset, out);
        return;
    }
    if (elf->machine == EM_AARCH64) {
        out->result = offset % 4 == 0 ? UPROBE_BOUNDARY_OK : UPROBE_BOUNDARY_INSIDE;
        out->before = offset & ~(uint64_t)3;
        out->after = out->before + 4;
        return;
    }
    const char *name = machine_name(elf->machine);
    out->result = UPROBE_BOUNDARY_UNCHECKED;
    out->reason = name ? arena_printf(arena, "sonde cannot decode %s code", name)
                       : arena_printf(arena, "sonde cannot decode the code of ELF machine %u",
                                      (unsigned)elf->machine);
}
