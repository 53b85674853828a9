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
# Pacing: PIT channel 2 runs as a free-running counter (mode 2, full 16-bit
# period of ~55 ms, gated on through port 0x61 with the speaker off) and is
# read with a latch command; PIT channel 0 raises IRQ0 at 1000.15 Hz (mode 2,
# reload TICK_CLOCKS). Elapsed channel-2 clocks are accumulated as credit;
# every TICK_CLOCKS of credit (a "tick") allows N more pages. When the credit
# for the next tick is not there yet, the guest halts with interrupts on
# ("sti; hlt") until IRQ0 wakes it, so a paced guest costs its host core only
# its writes and a thousand wake-ups a second, as a real mostly-idle workload
# does, instead of spinning it at 100% (which on a small host starves the
# control plane and QEMU's migration thread alike). IRQ0's handler does not
# return with iret: interrupts are only ever on at that one hlt, so it
# acknowledges the PIC, resets the stack and jumps back to the pacing loop.
# Measuring elapsed clocks instead of counting interrupts keeps the average
# rate right when the vCPU is descheduled for more than a tick (up to ~55 ms):
# on a loaded nested-KVM host, counting lost 10-40% of the ticks. The
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
        .equ PIC1_CMD,           0x20
        .equ PIC2_CMD,           0xa0
        .equ PIC_EOI,            0x20
        .equ PIC_ICW1_INIT_ICW4, 0x11     # edge triggered, cascaded, ICW4 follows
        .equ IRQ0_VECTOR,        0x20     # the master PIC's lines at 0x20-0x27, the slave's at 0x28-0x2f
        .equ PIT_CH0,            0x40
        .equ PIT_CH2,            0x42
        .equ PIT_CMD,            0x43
        .equ PIT_CH0_MODE2_LOHI, 0x34     # channel 0, lobyte/hibyte, mode 2, binary
        .equ PIT_CH2_MODE2_LOHI, 0xb4     # channel 2, lobyte/hibyte, mode 2, binary
        .equ PIT_CH2_LATCH,      0x80     # counter-latch command for channel 2
        .equ PORT_SPEAKER,       0x61     # bit 0: PIT channel 2 gate, bit 1: speaker data
        .equ IDT_ADDR,           0x1000   # free conventional memory; IRQ0's gate is its last entry
        .equ IDT_SIZE,           (IRQ0_VECTOR + 1) * 8
        .equ STACK_TOP,          0x7c00   # grows down from below this sector
        .equ INTERRUPT_GATE_32,  0x8e00   # present, DPL 0, 32-bit interrupt gate (clears IF)
        .equ TICK_CLOCKS,        1193     # 1193182 Hz / 1193 = 1000.15 ticks/s
        .equ MAX_CREDIT_TICKS,   4        # catch up on at most 4 ms of lost time
        .equ MAX_CREDIT,         TICK_CLOCKS * MAX_CREDIT_TICKS
        .equ CODE_SEL,           0x08
        .equ DATA_SEL,           0x10
        .equ CR0_PE,             0x01

# Reads PIT channel 2's latched count into %ax (clobbers nothing else).
        .macro READ_PIT
        mov     $PIT_CH2_LATCH, %al
        outb    %al, $PIT_CMD
        inb     $PIT_CH2, %al
        mov     %al, %ah
        inb     $PIT_CH2, %al
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
        mov     $STACK_TOP, %esp        # the BIOS's %esp has undefined high bits

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

        mov     $PIT_CH2_MODE2_LOHI, %al  # channel 2: the free-running clock
        outb    %al, $PIT_CMD
        xor     %al, %al                # reload 0 = 65536 clocks
        outb    %al, $PIT_CH2
        outb    %al, $PIT_CH2
        inb     $PORT_SPEAKER, %al      # gate channel 2 on, speaker off
        and     $0xfc, %al
        or      $0x01, %al
        outb    %al, $PORT_SPEAKER

        mov     $PIT_CH0_MODE2_LOHI, %al  # channel 0: IRQ0 every tick
        outb    %al, $PIT_CMD
        mov     $(TICK_CLOCKS & 0xff), %al
        outb    %al, $PIT_CH0
        mov     $(TICK_CLOCKS >> 8), %al
        outb    %al, $PIT_CH0

        mov     $PIC_ICW1_INIT_ICW4, %al  # remap the PICs off the CPU's exception vectors
        outb    %al, $PIC1_CMD
        outb    %al, $PIC2_CMD
        mov     $IRQ0_VECTOR, %al       # ICW2: vector bases
        outb    %al, $PIC1_DATA
        mov     $(IRQ0_VECTOR + 8), %al
        outb    %al, $PIC2_DATA
        mov     $0x04, %al              # ICW3: the slave on line 2
        outb    %al, $PIC1_DATA
        mov     $0x02, %al
        outb    %al, $PIC2_DATA
        mov     $0x01, %al              # ICW4: 8086 mode
        outb    %al, $PIC1_DATA
        outb    %al, $PIC2_DATA
        mov     $0xfe, %al              # IRQ0 only (the slave stays masked)
        outb    %al, $PIC1_DATA

        xor     %eax, %eax              # an IDT of absent gates but IRQ0's
        mov     $IDT_ADDR, %edi
        mov     $(IDT_SIZE / 4), %ecx
        rep stosl
        movl    $(CODE_SEL << 16) + irq0, IDT_ADDR + IRQ0_VECTOR * 8
        movl    $INTERRUPT_GATE_32, IDT_ADDR + IRQ0_VECTOR * 8 + 4
        lidt    idt_desc

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
        READ_PIT
        sub     %ax, %dx                # elapsed = previous - current, mod 2^16
        movzwl  %dx, %edx
        add     %edx, PACER_CREDIT_ADDR
        mov     %ax, %dx
        cmpl    $MAX_CREDIT, PACER_CREDIT_ADDR
        jbe     1f
        movl    $MAX_CREDIT, PACER_CREDIT_ADDR  # time beyond the cap is lost
1:      cmpl    $TICK_CLOCKS, PACER_CREDIT_ADDR
        jae     new_tick
        sti                             # interrupts on for the hlt only
        hlt                             # (sti's shadow: no wake-up is missed)
        jmp     wait_tick               # woken by something else than IRQ0

# IRQ0: interrupts are only ever on at the hlt above, and nothing is live in
# %eax or on the stack there, so instead of returning with iret the handler
# drops its frame and goes back to the loop with interrupts off again.
irq0:
        mov     $PIC_EOI, %al
        outb    %al, $PIC1_CMD
        mov     $STACK_TOP, %esp
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
idt_desc:
        .word   IDT_SIZE - 1
        .long   IDT_ADDR

        .org    0x1f0
param_start:
        .long   0
param_end:
        .long   0
param_pages_per_tick:
        .long   0

        .org    0x1fe
        .byte   0x55, 0xaa              # boot signature
