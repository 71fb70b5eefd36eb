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
//
// Text that only goes out gets the same saving another way: a string literal in the last argument of a CALLERROR
// or constraint description (`sendError`, `reject`) or a driver's message (`tell`), and the argument of `say`
// (core/text), become __utf8(memory.data<u8>([...]), n), which makes the string from UTF-8 bytes when it is used.
import { Transform } from "assemblyscript/transform";
import { Node, NodeKind, LiteralKind, Token } from "assemblyscript";

const LEVELS = { error: 0, warn: 1, info: 2 };
/** Calls whose last argument is text that only goes out. */
const TEXT_SINKS = new Set(["sendError", "reject", "tell"]);
const PARTS = ["lineStart", "lineBytes", "lineText", "lineSend"];
const alias = (name) => "__log_" + name;

export default class LogText extends Transform {
  afterParse(parser) {
    for (const source of parser.sources) {
      if (!source.normalizedPath.startsWith("assembly/") || /core\/(log|text)\.ts$/.test(source.normalizedPath)) continue;
      walk(source, outgoingText);
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

/** say("...") and the text argument of a TEXT_SINKS call, with their literals as UTF-8 bytes. */
function outgoingText(node) {
  if (node.kind !== NodeKind.Call || !node.args.length) return null;
  const callee = node.expression;
  const name = callee.kind === NodeKind.Identifier ? callee.text : callee.kind === NodeKind.PropertyAccess ? callee.property.text : "";
  if (name === "say" && node.args.length === 1 && isString(node.args[0])) return utf8(node.args[0]) ?? null;
  if (TEXT_SINKS.has(name)) node.args[node.args.length - 1] = literalsToUtf8(node.args[node.args.length - 1]);
  return null;
}

/** The expression with each string literal of its + chains and ?: branches made from UTF-8 bytes. */
function literalsToUtf8(e) {
  if (isString(e)) return utf8(e) ?? e;
  if (e.kind === NodeKind.Binary && e.operator === Token.Plus) { e.left = literalsToUtf8(e.left); e.right = literalsToUtf8(e.right); }
  else if (e.kind === NodeKind.Parenthesized) e.expression = literalsToUtf8(e.expression);
  else if (e.kind === NodeKind.Ternary) { e.ifThen = literalsToUtf8(e.ifThen); e.ifElse = literalsToUtf8(e.ifElse); }
  return e;
}

function bytesOf(text, range) {
  const bytes = [...Buffer.from(text, "utf8")];
  const u8 = Node.createNamedType(Node.createSimpleTypeName("u8", range), null, false, range);
  const data = Node.createCallExpression(Node.createPropertyAccessExpression(id("memory", range), id("data", range), range),
    [u8], [Node.createArrayLiteralExpression(bytes.map((b) => int(b, range)), range)], range);
  return [data, int(bytes.length, range)];
}

/** __utf8(memory.data<u8>([...]), n) for a literal (none for the empty string, which costs nothing). */
function utf8(lit) {
  return lit.value.length ? call("__utf8", bytesOf(lit.value, lit.range), lit.range) : undefined;
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
    if (p.value.length) seq.push(call(alias("lineBytes"), bytesOf(p.value, range), range));
  }
  seq.push(call(alias("lineSend"), [int(level, range)], range));
  return Node.createCommaExpression(seq, range);
}
