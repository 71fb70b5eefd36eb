// The fuzzer's dictionary (make fuzz): every action name, property name and enum value of the OCPP 2.0.1 schemas
// (ocpp-rpc's copy of the official ones), OCPP-J's framing, and the replay scenario's commands, one token a line.
import { createRequire } from "node:module";

const schemas: any[] = createRequire(import.meta.url)("ocpp-rpc/lib/schemas/ocpp2_0_1.json");
const tokens = new Set<string>(['[2,"', '[3,"', '[4,"', '",{', "}]", "[]", "{}", "true", "false", "null", "-1", "0", "4294967296",
  "1e308", '"2026-01-01T00:00:00Z"', "\\u0000", "frame ", "reply ", "error ", "at ", "pilot 1 B", "pilot 1 C", "token 1 ACCEPT1 2",
  "disconnected", "connected", "event 1 5 ", "meter 1 "]);
function walk(node: unknown): void {
  if (Array.isArray(node)) { node.forEach(walk); return; }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (o.properties && typeof o.properties === "object") for (const k of Object.keys(o.properties)) tokens.add(`"${k}"`);
  if (Array.isArray(o.enum)) for (const v of o.enum) tokens.add(`"${v}"`);
  for (const v of Object.values(o)) walk(v);
}
for (const s of schemas) {
  tokens.add(`"${String(s.$id).replace(/^urn:/, "").replace(/\.(req|conf)$/, "")}"`);
  walk(s);
}
const esc = (t: string) => t.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
console.log([...tokens].map((t) => `"${esc(t)}"`).join("\n"));
