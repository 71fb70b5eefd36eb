# chargewasm — `make sim` runs a simulated station against the built-in CSMS;
# `make test` installs what is missing and runs every test.
SHELL := /bin/bash
NPM_STAMP := node_modules/.installed
ENGINE := build/engine.wasm
GEN := assembly/generated/ocpp.ts
ENGINE_SRC := $(shell find assembly -name '*.ts' -not -path 'assembly/generated/*' -not -path 'assembly/__tests__/*') asconfig.json

.PHONY: all deps engine typecheck test test-engine test-host sim csms bench clean

all: engine

# npm ci whenever the lock file changed since the last install.
$(NPM_STAMP): package.json package-lock.json
	@command -v node >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	npm ci --no-audit --no-fund
	@touch $@

# Debian packages the tests use: mosquitto (a real MQTT broker for the EMS bridge).
DEB_STAMP := node_modules/.debs
$(DEB_STAMP): $(NPM_STAMP)
	@if ! [ -x /usr/sbin/mosquitto ] && ! command -v mosquitto >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto; fi
	@touch $@

deps: $(NPM_STAMP)

$(GEN): schemas/gen-messages.ts $(NPM_STAMP)
	npx tsx schemas/gen-messages.ts

$(ENGINE): $(GEN) $(ENGINE_SRC)
	npx asc assembly/index.ts --target release
	npx asc assembly/index.ts --target mcu

engine: $(ENGINE)

test: engine typecheck
	@rm -f build/aspect.log build/vitest.json
	@status=0; \
	$(MAKE) --no-print-directory test-engine || status=1; \
	$(MAKE) --no-print-directory test-host || status=1; \
	npx tsx test/summary.ts || status=1; \
	exit $$status

typecheck: deps
	npx tsc -p tsconfig.json

test-engine: engine
	set -o pipefail; npx asp --config test/engine/as-pect.config.cjs --as-config test/engine/as-pect.asconfig.json | tee build/aspect.log

test-host: engine $(DEB_STAMP)
	npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json

# make sim CSMS=ws://host:port/path connects the station to another CSMS instead of the built-in one.
sim: engine
	npx tsx host/cli.ts sim $(if $(CSMS),--csms $(CSMS)) $(SIM_ARGS)

csms: deps
	npx tsx host/cli.ts csms

bench: engine
	npx tsx test/bench/bench.ts

clean:
	rm -rf build assembly/generated
