// A station config is checked by the engine itself (assembly/station-config.ts), so that every host accepts
// and refuses the same configs with the same words; schemas/station-config.schema.json describes the same rules.
import { configError } from "./engine.ts";
import type { StationConfig } from "./station.ts";

export async function checkedConfig(config: unknown): Promise<StationConfig> {
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error("invalid station config: config is not a JSON object");
  const why = await configError(config);
  if (why !== null) throw new Error(`invalid station config: ${why}`);
  return config as StationConfig;
}
