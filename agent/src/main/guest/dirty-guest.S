# Drover dirty-guest: a 512-byte x86 boot sector that dirties guest memory
# at a chosen rate, for live-migration tests (after the approach of QEMU's
# tests/migration/i386/a-b-bootblock.S).
#
# It switches to 32-bit protected mode (flat GDT, A20 on), runs sweep 1 flat
# out (writes 1 into the first byte of every page in [start, end): this both
# clears the BIOS's junk above 1 MiB and populates the guest's RAM, so that a
# migration starting at the banner has real pages to send, as with a real
# workload, rather than zero pages that cost nothing), prints
# "DROVER-GUEST-UP\n" to COM1, then sweeps the range forever: each sweep
# increments a 32-bit sweep counter (at SWEEP_COUNTER_ADDR) and writes its low
# byte x into the first byte of every 4 KiB page, in ascending order. So, from
# the banner on, the first bytes of the pages are a run of x followed by a run
# of x-1 (mod 256), one of which may be empty.
#
# Parameters live in a block just before the 0x55AA signature and are patched
# in by io.drover.agent.guest.DirtyGuestImage (little-endian u32 each):
#   param_start           first page of the range (page aligned, >= 1 MiB)
#   param_end             end of the range, exclusive (page aligned)
#   param_pages_per_tick  0 = flat out; N > 0 = at most N pages per tick
# An empty range (start >= end) means idle: the guest halts with interrupts off.
#
# Pacing: PIT channel 0 runs as a free-running rate generator (mode 2, full
# 16-bit period of ~55 ms) and is polled with interrupts off (latch command,
# two reads). Elapsed PIT input clocks are accumulated as credit; every
# TICK_CLOCKS of credit (a 1000.15 Hz "tick") allows N more pages. Measuring
# elapsed clocks instead of waiting for a 1 kHz counter wrap keeps the average
# rate right when the vCPU is descheduled for more than a tick (up to ~55 ms):
# on a loaded nested-KVM host, wrap detection lost 10-40% of the ticks. The
# price: after such a gap the guest catches up with a burst of writes.
# Credit is capped at MAX_CREDIT_TICKS: host scheduling hiccups of a few ms
# are made up, but longer gaps are lost, as for a real workload. That matters
# for auto-converge: QEMU throttles a vCPU by sleeping it for 4 ms (20%) to
# 990 ms (99%) in every 10 ms it runs, and a guest that caught up on all of it
# would never slow down.
#
# Regenerate the committed Java copy of the bytes with regenerate.sh after
# any change here (a unit test checks they agree).

        .equ PAGE_SIZE,          4096
        .equ SWEEP_COUNTER_ADDR, 0x500    # u32; first free byte of conventional memory
        .equ PACER_CREDIT_ADDR,  0x504    # u32; unspent PIT clocks
        .equ COM1,               0x3f8
        .equ PORT_SYS_CTRL_A,    0x92     # bit 1: fast A20 gate, bit 0: reset (keep 0!)
        .equ PIC1_DATA,          0x21
        .equ PIC2_DATA,          0xa1
        .equ PIT_CH0,            0x40
        .equ PIT_CMD,            0x43
        .equ PIT_CH0_MODE2_LOHI, 0x34     # channel 0, lobyte/hibyte, mode 2, binary
        .equ PIT_CH0_LATCH,      0x00     # counter-latch command for channel 0
        .equ PIT_FULL_PERIOD,    0        # reload value 0 = 65536 clocks (~55 ms)
        .equ TICK_CLOCKS,        1193     # 1193182 Hz / 1193 = 1000.15 ticks/s
        .equ MAX_CREDIT_TICKS,   4        # catch up on at most 4 ms of lost time
        .equ MAX_CREDIT,         TICK_CLOCKS * MAX_CREDIT_TICKS
        .equ CODE_SEL,           0x08
        .equ DATA_SEL,           0x10
        .equ CR0_PE,             0x01

# Reads PIT channel 0's latched count into %ax (clobbers nothing else).
        .macro READ_PIT
        mov     $PIT_CH0_LATCH, %al
        outb    %al, $PIT_CMD
        inb     $PIT_CH0, %al
        mov     %al, %ah
        inb     $PIT_CH0, %al
        xchg    %al, %ah
        .endm

        .code16
        .text
        .globl  _start
_start:
        cli
        cld
        xor     %ax, %ax
        mov     %ax, %ds
        ljmp    $0, $real_mode          # normalise CS:IP to 0000:7cxx

real_mode:
        lgdtl   gdt_desc
        mov     %cr0, %eax
        or      $CR0_PE, %eax
        mov     %eax, %cr0
        ljmpl   $CODE_SEL, $protected_mode

        .code32
protected_mode:
        mov     $DATA_SEL, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %eax, %ss

        inb     $PORT_SYS_CTRL_A, %al   # enable A20 via the fast gate
        or      $0x02, %al
        and     $0xfe, %al
        outb    %al, $PORT_SYS_CTRL_A

        mov     $0xff, %al              # mask every PIC line: we only poll
        outb    %al, $PIC1_DATA
        outb    %al, $PIC2_DATA

        movl    $1, SWEEP_COUNTER_ADDR  # sweep 1, flat out, before the banner
        mov     param_start, %edi
        jmp     first_next
first_page:
        movb    $1, (%edi)
        add     $PAGE_SIZE, %edi
first_next:
        cmp     param_end, %edi
        jb      first_page

        mov     $banner, %esi           # QEMU's UART takes bytes at once
        mov     $COM1, %dx
print:
        lodsb
        test    %al, %al
        jz      printed
        outb    %al, %dx
        jmp     print
printed:
        mov     param_start, %esi
        cmp     param_end, %esi
        jae     idle                    # empty range
        mov     param_pages_per_tick, %ebp
        test    %ebp, %ebp
        jz      sweep

        mov     $PIT_CH0_MODE2_LOHI, %al
        outb    %al, $PIT_CMD
        mov     $(PIT_FULL_PERIOD & 0xff), %al
        outb    %al, $PIT_CH0
        mov     $(PIT_FULL_PERIOD >> 8), %al
        outb    %al, $PIT_CH0
        movl    $0, PACER_CREDIT_ADDR
        READ_PIT
        mov     %ax, %dx                # %dx = previous PIT count
        mov     %ebp, %ecx              # %ecx = pages left in this tick

# Registers from here on: %esi = start, %edi = page pointer, %ebp = pages per
# tick, %ecx = pages left in this tick, %ebx = sweep count (%bl = x),
# %dx = previous PIT count. No stack is used.
sweep:
        mov     SWEEP_COUNTER_ADDR, %ebx
        inc     %ebx
        mov     %ebx, SWEEP_COUNTER_ADDR
        mov     %esi, %edi
page:
        mov     %bl, (%edi)
        add     $PAGE_SIZE, %edi
        test    %ebp, %ebp
        jz      next_page               # flat out
        dec     %ecx
        jnz     next_page
wait_tick:                              # tick budget spent: earn credit
        cmpl    $TICK_CLOCKS, PACER_CREDIT_ADDR
        jae     new_tick
        READ_PIT
        sub     %ax, %dx                # elapsed = previous - current, mod 2^16
        movzwl  %dx, %edx
        add     %edx, PACER_CREDIT_ADDR
        mov     %ax, %dx
        cmpl    $MAX_CREDIT, PACER_CREDIT_ADDR
        jbe     wait_tick
        movl    $MAX_CREDIT, PACER_CREDIT_ADDR  # time beyond the cap is lost
        jmp     wait_tick
new_tick:
        subl    $TICK_CLOCKS, PACER_CREDIT_ADDR
        mov     %ebp, %ecx
next_page:
        cmp     param_end, %edi
        jb      page
        jmp     sweep

idle:
        cli
        hlt
        jmp     idle

banner:
        .asciz  "DROVER-GUEST-UP\n"

        .balign 8, 0                    # zero fill: same bytes from any binutils
gdt:
        .quad   0                       # null descriptor
        .quad   0x00cf9a000000ffff      # CODE_SEL: base 0, 4 GiB, 32-bit, exec/read
        .quad   0x00cf92000000ffff      # DATA_SEL: base 0, 4 GiB, read/write
gdt_end:
gdt_desc:
        .word   gdt_end - gdt - 1
        .long   gdt

        .org    0x1f0
param_start:
        .long   0
param_end:
        .long   0
param_pages_per_tick:
        .long   0

        .org    0x1fe
        .byte   0x55, 0xaa              # boot signature
