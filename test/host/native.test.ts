// The same engine.wasm, run natively through wasm2c and the C shim, must do
// exactly what it does in Node: the scripted scenarios of test/native produce
// byte-identical frames, board actions and display texts on both hosts.
import { describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { replay } from "./replay.ts";
import { qemu } from "../../host/qemu.ts";

const dir = new URL("../native/", import.meta.url);
const native = new URL("../../build/chargewasm-replay", import.meta.url).pathname;
const sanitized = new URL("../../build/chargewasm-replay-asan", import.meta.url).pathname;
// The MCU's C (masked addresses, compressed static data, the static runtime of boards/common) built for this machine.
const mcu = new URL("../../build/chargewasm-replay-mcu", import.meta.url).pathname;
// The same C built for the STM32F405 and run on QEMU's netduinoplus2 (a Cortex-M4 STM32F405): the scenario is read
// and the output written through semihosting, and the firmware's exit status is QEMU's.
const stm32 = new URL("../../build/chargewasm-replay-stm32.elf", import.meta.url).pathname;
const env = { ...process.env, ASAN_OPTIONS: "detect_leaks=0" };
type Runner = (scenario: string) => string;
const exec = (bin: string): Runner => (scenario) => execFileSync(bin, [scenario], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
const onStm32: Runner = (scenario) => execFileSync(...qemu("stm32", stm32, [scenario]), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
// And for an rv32imc MCU on QEMU's virt machine, whose one console carries stderr too: the replay's stderr lines (the
// engine's error logs, "error: ...", and the stack figure, "stack: ...") are left out of what is compared.
const rv32 = new URL("../../build/chargewasm-replay-rv32.elf", import.meta.url).pathname;
const onRv32: Runner = (scenario) => execFileSync(...qemu("rv32", rv32, [scenario]), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 })
  .split("\n").filter((l) => !l.startsWith("error: ") && !l.startsWith("stack: ")).join("\n");
const hosts: Runner[] = [exec(native), exec(sanitized), exec(mcu), onStm32, onRv32];

/** The STM32F405 replay with its scenario sent over USART1 (QEMU's serial port on stdio) once the firmware says its
 *  UART is enabled; EOT ends it. The output still comes through semihosting. */
function overStm32Usart(scenario: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(...qemu("stm32", stm32, ["serial"], { serial: "stdio" }));
    let out = "", err = "", sent = false;
    const timer = setTimeout(() => p.kill(), 60_000);
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => {
      err += d;
      if (!sent && err.includes("serial: ready")) { sent = true; p.stdin.end(Buffer.concat([readFileSync(scenario), Buffer.from([4])])); }
    });
    p.on("exit", (code) => { clearTimeout(timer); if (code === 0) resolve(out); else reject(new Error(`exit ${code}: ${err}`)); });
  });
}

describe("native trap recovery", () => {
  it("a trap restarts the engine with boot reason Watchdog and loses no persisted state", () => {
    const path = new URL("faults/trap.scenario", dir).pathname;
    for (const run of hosts) {
      const out = run(path);
      const frames = out.split("\n").filter((l) => l.startsWith("> "));
      expect(out).toContain("fault: trap during store_write");
      expect(frames.filter((f) => f.includes('"BootNotification"')).map((f) => JSON.parse(f.slice(2))[3].reason)).toEqual(["PowerUp", "Watchdog"]);
      expect(frames.some((f) => f.startsWith('> [3,"b"'))).toBe(false);
      expect(JSON.parse(frames.at(-1)!.slice(2))[2].getVariableResult[0].attributeValue).toBe("77");
      expect(out.trim().split("\n").at(-1)).toBe("end 0 restarts 1");
    }
  });
});

describe("native trap handling at start", () => {
  const scenario = (name: string) => new URL(`faults/${name}.scenario`, dir).pathname;

  it("a trap while charging: the restarted engine commands the contactor open and the lock released before anything else", () => {
    for (const run of hosts) {
      const lines = run(scenario("trap-charging")).split("\n").filter((l) => /^(pilot|lock|contactor|fault|end) /.test(l) || l.startsWith("fault:"));
      const trap = lines.indexOf("fault: trap during meter_read");
      expect(lines.slice(trap - 3, trap)).toEqual(["pilot 1 533", "lock 1 1 1", "contactor 1 1"]);
      expect(lines.slice(trap + 1, trap + 4)).toEqual(["contactor 1 0", "lock 1 1 0", "pilot 1 1000"]);
      expect(lines.at(-1)).toBe("end 61000 restarts 1");
    }
  });

  it("an engine that traps in every init is given up after 3 starts: the board is told to make its outputs safe", () => {
    for (const run of hosts) {
      const out = run(scenario("trap-init"));
      expect(out.split("\n").filter((l) => l === "fault: trap during store_read")).toHaveLength(3);
      expect(out).toMatch(/^fatal engine: trap \(.*\), 3 in a row; giving up: outputs made safe, engine stopped$/m);
      expect(out).not.toContain("connect ");
      expect(out.trim().split("\n").at(-1)).toBe("end 60000 restarts 3");
    }
  });
});

describe("native (wasm2c, posix) and Node hosts", () => {
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".scenario"))) {
    it(`${f}: identical output`, async () => {
      const path = new URL(f, dir).pathname;
      const c = execFileSync(native, [path], { encoding: "utf8" });
      const node = await replay(path);
      expect(c.split("\n").length).toBeGreaterThan(10);
      expect(c).toBe(node);
    });

    it(`${f}: the MCU's C (masked addresses, compressed data, static runtime) gives the same output`, () => {
      const path = new URL(f, dir).pathname;
      expect(execFileSync(mcu, [path], { encoding: "utf8" })).toBe(execFileSync(native, [path], { encoding: "utf8" }));
    });

    it(`${f}: the STM32F405 firmware under QEMU (Cortex-M4, one page of linear memory) gives the same output`, () => {
      const path = new URL(f, dir).pathname;
      expect(onStm32(path)).toBe(execFileSync(native, [path], { encoding: "utf8" }));
    });

    it(`${f}: the STM32F405 firmware reads it over its USART (interrupt-driven, ring buffer, held back when full)`, async () => {
      const path = new URL(f, dir).pathname;
      expect(await overStm32Usart(path)).toBe(execFileSync(native, [path], { encoding: "utf8" }));
    });

    it(`${f}: the rv32imc firmware under QEMU (one page of linear memory) gives the same output`, () => {
      const path = new URL(f, dir).pathname;
      expect(onRv32(path)).toBe(execFileSync(native, [path], { encoding: "utf8" }));
    });

    it(`${f}: clean under AddressSanitizer and UBSan`, () => {
      const path = new URL(f, dir).pathname;
      const out = execFileSync(sanitized, [path], { encoding: "utf8", env: { ...process.env, ASAN_OPTIONS: "detect_leaks=1:abort_on_error=1" } });
      expect(out).toBe(execFileSync(native, [path], { encoding: "utf8" }));
    });
  }
});
