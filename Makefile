# chargewasm — `make sim` runs a simulated station against the built-in CSMS;
# `make test` installs what is missing and runs every test.
SHELL := /bin/bash
NPM_STAMP := node_modules/.installed
ENGINE := build/engine.wasm
GEN := assembly/generated/ocpp.ts
ENGINE_SRC := $(shell find assembly -name '*.ts' -not -path 'assembly/generated/*' -not -path 'assembly/__tests__/*') asconfig.json schemas/log-text.mjs

.PHONY: all deps engine native typecheck test test-engine test-host test-posix test-mcu soak fuzz fuzz-corpus sim csms bench bench-check clean

all: engine

# npm ci whenever the lock file changed since the last install. Node 20 or newer is needed (Debian 12's nodejs is 18).
NODE_MAJOR_MIN := 20
$(NPM_STAMP): package.json package-lock.json
	@command -v node >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	@major=$$(node -p 'process.versions.node.split(".")[0]'); if [ "$$major" -lt $(NODE_MAJOR_MIN) ]; then \
	  echo "chargewasm needs Node $(NODE_MAJOR_MIN) or newer; this machine has $$(node --version). Install Node $(NODE_MAJOR_MIN)+ (e.g. from NodeSource or nvm) and run make again." >&2; exit 1; fi
	npm ci --no-audit --no-fund
	@touch $@

# Debian packages: mosquitto (a real MQTT broker for the EMS tests), wabt (wasm2c), gcc and libwebsockets for the native build,
# clang with its runtime (libFuzzer) for the fuzz target.
DEB_STAMP := node_modules/.debs
$(DEB_STAMP): $(NPM_STAMP)
	@missing=""; \
	{ [ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null; } || missing="$$missing mosquitto"; \
	command -v wasm2c >/dev/null || missing="$$missing wabt"; \
	command -v gcc >/dev/null || missing="$$missing gcc libc6-dev"; \
	{ command -v clang >/dev/null && ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; } || missing="$$missing clang libclang-rt-dev"; \
	[ -f /usr/include/libwebsockets.h ] || missing="$$missing libwebsockets-dev"; \
	if [ -n "$$missing" ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; fi
	@touch $@

# The native engine: wasm2c turns the very engine.wasm that Node runs into C, linked with the C shim.
NATIVE := build/native
MCU_C := build/mcu
WASM_RT := /usr/src/wasm2c
CFLAGS_SHIM := -O2 -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Iboards/include -I$(NATIVE) -I$(WASM_RT)

$(NATIVE)/engine.c: $(ENGINE) $(DEB_STAMP)
	@mkdir -p $(NATIVE)
	wasm2c $(ENGINE) -n engine -o $@

$(NATIVE)/engine.o: $(NATIVE)/engine.c
	gcc -O2 -I$(WASM_RT) -c $< -o $@

$(NATIVE)/wasm-rt-impl.o: $(DEB_STAMP)
	@mkdir -p $(NATIVE)
	gcc -O2 -I$(WASM_RT) -c $(WASM_RT)/wasm-rt-impl.c -o $@

$(NATIVE)/%.o: boards/common/%.c boards/include/chargewasm.h boards/include/boardlink.h $(NATIVE)/engine.c
	gcc $(CFLAGS_SHIM) -c $< -o $@

$(NATIVE)/replay.o: boards/posix/replay.c boards/include/chargewasm.h $(DEB_STAMP)
	@mkdir -p $(NATIVE)
	gcc $(CFLAGS_SHIM) -c $< -o $@

build/chargewasm-replay: $(NATIVE)/replay.o $(NATIVE)/engine_wasm2c.o $(NATIVE)/engine.o $(NATIVE)/wasm-rt-impl.o
	gcc -o $@ $^ -lm

# The same board and binding built with AddressSanitizer and UBSan (the generated engine is linked as is).
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(NATIVE)/%.asan.o: boards/common/%.c boards/include/chargewasm.h $(NATIVE)/engine.c
	gcc $(CFLAGS_SHIM) $(SAN) -c $< -o $@
$(NATIVE)/replay.asan.o: boards/posix/replay.c boards/include/chargewasm.h $(DEB_STAMP)
	@mkdir -p $(NATIVE)
	gcc $(CFLAGS_SHIM) $(SAN) -c $< -o $@
build/chargewasm-replay-asan: $(NATIVE)/replay.asan.o $(NATIVE)/engine_wasm2c.asan.o $(NATIVE)/engine.o $(NATIVE)/wasm-rt-impl.o
	gcc $(SAN) -o $@ $^ -lm

$(NATIVE)/station.o: boards/posix/station.c boards/include/chargewasm.h boards/include/boardlink.h boards/include/kvstore.h $(DEB_STAMP)
	@mkdir -p $(NATIVE)
	gcc $(CFLAGS_SHIM) -c $< -o $@
build/chargewasm-station: $(NATIVE)/station.o $(NATIVE)/boardlink.o $(NATIVE)/kvstore.o $(NATIVE)/engine_wasm2c.o $(NATIVE)/engine.o $(NATIVE)/wasm-rt-impl.o
	gcc -o $@ $^ -lwebsockets -lm

$(NATIVE)/station.asan.o: boards/posix/station.c boards/include/chargewasm.h boards/include/boardlink.h boards/include/kvstore.h $(DEB_STAMP)
	gcc $(CFLAGS_SHIM) $(SAN) -c $< -o $@
build/chargewasm-station-asan: $(NATIVE)/station.asan.o $(NATIVE)/boardlink.asan.o $(NATIVE)/kvstore.asan.o $(NATIVE)/engine_wasm2c.asan.o $(NATIVE)/engine.o $(NATIVE)/wasm-rt-impl.o
	gcc $(SAN) -o $@ $^ -lwebsockets -lm

# The MCU's C (masked addresses, compressed data, the static runtime) built for this machine: the native tests run the
# scenarios through it too, so the code that goes into firmware is exercised here, in the 4 pages engine.wasm may use (maximumMemory).
MCU_X86 := $(NATIVE)/mcu
MCU_X86_CFLAGS := -O2 -std=c11 -D_DEFAULT_SOURCE -DCW_LINEAR_PAGES=1 '-DCW_ADDR_MASK=(CW_LINEAR_PAGES * 65536u - 1u)' \
  -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -Iboards/include -I$(NATIVE) -I$(WASM_RT)
$(MCU_X86)/engine.o: $(MCU_C)/engine.c
	@mkdir -p $(MCU_X86)
	gcc $(filter-out -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0,$(MCU_X86_CFLAGS)) $(MCU_MEMCHECK) -c $< -o $@
$(MCU_X86)/engine_data.o: $(MCU_C)/engine_data.c
	@mkdir -p $(MCU_X86)
	gcc $(MCU_X86_CFLAGS) -c $< -o $@
$(MCU_X86)/%.o: boards/common/%.c boards/include/chargewasm.h $(NATIVE)/engine.c
	@mkdir -p $(MCU_X86)
	gcc $(MCU_X86_CFLAGS) -Wall -Wextra -Werror -Wshadow -c $< -o $@
build/chargewasm-replay-mcu: $(NATIVE)/replay.o $(MCU_X86)/engine_wasm2c.o $(MCU_X86)/engine.o $(MCU_X86)/engine_data.o $(MCU_X86)/data_lz.o $(MCU_X86)/wasm_rt_static.o
	gcc -o $@ $^ -lm

# The MCU flash key-value store (boards/common/kvstore.c) on a simulated NOR flash, cut at every flash operation.
build/kvstore-test: boards/common/kvstore.c boards/include/kvstore.h test/native/kvstore-test.c
	@mkdir -p build
	gcc -O2 -std=c11 -Wall -Wextra -Werror -Wshadow $(SAN) -Iboards/include boards/common/kvstore.c test/native/kvstore-test.c -o $@

native: build/fuzz-engine build/fuzz/ocpp.dict build/chargewasm-replay build/chargewasm-replay-asan build/chargewasm-replay-mcu build/chargewasm-station build/chargewasm-station-asan build/chargewasm-replay-stm32.elf build/chargewasm-replay-rv32.elf build/kvstore-test \
  build/chargewasm-station-stm32.elf build/chargewasm-station-rv32.elf

deps: $(NPM_STAMP)

$(GEN): schemas/gen-messages.ts schemas/engine-actions.json schemas/device-model.json $(NPM_STAMP)
	npx tsx schemas/gen-messages.ts

$(ENGINE): $(GEN) $(ENGINE_SRC) schemas/pack-data.ts
	npx asc assembly/index.ts --config $(CURDIR)/asconfig.json --target release
	npx tsx schemas/pack-data.ts $@

engine: $(ENGINE)

test: engine typecheck
	@rm -f build/aspect.log build/vitest.json build/vitest-posix.json build/vitest-stm32.json build/vitest-rv32.json
	@status=0; \
	$(MAKE) --no-print-directory test-engine || status=1; \
	$(MAKE) --no-print-directory test-host || status=1; \
	$(MAKE) --no-print-directory test-posix || status=1; \
	$(MAKE) --no-print-directory test-mcu || status=1; \
	$(MAKE) --no-print-directory bench-check > build/bench-check.log 2>&1 || { cat build/bench-check.log; status=1; }; \
	tail -n 29 build/bench-check.log; \
	npx tsx test/summary.ts || status=1; \
	exit $$status

typecheck: deps
	npx tsc -p tsconfig.json

test-engine: engine
	set -o pipefail; npx asp --config test/engine/as-pect.config.cjs --as-config $(CURDIR)/test/engine/as-pect.asconfig.json | tee build/aspect.log

test-host: engine $(DEB_STAMP) native
	npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json

# The conformance suites again, against the native posix station (its virtual clock and board over the board link).
POSIX_SUITES := provisioning rpc transactions authorization remote-control session smart-charging board pilot robustness offline-queue power-cut auth-cache
test-posix: engine $(DEB_STAMP) native
	CW_HOST=posix npx vitest run $(POSIX_SUITES:%=test/host/%.test.ts) --reporter=default --reporter=json --outputFile.json=build/vitest-posix.json

# The same suites against the station firmware of each MCU under QEMU (boards/common/mcu_station.c).
test-mcu: engine $(DEB_STAMP) native
	@status=0; for mcu in stm32 rv32; do \
	  CW_HOST=$$mcu npx vitest run $(POSIX_SUITES:%=test/host/%.test.ts) --reporter=default --reporter=json --outputFile.json=build/vitest-$$mcu.json || status=1; \
	done; exit $$status

# Power cuts at random points, long: CYCLES cuts on each runtime (make soak CYCLES=1000 [SEED=n] [RUNTIMES="posix"]).
CYCLES ?= 1000
RUNTIMES ?= node posix stm32 rv32
soak: engine $(DEB_STAMP) native
	@status=0; for h in $(RUNTIMES); do \
	  CW_HOST=$$h CW_CYCLES=$(CYCLES) $(if $(SEED),CW_SEED=$(SEED)) npx vitest run test/host/power-cut.test.ts || status=1; \
	done; exit $$status

# libFuzzer over the engine's receive path (test/native/fuzz-engine.c): clang with coverage and AddressSanitizer on the
# engine's C, UBSan too on the board and binding. make fuzz SECONDS=N runs it on the corpus (test/fuzz/corpus, found
# inputs go to build/fuzz/corpus, crashes to build/fuzz/); the dictionary is made from the OCPP 2.0.1 schemas.
FUZZ := build/fuzz
FUZZ_CC := clang -g -O1 -fno-omit-frame-pointer -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I$(WASM_RT) -Iboards/include -I$(NATIVE)
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(FUZZ)/engine.o: $(NATIVE)/engine.c
	@mkdir -p $(FUZZ)
	$(FUZZ_CC) -fsanitize=fuzzer-no-link,address -c $< -o $@
$(FUZZ)/wasm-rt-impl.o: $(DEB_STAMP)
	@mkdir -p $(FUZZ)
	$(FUZZ_CC) -fsanitize=address -c $(WASM_RT)/wasm-rt-impl.c -o $@
$(FUZZ)/engine_wasm2c.o: boards/common/engine_wasm2c.c boards/include/chargewasm.h $(NATIVE)/engine.c
	$(FUZZ_CC) -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror $(FUZZ_SAN) -c $< -o $@
$(FUZZ)/fuzz-engine.o: test/native/fuzz-engine.c boards/posix/replay.c boards/include/chargewasm.h $(DEB_STAMP)
	@mkdir -p $(FUZZ)
	$(FUZZ_CC) -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror $(FUZZ_SAN) -c $< -o $@
build/fuzz-engine: $(FUZZ)/fuzz-engine.o $(FUZZ)/engine_wasm2c.o $(FUZZ)/engine.o $(FUZZ)/wasm-rt-impl.o
	clang $(FUZZ_SAN) -o $@ $^ -lm
$(FUZZ)/ocpp.dict: test/fuzz/dict.ts $(NPM_STAMP)
	@mkdir -p $(FUZZ)
	npx tsx test/fuzz/dict.ts > $@

SECONDS ?= 60
fuzz: build/fuzz-engine $(FUZZ)/ocpp.dict
	@mkdir -p $(FUZZ)/corpus
	build/fuzz-engine -max_total_time=$(SECONDS) -dict=$(FUZZ)/ocpp.dict -max_len=32768 -artifact_prefix=$(FUZZ)/ -print_final_stats=1 $(FUZZ)/corpus test/fuzz/corpus
	CW_FUZZ_FOUND=$(FUZZ)/corpus npx vitest run test/host/fuzz.test.ts -t "schemas"

# The corpus from real traffic: the conformance suites on the Node host record each station's inputs as a replay
# scenario, and those that reach new code join test/fuzz/corpus (libFuzzer's merge).
fuzz-corpus: build/fuzz-engine
	rm -rf $(FUZZ)/recorded
	CW_CORPUS=$(CURDIR)/$(FUZZ)/recorded npx vitest run $(POSIX_SUITES:%=test/host/%.test.ts)
	build/fuzz-engine -merge=1 test/fuzz/corpus $(FUZZ)/recorded

# make sim CSMS=ws://host:port/path connects the station to another CSMS instead of the built-in one;
# make sim RUNTIME=posix runs the native station (wasm2c, libwebsockets) on the same simulated board; RUNTIME=stm32 and
# RUNTIME=rv32 the station firmware of that MCU under QEMU, with simulated Modbus meters and a network bridge.
# It builds only what it runs: the engine, and for a native runtime its station binary or firmware.
sim: $(ENGINE) $(if $(filter posix,$(RUNTIME)),build/chargewasm-station) $(if $(filter stm32 rv32,$(RUNTIME)),build/chargewasm-station-$(RUNTIME).elf)
	npx tsx host/cli.ts sim $(if $(CSMS),--csms $(CSMS)) $(if $(RUNTIME),--runtime $(RUNTIME)) $(SIM_ARGS)

csms: deps
	npx tsx host/cli.ts csms

# The engine as Cortex-M4 firmware (STM32F405 link, newlib-nano, a board that does nothing), measured by make bench.
ARM_STAMP := node_modules/.arm
$(ARM_STAMP): $(DEB_STAMP)
	@command -v arm-none-eabi-gcc >/dev/null && [ -d /usr/lib/arm-none-eabi/newlib ] || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi; }
	@command -v valgrind >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends valgrind; }
	@touch $@
M4 := build/m4
# One page of linear memory in the image: flash does not depend on it, and the linear memory the engine needs is
# measured on its own (make bench); the engine does not fit in it yet.
# The MCU's C (schemas/mcu-c.ts): wasm2c's output of the same engine.wasm with every load and store address masked to
# the static linear memory (CW_LINEAR_PAGES, a power of two), so a stray access wraps inside the engine's own RAM and
# never reaches other RAM or a peripheral (one AND per access instead of a compare and branch), and the static data
# image stored compressed (boards/common/data_lz.c decodes it at instantiation). Bulk memory operations and
# memory.grow keep their range checks; call depth stays counted (no MPU stack guard is assumed). docs/NATIVE.md.
$(MCU_C)/engine.c: $(NATIVE)/engine.c $(ENGINE) schemas/mcu-c.ts
	npx tsx schemas/mcu-c.ts $(NATIVE)/engine.c $(ENGINE) $(MCU_C)
$(MCU_C)/engine_data.c: $(MCU_C)/engine.c
# The firmware builds also take out wasm2c's asserts that wasm_rt_init ran (-DNDEBUG): the binding always runs it.
MCU_MEMCHECK := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1 -DWASM_RT_SKIP_SIGNAL_RECOVERY=1 -DWASM_RT_USE_STACK_DEPTH_COUNT=1
# Objects of one MCU build: $(call mcu_objects,DIR,CC,CFLAGS,STAMP) gives the engine's C and its data, the binding,
# runtime and decoder (boards/common), the replay host (boards/posix/replay.c), the do-nothing board of the size
# images (test/bench/stub-board.c), and the replay and binding built to count the engine's instructions (CW_PROFILE,
# make bench), each compiled for that MCU.
define mcu_objects
$(1)/engine.o: $(MCU_C)/engine.c $(4)
	@mkdir -p $(1)
	$(2) $(3) $(MCU_MEMCHECK) -DNDEBUG -c $$< -o $$@
$(1)/engine_data.o: $(MCU_C)/engine_data.c $(4)
	@mkdir -p $(1)
	$(2) $(3) -c $$< -o $$@
$(1)/%.o: boards/common/%.c $(wildcard boards/include/*.h) $(NATIVE)/engine.c $(4)
	@mkdir -p $(1)
	$(2) $(3) -Wall -Wextra -Werror -c $$< -o $$@
$(1)/replay.o: boards/posix/replay.c boards/include/chargewasm.h $(4)
	@mkdir -p $(1)
	$(2) $(3) -Wall -Wextra -Werror -c $$< -o $$@
$(1)/stub-board.o: test/bench/stub-board.c boards/include/chargewasm.h $(4)
	@mkdir -p $(1)
	$(2) $(3) -Wall -Wextra -Werror -c $$< -o $$@
$(1)/replay-profile.o: boards/posix/replay.c boards/include/chargewasm.h $(4)
	@mkdir -p $(1)
	$(2) $(3) -DCW_PROFILE -Wall -Wextra -Werror -c $$< -o $$@
$(1)/engine_wasm2c-profile.o: boards/common/engine_wasm2c.c boards/include/chargewasm.h $(NATIVE)/engine.c $(4)
	@mkdir -p $(1)
	$(2) $(3) -DCW_PROFILE -Wall -Wextra -Werror -c $$< -o $$@
endef
MCU_LINEAR := -DCW_LINEAR_PAGES=1 '-DCW_ADDR_MASK=(CW_LINEAR_PAGES * 65536u - 1u)' -Iboards/include -I$(NATIVE) -I$(WASM_RT)

M4_CFLAGS := -mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections -std=c11 $(MCU_LINEAR)
$(eval $(call mcu_objects,$(M4),arm-none-eabi-gcc,$(M4_CFLAGS),$(ARM_STAMP)))
$(M4)/startup.o: boards/stm32f405/startup.c $(ARM_STAMP)
	@mkdir -p $(M4)
	arm-none-eabi-gcc $(M4_CFLAGS) -Wall -Wextra -Werror -c $< -o $@
F405_LD := boards/stm32f405/stm32f405.ld
M4_ENGINE := $(M4)/engine.o $(M4)/engine_data.o $(M4)/data_lz.o $(M4)/engine_wasm2c.o $(M4)/wasm_rt_static.o
$(M4)/engine-m4.elf: $(M4_ENGINE) $(M4)/stub-board.o $(M4)/startup.o $(F405_LD)
	arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb --specs=nano.specs --specs=nosys.specs -nostartfiles -T $(F405_LD) \
	  -Wl,--gc-sections -o $@ $(filter %.o,$^) -lm

# The replay of test/native's scenarios as STM32F405 firmware, run under QEMU (netduinoplus2) by test/host/native.test.ts:
# the engine's C and runtime exactly as in the image above, the scenario read and the output written through
# semihosting (the debugger's file and console calls; full newlib for its printf), or the scenario read over USART1
# (`replay serial`: the interrupt-driven driver, boards/stm32f405/usart.c).
QEMU_STAMP := node_modules/.qemu
$(QEMU_STAMP): $(ARM_STAMP)
	@command -v qemu-system-arm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-arm; }
	@touch $@
F405 := build/stm32f405
$(F405)/startup.o: boards/stm32f405/startup.c $(ARM_STAMP)
	@mkdir -p $(F405)
	arm-none-eabi-gcc $(M4_CFLAGS) -DCW_SEMIHOSTING -Wall -Wextra -Werror -c $< -o $@
$(F405)/%.o: boards/stm32f405/%.c boards/stm32f405/usart.h $(ARM_STAMP)
	@mkdir -p $(F405)
	arm-none-eabi-gcc $(M4_CFLAGS) -D_DEFAULT_SOURCE -Wall -Wextra -Werror -c $< -o $@
build/chargewasm-replay-stm32.elf: $(M4)/replay.o $(F405)/startup.o $(F405)/usart.o $(F405)/serial-input.o $(M4_ENGINE) $(F405_LD) $(QEMU_STAMP)
	arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -nostartfiles -T $(F405_LD) -Wl,--gc-sections -o $@ $(filter %.o,$^) -lm

# The station firmware (boards/common/mcu_station.c) for the STM32F405 (boards/stm32f405/port.c), as QEMU runs it
# (boards/common/qemu_main.c: config and flash image through semihosting; the flash window in the 64 KiB of RAM that
# QEMU's netduinoplus2 has beyond the F405's 128 KiB of SRAM, which the linker script leaves alone).
STATION_COMMON := mcu_station.o boardlink.o kvstore.o modbus.o pilot.o pn532.o semihost.o
$(M4)/qemu_main.o: boards/common/qemu_main.c $(wildcard boards/include/*.h) $(ARM_STAMP)
	@mkdir -p $(M4)
	arm-none-eabi-gcc $(M4_CFLAGS) -DCW_FLASH_WINDOW=0x20020000u -Wall -Wextra -Werror -c $< -o $@
build/chargewasm-station-stm32.elf: $(addprefix $(M4)/,$(STATION_COMMON) qemu_main.o startup.o) $(F405)/port.o $(F405)/usart.o $(M4_ENGINE) $(F405_LD) $(QEMU_STAMP)
	arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb --specs=nano.specs --specs=nosys.specs -nostartfiles -T $(F405_LD) -Wl,--gc-sections -o $@ $(filter %.o,$^) -lm

# The replay counting the engine's own instructions (run under QEMU -icount by make bench).
$(F405)/replay-profile.elf: $(M4)/replay-profile.o $(M4)/engine_wasm2c-profile.o $(F405)/icount.o $(F405)/startup.o \
  $(filter-out $(M4)/engine_wasm2c.o,$(M4_ENGINE)) $(F405_LD) $(QEMU_STAMP)
	arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -nostartfiles -T $(F405_LD) -Wl,--gc-sections -o $@ $(filter %.o,$^) -lm

# The same for an rv32imc MCU of the ESP32-C3 class, on QEMU's virt machine (RAM from 0x80000000; picolibc, whose
# semihosting start-up passes the command line as argv): the replay firmware, and an image with the do-nothing board
# for make bench's sizes. The C stack gets the top 8 KiB of RAM (__heap_end): picolibc leaves it 2 KiB, which the
# replay of test/native/bad-input.scenario overran (measured by boards/rv32/stack.c).
RV_STAMP := node_modules/.rv32
$(RV_STAMP): $(DEB_STAMP)
	@command -v riscv64-unknown-elf-gcc >/dev/null && [ -d /usr/lib/picolibc/riscv64-unknown-elf ] && command -v qemu-system-riscv32 >/dev/null || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc; }
	@touch $@
RV32 := build/rv32
RV32_CFLAGS := -march=rv32imc -mabi=ilp32 -Os -ffunction-sections -fdata-sections -std=c11 --specs=picolibc.specs $(MCU_LINEAR)
RV32_LDFLAGS := -march=rv32imc -mabi=ilp32 --specs=picolibc.specs -Wl,--gc-sections -Wl,--defsym=__flash=0x80000000 \
  -Wl,--defsym=__flash_size=0x100000 -Wl,--defsym=__ram=0x80100000 -Wl,--defsym=__ram_size=0x60000 -Wl,--defsym=__heap_end=0x8015E000
$(eval $(call mcu_objects,$(RV32),riscv64-unknown-elf-gcc,$(RV32_CFLAGS),$(RV_STAMP)))
RV32_ENGINE := $(RV32)/engine.o $(RV32)/engine_data.o $(RV32)/data_lz.o $(RV32)/engine_wasm2c.o $(RV32)/wasm_rt_static.o
$(RV32)/stack.o: boards/rv32/stack.c $(RV_STAMP)
	@mkdir -p $(RV32)
	riscv64-unknown-elf-gcc $(RV32_CFLAGS) -Wall -Wextra -Werror -c $< -o $@
build/chargewasm-replay-rv32.elf: $(RV32)/replay.o $(RV32)/stack.o $(RV32_ENGINE)
	riscv64-unknown-elf-gcc $(RV32_LDFLAGS) --oslib=semihost --crt0=semihost -o $@ $^ -lm
# The rv32 replay counting the engine's own instructions (run under QEMU -icount by make bench).
$(RV32)/replay-profile.elf: $(RV32)/replay-profile.o $(RV32)/engine_wasm2c-profile.o $(filter-out $(RV32)/engine_wasm2c.o,$(RV32_ENGINE))
	riscv64-unknown-elf-gcc $(RV32_LDFLAGS) --oslib=semihost --crt0=semihost -o $@ $^ -lm
# The station firmware for rv32 (boards/rv32/port.c) under QEMU, like the STM32F405's; the flash window above the RAM.
$(RV32)/qemu_main.o: boards/common/qemu_main.c $(wildcard boards/include/*.h) $(RV_STAMP)
	@mkdir -p $(RV32)
	riscv64-unknown-elf-gcc $(RV32_CFLAGS) -DCW_FLASH_WINDOW=0x80200000u -Wall -Wextra -Werror -c $< -o $@
$(RV32)/port.o: boards/rv32/port.c boards/include/mcu.h $(RV_STAMP)
	@mkdir -p $(RV32)
	riscv64-unknown-elf-gcc $(RV32_CFLAGS) -march=rv32imc_zicsr -Wall -Wextra -Werror -c $< -o $@
build/chargewasm-station-rv32.elf: $(addprefix $(RV32)/,$(STATION_COMMON) qemu_main.o port.o) $(RV32_ENGINE)
	riscv64-unknown-elf-gcc $(RV32_LDFLAGS) --crt0=minimal --oslib=dummyhost -o $@ $^ -lm
$(RV32)/engine-rv32.elf: $(RV32)/stub-board.o $(RV32_ENGINE)
	riscv64-unknown-elf-gcc $(RV32_LDFLAGS) --crt0=minimal --oslib=dummyhost -o $@ $^ -lm

bench: engine native $(M4)/engine-m4.elf $(RV32)/engine-rv32.elf $(RV32)/replay-profile.elf $(F405)/replay-profile.elf
	npx tsx test/bench/bench.ts

# The deterministic figures only (sizes, instruction counts, pages) against test/bench/budgets.json; part of make test.
bench-check: engine native $(M4)/engine-m4.elf $(RV32)/engine-rv32.elf $(RV32)/replay-profile.elf $(F405)/replay-profile.elf
	npx tsx test/bench/bench.ts --check

clean:
	rm -rf build assembly/generated
