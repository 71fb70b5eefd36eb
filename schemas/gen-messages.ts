// Generates assembly/generated/ocpp.ts from the official OCPP 2.0.1 JSON schemas.
// Source: the schema set bundled with the npm package ocpp-rpc, which matches the
// OCA "OCPP 2.0.1 FINAL" files keyword for keyword (see docs/ARCHITECTURE.md).
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Schema = {
  $id?: string; type?: string | Schema; $ref?: string; enum?: string[]; properties?: Record<string, Schema>;
  required?: string[]; additionalProperties?: boolean; items?: Schema; minItems?: number; maxItems?: number;
  maxLength?: number; minimum?: number; maximum?: number; format?: string; definitions?: Record<string, Schema>;
};

const require = createRequire(import.meta.url);
const schemas: Schema[] = require("ocpp-rpc/lib/schemas/ocpp2_0_1.json");
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "assembly", "generated", "ocpp.ts");

const enums = new Map<string, string[]>();          // AS name -> values
const classes = new Map<string, string>();          // AS name -> source
const defKey = new Map<string, string>();           // AS name -> structural key (to detect conflicts)
const actions = new Set<string>();

function ident(v: string): string {
  const s = v.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(s) ? "_" + s : s;
}

/** Definition names are shared across schemas; where two schemas define one name differently, the later is prefixed. */
function defName(msg: string, name: string, def: Schema): string {
  const key = JSON.stringify({ ...def, description: undefined, javaType: undefined });
  const prev = defKey.get(name);
  if (prev === undefined || prev === key) { defKey.set(name, key); return name; }
  const alt = `${msg}_${name}`;
  defKey.set(alt, key);
  return alt;
}

interface Field {
  type: string;       // AssemblyScript type
  init: string;       // initializer for a required field
  none: string;       // initializer meaning "absent" for an optional field
  present(x: string): string;
  decode(v: string, f: string): string;   // expression
  encode(x: string): string;              // statements writing the (non-null) value to w
}

function resolve(msg: string, root: Schema, s: Schema): { name: string | null; def: Schema } {
  if (s.$ref) {
    const n = s.$ref.replace("#/definitions/", "");
    return { name: defName(msg, n, root.definitions![n]), def: root.definitions![n] };
  }
  if (typeof s.type === "object") return resolve(msg, root, s.type);
  return { name: null, def: s };
}

function field(msg: string, root: Schema, s: Schema): Field {
  const { name, def } = resolve(msg, root, s);
  if (def.enum) {
    const e = name!;
    enums.set(e, def.enum);
    return {
      type: e, init: "0", none: "NO_ENUM",
      present: (x) => `${x} >= 0`,
      decode: (v) => `<${e}>${e}_decode(j, ${v})`,
      encode: (x) => `w.str(${e}_name(${x}));`,
    };
  }
  switch (def.type) {
    case undefined:   // any JSON value (DataTransfer data), kept as its source text
      return {
        type: "string", init: `"null"`, none: "null",
        present: (x) => `${x} !== null`,
        decode: (v) => `dAny(j, ${v})`,
        encode: (x) => `w.json(${x});`,
      };
    case "object": {
      const c = name ?? `${msg}`;
      emitClass(msg, root, c, def);
      return {
        type: c, init: `new ${c}()`, none: "null",
        present: (x) => `${x} !== null`,
        decode: (v) => `${c}.decode(j, ${v})`,
        encode: (x) => `${x}.encode(w);`,
      };
    }
    case "array": {
      const it = field(msg, root, def.items!);
      const t = `Array<${it.type}>`;
      const min = def.minItems ?? 0, max = def.maxItems ?? 0;
      return {
        type: t, init: `new ${t}()`, none: "null",
        present: (x) => `${x} !== null`,
        decode: (v, f) => `dArray_${arrayHelper(it)}(j, ${v}, ${min}, ${max}, ${f})`,
        encode: (x) => `w.arr(); for (let i = 0, a = ${x}; i < a.length; i++) { const e = unchecked(a[i]); ${it.encode("e")} } w.endArr();`,
      };
    }
    case "string":
      if (def.format === "date-time") {
        return {
          type: "i64", init: "0", none: "NO_TIME",
          present: (x) => `${x} != NO_TIME`,
          decode: (v, f) => `dTime(j, ${v}, ${f})`,
          encode: (x) => `w.time(${x});`,
        };
      }
      return {
        type: "string", init: `""`, none: "null",
        present: (x) => `${x} !== null`,
        decode: (v, f) => `dStr(j, ${v}, ${def.maxLength ?? 0}, ${f})`,
        encode: (x) => `w.str(${x});`,
      };
    case "integer": {
      const range = def.minimum !== undefined || def.maximum !== undefined
        ? `, ${def.minimum ?? "-Infinity"}, ${def.maximum ?? "Infinity"}` : "";
      return {
        type: "i32", init: "0", none: "NO_INT",
        present: (x) => `${x} != NO_INT`,
        decode: (v, f) => `dInt(j, ${v}, ${f}${range})`,
        encode: (x) => `w.int(${x});`,
      };
    }
    case "number":
      return {
        type: "f64", init: "0", none: "NaN",
        present: (x) => `!isNaN(${x})`,
        decode: (v, f) => `dNum(j, ${v}, ${f})`,
        encode: (x) => `w.num(${x});`,
      };
    case "boolean":
      return {
        type: "i8", init: "0", none: "NO_BOOL",
        present: (x) => `${x} >= 0`,
        decode: (v, f) => `<i8>dBool(j, ${v}, ${f})`,
        encode: (x) => `w.bool(${x} == 1);`,
      };
  }
  throw new Error(`${msg}: unsupported schema ${JSON.stringify(def).slice(0, 120)}`);
}

const isClass = (f: Field) => f.init.startsWith("new ") && !f.type.startsWith("Array");

const arrayHelpers = new Map<string, string>();
function arrayHelper(it: Field): string {
  const id = ident(it.type);
  if (!arrayHelpers.has(id)) {
    arrayHelpers.set(id, `function dArray_${id}(j: Json, n: i32, min: i32, max: i32, f: string): Array<${it.type}> {
  const c = dArr(j, n, min, max, f);
  const a = new Array<${it.type}>(0);
  if (Decode.bad) return a;
  let e = j.first(n);
  for (let i = 0; i < c; i++, e = j.nextIn(n, e)) {
    const x = ${it.decode("e", '""')};
    if (Decode.bad) { within("[" + i.toString() + "]"); return a; }
    a.push(${isClass(it) ? "x!" : "x"});
  }
  return a;
}`);
  }
  return id;
}

function emitClass(msg: string, root: Schema, name: string, def: Schema): void {
  if (classes.has(name)) return;
  classes.set(name, "");   // reserve against recursion
  const props = Object.entries(def.properties ?? {});
  const req = new Set(def.required ?? []);
  const fields = props.map(([p, s]) => ({ p, f: field(msg, root, s), required: req.has(p) }));
  const id = (p: string) => ident(p);
  const decl = fields.map(({ p, f, required }) => {
    const t = required || f.none !== "null" ? f.type : `${f.type} | null`;
    return `  ${id(p)}: ${t} = ${required ? f.init : f.none};`;
  });
  const dec = fields.map(({ p, f }, i) => {
    const bit = `${1 << i}`;
    return `    ${i ? "else " : ""}if (j.is(k, "${p}")) {
      if (seen & ${bit}) { duplicateKey(j, k, ""); return null; }
      seen |= ${bit};
      const x = ${f.decode("k + 1", '""')};
      if (Decode.bad) { within("${p}"); return null; }
      o.${id(p)} = ${isClass(f) ? "x!" : "x"};
    }`;
  });
  const strict = def.additionalProperties === false;
  const tail = dec.length
    ? `    else ${strict ? `{ unknownKey(j, k, ""); return null; }` : "{}"}`
    : strict ? `    unknownKey(j, k, ""); return null;` : "";
  const missing = fields.map(({ p, required }, i) => required
    ? `    if (!(seen & ${1 << i})) { missing("${p}"); return null; }` : "").filter(Boolean);
  const enc = fields.map(({ p, f, required }) => {
    const x = `this.${id(p)}`;
    if (required) return `    w.key("${p}"); ${f.encode(x)}`;
    const nullable = f.none === "null";
    return `    if (${f.present(x)}) { w.key("${p}"); ${f.encode(nullable ? x + "!" : x)} }`;
  });
  if (fields.length > 31) throw new Error(`${name}: too many properties for the seen mask`);
  classes.set(name, `export class ${name} {
${decl.join("\n")}

  static decode(j: Json, n: i32): ${name} | null {
    if (!isKind(j, n, K.Obj, "")) return null;
    const o = new ${name}();
    let seen: u32 = 0;
    for (let k = j.first(n); k; k = j.nextKey(n, k)) {
${dec.join("\n")}
${tail}
    }
${missing.join("\n")}
    return o;
  }

  encode(w: Writer): void {
    w.obj();
${enc.join("\n")}
    w.endObj();
  }
}`);
}

for (const s of schemas) {
  const m = /^urn:(\w+)\.(req|conf)$/.exec(s.$id!);
  if (!m) throw new Error(`unexpected schema id ${s.$id}`);
  const msg = m[1] + (m[2] === "req" ? "Request" : "Response");
  actions.add(m[1]);
  emitClass(msg, s, msg, s);
}

// Names are functions, not arrays: the compiler drops what the engine never uses,
// where a global array would keep every enum's strings in the binary.
const enumSrc = [...enums].map(([n, vals]) => `export enum ${n} { ${vals.map(ident).join(", ")} }
export function ${n}_name(v: ${n}): string {
  switch (v) {
${vals.map((v, i) => `    case ${i}: return ${JSON.stringify(v)};`).join("\n")}
  }
  return "";
}
export function ${n}_decode(j: Json, n: i32): i32 {
  if (!isKind(j, n, K.Str, "")) return 0;
${vals.map((v, i) => `  if (j.is(n, ${JSON.stringify(v)})) return ${i};`).join("\n")}
  badEnum();
  return 0;
}`);
const acts = [...actions].sort();

const src = `// GENERATED by schemas/gen-messages.ts from the OCPP 2.0.1 JSON schemas. Do not edit.
import { Json, K } from "../json/reader";
import { Writer } from "../json/writer";
import {
  Decode, within, isKind, dAny, dStr, dInt, dNum, dBool, badEnum, dTime, dArr, missing, unknownKey, duplicateKey,
  NO_INT, NO_BOOL, NO_ENUM, NO_TIME,
} from "../messages/codec";

export enum Action { ${acts.join(", ")} }
export const ACTION_NAMES: StaticArray<string> = [${acts.map((a) => JSON.stringify(a)).join(", ")}];

${enumSrc.join("\n\n")}

${[...arrayHelpers.values()].join("\n\n")}

${[...classes.values()].join("\n\n")}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, src);
console.log(`gen-messages: ${acts.length} actions, ${classes.size} classes, ${enums.size} enums -> ${out}`);
