// An asc transform: the text of a log line is stored as UTF-8 bytes, not as string objects.
//
// AssemblyScript keeps every string literal as a UTF-16 object with a 20-byte header, aligned to 16 bytes: a
// 40-character log text takes 112 bytes of the engine's linear memory, which an MCU build cannot spare. In every
// call of the engine's `info`, `warn` and `error` (imported from core/log) whose argument is a string literal or a
// `+` chain holding one, the line is built part by part in core/log's line buffer instead:
//   warn("rpc: " + actionName(a) + " timed out")
// becomes
//   (lineStart(), lineBytes(memory.data<u8>([...]), 5), lineText(actionName(a)), lineBytes(...), lineSend(Level.Warn))
// The logged line is the same; no string is concatenated on the heap. Parts are evaluated in order, as before;
// a part must not itself log (it would overwrite the line being built).
import { Transform } from "assemblyscript/transform";
import { Node, NodeKind, LiteralKind, Token } from "assemblyscript";

const LEVELS = { error: 0, warn: 1, info: 2 };
const PARTS = ["lineStart", "lineBytes", "lineText", "lineSend"];
const alias = (name) => "__log_" + name;

export default class LogText extends Transform {
  afterParse(parser) {
    for (const source of parser.sources) {
      if (!source.normalizedPath.startsWith("assembly/") || source.normalizedPath.endsWith("core/log.ts")) continue;
      const imp = logImport(source);
      if (!imp) continue;
      let used = false;
      walk(source, (node) => {
        if (node.kind !== NodeKind.Call || node.expression.kind !== NodeKind.Identifier) return null;
        const level = imp.levels.get(node.expression.text);
        if (level === undefined || node.args.length !== 1) return null;
        const parts = flatten(node.args[0]);
        if (!parts.some(isString)) return null;
        used = true;
        return lineOf(parts, level, node.range);
      });
      if (used) for (const name of PARTS) {
        imp.statement.declarations.push(Node.createImportDeclaration(id(name, imp.statement.range), id(alias(name), imp.statement.range), imp.statement.range));
      }
    }
  }
}

/** The source's import of core/log, with the local names of its log functions and their levels. */
function logImport(source) {
  for (const s of source.statements) {
    if (s.kind !== NodeKind.Import || !s.declarations || !/(^|\/)core\/log$/.test(s.internalPath)) continue;
    const levels = new Map();
    for (const d of s.declarations) if (d.foreignName.text in LEVELS) levels.set(d.name.text, LEVELS[d.foreignName.text]);
    if (levels.size) return { statement: s, levels };
  }
  return null;
}

/** Visits every node below `node`; where `replace` returns a node, it takes the visited node's place. */
function walk(node, replace) {
  for (const key of Object.keys(node)) {
    if (key === "range" || key === "parent") continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (isNode(v[i])) v[i] = visit(v[i], replace);
    } else if (isNode(v)) node[key] = visit(v, replace);
  }
}

function visit(node, replace) {
  walk(node, replace);
  return replace(node) ?? node;
}

const isNode = (v) => v !== null && typeof v === "object" && typeof v.kind === "number" && v.range !== undefined;
const isString = (e) => e.kind === NodeKind.Literal && e.literalKind === LiteralKind.String;

/** The operands of a `+` chain (a + b + c), left to right; the expression itself when it is not one. */
function flatten(e) {
  if (e.kind === NodeKind.Binary && e.operator === Token.Plus) return [...flatten(e.left), ...flatten(e.right)];
  if (e.kind === NodeKind.Parenthesized) {
    const inner = flatten(e.expression);
    if (inner.length > 1 && inner.some(isString)) return inner;
  }
  return [e];
}

function id(text, range) { return Node.createIdentifierExpression(text, range); }
function call(name, args, range, typeArgs = null) { return Node.createCallExpression(id(name, range), typeArgs, args, range); }
function int(n, range) { return Node.createIntegerLiteralExpression(i64_new(n, 0), range); }

/** (lineStart(), a lineBytes or lineText per part, lineSend(level)) */
function lineOf(parts, level, range) {
  const seq = [call(alias("lineStart"), [], range)];
  for (const p of parts) {
    if (!isString(p)) { seq.push(call(alias("lineText"), [p], range)); continue; }
    const bytes = [...Buffer.from(p.value, "utf8")];
    if (!bytes.length) continue;
    const u8 = Node.createNamedType(Node.createSimpleTypeName("u8", range), null, false, range);
    const data = Node.createCallExpression(Node.createPropertyAccessExpression(id("memory", range), id("data", range), range),
      [u8], [Node.createArrayLiteralExpression(bytes.map((b) => int(b, range)), range)], range);
    seq.push(call(alias("lineBytes"), [data, int(bytes.length, range)], range));
  }
  seq.push(call(alias("lineSend"), [int(level, range)], range));
  return Node.createCommaExpression(seq, range);
}
