// The command lines that run MCU firmware under QEMU: the station firmware (make sim RUNTIME=stm32|rv32, the suites
// with CW_HOST=stm32|rv32) and the replay firmware (test/host/native.test.ts, make bench). The command line the
// firmware sees comes through semihosting:
// newlib's rdimon (STM32F405) takes argv[0] from it too, picolibc (rv32) supplies its own. picolibc writes stdout
// and stderr to one semihosting console, which goes to QEMU's stdout.
export type Mcu = "stm32" | "rv32";

const MACHINES: Record<Mcu, { qemu: string[]; argv0: string[]; console: string[]; chardev: string }> = {
  stm32: { qemu: ["qemu-system-arm", "-M", "netduinoplus2"], argv0: ["replay"], console: [], chardev: "" },
  rv32: { qemu: ["qemu-system-riscv32", "-M", "virt", "-bios", "none"], argv0: [], console: ["-chardev", "stdio,id=sh"], chardev: ",chardev=sh" },
};

/** [command, arguments] running `elf` with `argv`; serial: where the UARTs go, in order (one string: the first);
 *  icount: one instruction per virtual ns; own: argv[0] is in argv (firmware that reads the command line itself). */
export function qemu(mcu: Mcu, elf: string, argv: string[], opts: { serial?: string | string[]; icount?: boolean; own?: boolean } = {}): [string, string[]] {
  const m = MACHINES[mcu];
  const [cmd, ...machine] = m.qemu;
  const args = [...(opts.own ? [] : m.argv0), ...argv].map((a) => `,arg=${a}`).join("");
  const serial = uarts(mcu, [opts.serial ?? "none"].flat());
  return [cmd, [...machine, "-nographic", "-monitor", "none", ...serial, ...(opts.icount ? ["-icount", "shift=0"] : []),
    ...m.console, "-semihosting-config", `enable=on,target=native${m.chardev}${args}`, "-kernel", elf]];
}

/** QEMU options wiring UARTs to backends given as -serial strings ("tcp:HOST:PORT,nodelay=on", "null", "stdio").
 *  The netduinoplus2 has them all (USART1, 2, 3); virt has one 16550, so the second and third are a pci-serial-2x
 *  card in slot 1, where boards/rv32/port.c looks for it. */
function uarts(mcu: Mcu, backends: string[]): string[] {
  if (mcu === "stm32" || backends.length === 1) return backends.flatMap((b) => ["-serial", b]);
  const chardev = (b: string, id: string) => {
    const tcp = /^tcp:([^:]+):(\d+)(,.*)?$/.exec(b);
    return tcp ? `socket,id=${id},host=${tcp[1]},port=${tcp[2]}${tcp[3] ?? ""}` : `${b},id=${id}`;
  };
  const [first, ...rest] = backends;
  const card = rest.flatMap((b, i) => ["-chardev", chardev(b, `uart${i + 1}`)]);
  return ["-serial", first, ...card, "-device", `pci-serial-2x,addr=01.0,${rest.map((_, i) => `chardev${i + 1}=uart${i + 1}`).join(",")}`];
}
