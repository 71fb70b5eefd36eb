// Generates assembly/generated/ocpp.ts from the official OCPP 2.0.1 JSON schemas: the enums, and as data
// (static UTF-8 and u32 tables, no code per type) the names and schema rules the engine's codec reads; and from
// schemas/device-model.json the static table of the device model, its names in the same UTF-8 blob.
// Source: the schema set bundled with the npm package ocpp-rpc, which matches the OCA "OCPP 2.0.1 FINAL"
// files keyword for keyword (see docs/ARCHITECTURE.md). Which actions get tables: schemas/engine-actions.json.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Schema = {
  $id?: string; type?: string | Schema; $ref?: string; enum?: string[]; properties?: Record<string, Schema>;
  required?: string[]; additionalProperties?: boolean; items?: Schema; minItems?: number; maxItems?: number;
  maxLength?: number; minimum?: number; maximum?: number; format?: string; definitions?: Record<string, Schema>;
};

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const schemas: Schema[] = require("ocpp-rpc/lib/schemas/ocpp2_0_1.json");
const wanted: { served: string[]; sent: string[] } = JSON.parse(readFileSync(join(here, "engine-actions.json"), "utf8"));
const out = join(here, "..", "assembly", "generated", "ocpp.ts");

const ident = (v: string) => { const s = v.replace(/[^A-Za-z0-9_]/g, "_"); return /^[0-9]/.test(s) ? "_" + s : s; };
const byAction = new Map<string, { req: Schema; conf: Schema }>();
for (const s of schemas) {
  const m = /^urn:(\w+)\.(req|conf)$/.exec(s.$id!);
  if (!m) throw new Error(`unexpected schema id ${s.$id}`);
  const e = byAction.get(m[1]) ?? ({} as { req: Schema; conf: Schema });
  e[m[2] as "req" | "conf"] = s;
  byAction.set(m[1], e);
}
const actions = [...byAction.keys()].sort();
for (const a of [...wanted.served, ...wanted.sent]) if (!byAction.has(a)) throw new Error(`engine-actions.json: no schema for ${a}`);

// ---- the UTF-8 name blob: every property name and enum value of the engine's messages, and every action name ----
const blob: number[] = [];
const refs = new Map<string, number>();
function ref(s: string): number {
  let r = refs.get(s);
  if (r === undefined) {
    const b = Buffer.from(s, "utf8");
    if (b.length > 255) throw new Error(`name too long: ${s}`);
    r = (blob.length << 8) | b.length;
    blob.push(...b);
    refs.set(s, r);
  }
  return r;
}
const actionRefs = actions.map(ref);

// ---- enums: declarations for all; name tables (count, then a ref per value) for those the engine's messages use ----
const enumVals = new Map<string, string[]>();
const enumTable: number[] = [];
const enumAt = new Map<string, number>();
function enumIndex(name: string): number {
  let at = enumAt.get(name);
  if (at === undefined) {
    const vals = enumVals.get(name)!;
    at = enumTable.length;
    enumTable.push(vals.length, ...vals.map(ref));
    enumAt.set(name, at);
  }
  return at;
}

function resolve(root: Schema, s: Schema): { name: string | null; def: Schema } {
  if (s.$ref) { const n = s.$ref.replace("#/definitions/", ""); return { name: n, def: root.definitions![n] }; }
  if (typeof s.type === "object") return resolve(root, s.type);
  return { name: null, def: s };
}
/** Calls visit with every enum (its definition name and values) a schema uses. */
function eachEnum(root: Schema, visit: (name: string, values: string[]) => void, s: Schema = root, seen = new Set<Schema>()): void {
  const { name, def } = resolve(root, s);
  if (seen.has(def)) return;
  seen.add(def);
  if (def.enum) visit(name!, def.enum);
  for (const p of Object.values(def.properties ?? {})) eachEnum(root, visit, p, seen);
  if (def.items) eachEnum(root, visit, def.items, seen);
}
for (const { req, conf } of byAction.values()) {
  for (const root of [req, conf]) eachEnum(root, (name, values) => {
    const prev = enumVals.get(name);
    if (prev && prev.join() !== values.join()) throw new Error(`enum ${name} differs between schemas`);
    enumVals.set(name, values);
  });
}

// ---- validation tables ----
// A type is a run of u32 words in TYPES: [kind | flags << 8 | count << 16, ...]. Kinds match assembly/messages/schema.ts.
const KIND = { obj: 1, arr: 2, str: 3, int: 4, num: 5, bool: 6, enum: 7, time: 8, any: 9 };
const types: number[] = [0];
const named = new Map<string, number>();   // object definition name -> TYPES index (the first schema's, by name)             // index 0 is no type
const typeAt = new Map<string, number>();   // structural key -> index
const I32_MIN = -2147483648, I32_MAX = 2147483647;

function typeOf(root: Schema, s: Schema, names: (p: string) => void): number {
  const { name, def } = resolve(root, s);
  let words: number[]; let key: string;
  if (def.enum) { words = [KIND.enum, enumIndex(name!)]; key = `enum:${name}`; }
  else switch (def.type) {
    case undefined: words = [KIND.any]; key = "any"; break;
    case "string":
      if (def.format === "date-time") { words = [KIND.time]; key = "time"; }
      else { words = [KIND.str, def.maxLength ?? 0]; key = `str:${def.maxLength ?? 0}`; }
      break;
    case "integer": {
      const ranged = def.minimum !== undefined || def.maximum !== undefined;
      words = [KIND.int | (ranged ? 1 << 8 : 0), def.minimum ?? I32_MIN, def.maximum ?? I32_MAX];
      key = `int:${words.join()}`;
      break;
    }
    case "number": words = [KIND.num]; key = "num"; break;
    case "boolean": words = [KIND.bool]; key = "bool"; break;
    case "array": {
      const item = typeOf(root, def.items!, names);
      words = [KIND.arr, item, def.minItems ?? 0, def.maxItems ?? 0];
      key = `arr:${words.join()}`;
      break;
    }
    case "object": {
      const props = Object.entries(def.properties ?? {});
      if (props.length > 31) throw new Error(`${name}: too many properties for the seen mask`);
      const req = new Set(def.required ?? []);
      const body: number[] = [];
      for (const [p, ps] of props) {
        names(p);
        body.push(ref(p), typeOf(root, ps, names) | (req.has(p) ? 0x80000000 : 0));
      }
      const strict = def.additionalProperties === false ? 1 : 0;
      words = [KIND.obj | (strict << 8) | (props.length << 16), ...body];
      key = `obj:${words.join()}`;
      break;
    }
    default: throw new Error(`unsupported schema ${JSON.stringify(def).slice(0, 120)}`);
  }
  let at = typeAt.get(key);
  if (at === undefined) { at = types.length; types.push(...words); typeAt.set(key, at); }
  if (name && def.type === "object" && !named.has(name)) named.set(name, at);
  return at;
}

const props = new Set<string>();
const addName = (p: string) => { props.add(p); ref(p); };
const reqType = new Map<string, number>(), confType = new Map<string, number>();
for (const a of wanted.served) { const { req, conf } = byAction.get(a)!; reqType.set(a, typeOf(req, req, addName)); typeOf(conf, conf, addName); }
for (const a of wanted.sent) { const { req, conf } = byAction.get(a)!; typeOf(req, req, addName); confType.set(a, typeOf(conf, conf, addName)); }
// Enums of the engine's own (outgoing) messages get name tables too, so the writer can name their values.
for (const a of [...wanted.served, ...wanted.sent]) {
  const { req, conf } = byAction.get(a)!;
  for (const root of [req, conf]) eachEnum(root, (name) => enumIndex(name));
}

// ---- the device model: the components and variables this build implements (schemas/device-model.json) ----
// A row is DM_WORDS u32 words: component, variable, instance (0: none), default value, unit (0: none), values list
// (0: none), flags (DataEnumType | MutabilityEnumType << 4 | persistent << 6 | from config << 7 | scope << 8).
// Station rows come first: a station variable's row is also its instance index, the engine's handle for it.
type DmVar = { scope?: "station" | "evse" | "connector"; component: string; variable: string; instance?: string; type: string; mutability: string;
  default?: string; config?: boolean; min?: number; max?: number; unit?: string; list?: string; persistent?: boolean; handle?: string };
const dmDef: { lists: Record<string, string>; variables: DmVar[] } = JSON.parse(readFileSync(join(here, "device-model.json"), "utf8"));
const SCOPES = ["station", "evse", "connector"];
const dmVars = [...dmDef.variables].sort((x, y) => SCOPES.indexOf(x.scope ?? "station") - SCOPES.indexOf(y.scope ?? "station"));
const dataTypes = enumVals.get("DataEnumType")!, mutabilities = enumVals.get("MutabilityEnumType")!;
const dmRows: number[] = [], dmLimits: number[] = [], dmHandles: string[] = [];
const seenVar = new Set<string>();
dmVars.forEach((v, row) => {
  const key = [v.scope, v.component, v.variable, v.instance].join("/");
  if (seenVar.has(key)) throw new Error(`device-model.json: ${key} twice`);
  seenVar.add(key);
  const type = dataTypes.indexOf(v.type), mut = mutabilities.indexOf(v.mutability);
  if (type < 0 || mut < 0) throw new Error(`device-model.json: ${key}: unknown type or mutability`);
  if ((v.default === undefined) === !v.config) throw new Error(`device-model.json: ${key}: needs a default or "config": true`);
  const list = v.list === undefined ? undefined : dmDef.lists[v.list] ?? v.list;
  if ((list !== undefined) !== /List$/.test(v.type)) throw new Error(`device-model.json: ${key}: a list goes with the list types`);
  const flags = type | (mut << 4) | ((v.persistent ?? true ? 1 : 0) << 6) | ((v.config ? 1 : 0) << 7) | (SCOPES.indexOf(v.scope ?? "station") << 8);
  dmRows.push(ref(v.component), ref(v.variable), v.instance ? ref(v.instance) : 0, ref(v.default ?? ""), v.unit ? ref(v.unit) : 0, list === undefined ? 0 : ref(list), flags);
  for (const x of [v.min, v.max]) if (x !== undefined && Math.fround(x) !== x) throw new Error(`device-model.json: ${key}: limit ${x} is not exact as f32`);
  dmLimits.push(v.min ?? NaN, v.max ?? NaN);
  if (v.handle) dmHandles.push(`  ${v.handle} = ${row},`);
});
const dmStation = dmVars.filter((v) => (v.scope ?? "station") === "station").length;

const u32 = (n: number) => (n >>> 0).toString();
const list = (xs: number[], per = 24) => xs.map(u32).reduce((acc: string[], x, i) => {
  if (i % per === 0) acc.push(""); acc[acc.length - 1] += (i % per ? ", " : "") + x; return acc;
}, []).join(",\n  ");

const src = `// GENERATED by schemas/gen-messages.ts from the OCPP 2.0.1 JSON schemas. Do not edit.
// Names are refs: (byte offset in NAMES) << 8 | UTF-8 length. Types, enums and actions are word indexes into
// TYPES and ENUMS (see assembly/messages/schema.ts, which reads them).

export enum Action { ${actions.join(", ")} }
export const ACTION_COUNT: i32 = ${actions.length};

${[...enumVals].map(([n, vals]) => `export enum ${n} { ${vals.map(ident).join(", ")} }`).join("\n")}

/** Name tables of the enums the engine's messages use: ENUMS word index of each. */
export const enum E {
${[...enumAt].map(([n, at]) => `  ${n} = ${at},`).join("\n")}
}

/** Property names of the engine's messages, as refs into NAMES. */
export const enum P {
${[...props].sort().map((p) => `  ${ident(p)} = ${refs.get(p)},`).join("\n")}
}

/** Object types by definition name (TYPES index), to check JSON read from storage. */
export const enum T {
${[...named].sort().map(([n, at]) => `  ${n} = ${at},`).join("\n")}
}

/** Device-model variables by handle: a station variable's instance index, or the row of an EVSE or connector one. */
export const enum V {
${dmHandles.join("\n")}
}
${Object.entries(dmDef.lists).filter(([, v]) => v.length).map(([n, v]) => `/** ${n}: a MemberList value's bits (DM_VARS values lists). */\nexport const enum ${n} { ${v.split(",").map((m, k) => `${ident(m)} = ${2 ** k}`).join(", ")} }`).join("\n")}
export const DM_ROWS: i32 = ${dmVars.length};
export const DM_STATION_ROWS: i32 = ${dmStation};
export const DM_WORDS: i32 = 7;
export const DM_VARS: usize = memory.data<u32>([
  ${list(dmRows, 7)}
]);
/** Per row: minLimit, maxLimit (NaN: none). */
export const DM_LIMITS: usize = memory.data<f32>([
  ${dmLimits.map((x) => (Number.isNaN(x) ? "NaN" : String(x))).join(", ")}
]);

export const NAMES: usize = memory.data<u8>([
  ${list(blob, 32)}
]);
export const ACTION_NAMES: usize = memory.data<u32>([
  ${list(actionRefs, 8)}
]);
/** Per Action: the TYPES index of the request the engine serves, or 0. */
export const REQUEST_TYPES: usize = memory.data<u32>([
  ${list(actions.map((a) => reqType.get(a) ?? 0), 16)}
]);
/** Per Action: the TYPES index of the response to a CALL the engine sends, or 0. */
export const RESPONSE_TYPES: usize = memory.data<u32>([
  ${list(actions.map((a) => confType.get(a) ?? 0), 16)}
]);
export const ENUMS: usize = memory.data<u32>([
  ${list(enumTable, 8)}
]);
export const TYPES: usize = memory.data<u32>([
  ${list(types, 8)}
]);
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, src);
console.log(`gen-messages: ${actions.length} actions, ${types.length * 4} B of types, ${blob.length} B of names, ${enumTable.length * 4} B of enum tables, ${dmVars.length} device-model variables -> ${out}`);
