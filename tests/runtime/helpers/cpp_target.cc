/* cpp_target [N]: after the go, N rounds (default 5) of one call each to
 * C++ functions with known mangled names:
 *   sonde::probe(int)          _ZN5sonde5probeEi         returns x + 1
 *   sonde::twice(int)          _ZN5sonde5twiceEi         returns 2 * x
 *   sonde::twice(long)         _ZN5sonde5twiceEl         returns 2 * x
 *   sonde::Counter::bump(int)  _ZN5sonde7Counter4bumpEi  adds to the counter
 * with x the round (0..N-1). On x86-64, sonde::probe's code is fixed: a
 * 3-byte lea at +0, a 10-byte movabs at +3, a nop at +13 and the ret at
 * +14, so instruction boundaries are known. Exits 1 when a result is wrong,
 * which is what a breakpoint inside an instruction would cause. */
#include "go.h"

namespace sonde {

int probe(int x);

__attribute__((noinline)) int twice(int x)
{
    __asm__ volatile("" ::: "memory");
    return 2 * x;
}

__attribute__((noinline)) long twice(long x)
{
    __asm__ volatile("" ::: "memory");
    return 2 * x;
}

struct Counter {
    long total = 0;
    __attribute__((noinline)) void bump(int by);
};

void Counter::bump(int by)
{
    __asm__ volatile("" ::: "memory");
    total += by;
}

} // namespace sonde

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl _ZN5sonde5probeEi\n"
        ".type _ZN5sonde5probeEi, @function\n"
        "_ZN5sonde5probeEi:\n"
        "    lea 1(%rdi), %eax\n"
        "    movabs $0x1122334455667788, %rdx\n"
        "    nop\n"
        "    ret\n"
        ".size _ZN5sonde5probeEi, . - _ZN5sonde5probeEi\n");
#else
__attribute__((noinline)) int sonde::probe(int x)
{
    return x + 1;
}
#endif

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? helper_number(argv[1], "N") : 5;
    go_wait();
    sonde::Counter counter;
    bool right = true;
    for (long i = 0; i < rounds; i++) {
        right = right && sonde::probe((int)i) == i + 1;
        right = right && sonde::twice((int)i) == 2 * i;
        right = right && sonde::twice(i) == 2 * i;
        counter.bump((int)i);
    }
    return right && counter.total == rounds * (rounds - 1) / 2 ? 0 : 1;
}
