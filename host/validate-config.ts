// Checks a station config against schemas/station-config.schema.json before it reaches the engine.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import type { StationConfig } from "./station.ts";

const schema = JSON.parse(readFileSync(new URL("../schemas/station-config.schema.json", import.meta.url), "utf8"));
const validate = new Ajv({ allErrors: true }).compile(schema);

/** The problems with a station config, empty when it is valid. */
export function configProblems(config: unknown): string[] {
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

export function checkedConfig(config: unknown): StationConfig {
  const p = configProblems(config);
  if (p.length) throw new Error("invalid station config:\n  " + p.join("\n  "));
  return config as StationConfig;
}
