import { Json, JsonError, K } from "../../assembly/json/reader";
import { Writer } from "../../assembly/json/writer";
import { formatTime, parseTime, NO_TIME } from "../../assembly/json/time";

const j = new Json();

let text = new ArrayBuffer(0);   // the tape points into it: it must outlive each test's reads

function parse(s: string): JsonError {
  text = String.UTF8.encode(s);
  return j.parse(changetype<usize>(text), text.byteLength);
}

function parseBytes(bytes: u8[]): JsonError {
  const a = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) a[i] = bytes[i];
  return j.parse(a.dataStart, a.length);
}

function nest(depth: i32): string {
  let s = "";
  for (let i = 0; i < depth; i++) s += "[";
  for (let i = 0; i < depth; i++) s += "]";
  return s;
}

describe("JSON reader", () => {
  it("builds a tape with navigable objects and arrays", () => {
    expect(parse('{"a": [1, 2.5, "x"], "b": {"c": true}, "d": null}')).toBe(JsonError.None);
    expect(j.kindOf(0)).toBe(K.Obj);
    const a = j.first(0);
    expect(j.is(a, "a")).toBe(true);
    const arr = a + 1;
    expect(j.kindOf(arr)).toBe(K.Arr);
    const e1 = j.first(arr);
    const e2 = j.nextIn(arr, e1);
    const e3 = j.nextIn(arr, e2);
    expect(j.num(e1)).toBe(1);
    expect(j.num(e2)).toBe(2.5);
    expect(j.str(e3)).toBe("x");
    expect(j.nextIn(arr, e3)).toBe(0);
    const b = j.nextKey(0, a);
    expect(j.is(b, "b")).toBe(true);
    expect(j.kindOf(j.first(b + 1) + 1)).toBe(K.True);
    const d = j.nextKey(0, b);
    expect(j.kindOf(d + 1)).toBe(K.Null);
    expect(j.nextKey(0, d)).toBe(0);
  });

  it("resolves escapes, including surrogate pairs", () => {
    expect(parse('"a\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00"')).toBe(JsonError.None);
    expect(j.str(0)).toBe("a\"b\\c/d\n\t\u00e9\u{1F600}");
    expect(j.codePoints(0)).toBe(11);
  });

  it("counts code points of raw UTF-8 for maxLength", () => {
    expect(parse('"h\u00e9llo \u{1F600}"')).toBe(JsonError.None);
    expect(j.codePoints(0)).toBe(7);
    expect(j.str(0)).toBe("h\u00e9llo \u{1F600}");
  });

  it("rejects invalid UTF-8: stray continuation, overlong, surrogate, truncated", () => {
    expect(parseBytes([0x22, 0x80, 0x22])).toBe(JsonError.BadUtf8);
    expect(parseBytes([0x22, 0xc0, 0xaf, 0x22])).toBe(JsonError.BadUtf8);
    expect(parseBytes([0x22, 0xed, 0xa0, 0x80, 0x22])).toBe(JsonError.BadUtf8);
    expect(parseBytes([0x22, 0xe2, 0x82])).toBe(JsonError.BadUtf8);
    expect(parseBytes([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22])).toBe(JsonError.BadUtf8);
  });

  it("rejects bad escapes and control characters", () => {
    expect(parse('"\\x41"')).toBe(JsonError.BadEscape);
    expect(parse('"\\u12G4"')).toBe(JsonError.BadEscape);
    expect(parse('"a\nb"')).toBe(JsonError.Syntax);
  });

  it("limits nesting depth", () => {
    expect(parse(nest(16))).toBe(JsonError.None);
    expect(parse(nest(17))).toBe(JsonError.TooDeep);
  });

  it("limits the number of values", () => {
    let s = "[";
    for (let i = 0; i < 1100; i++) s += i ? ",0" : "0";
    expect(parse(s + "]")).toBe(JsonError.TooManyNodes);
  });

  it("rejects truncated and trailing input", () => {
    expect(parse('[2,"abc","Heartbeat",{')).toBe(JsonError.Syntax);
    expect(parse('{"a":')).toBe(JsonError.Syntax);
    expect(parse('"abc')).toBe(JsonError.Syntax);
    expect(parse("[1,]")).toBe(JsonError.Syntax);
    expect(parse("[1] x")).toBe(JsonError.Trailing);
    expect(parse("   ")).toBe(JsonError.Empty);
    expect(parse("tru")).toBe(JsonError.Syntax);
    expect(parse("01")).toBe(JsonError.Trailing);
    expect(parse("-")).toBe(JsonError.Syntax);
    expect(parse("1.")).toBe(JsonError.Syntax);
  });

  it("reads numbers as OCPP uses them", () => {
    expect(parse("[0, -7, 230.25, 1.5e3, 2E-2, 0.1, 9007199254740991]")).toBe(JsonError.None);
    let e = j.first(0);
    const want: f64[] = [0, -7, 230.25, 1500, 0.02, 0.1, 9007199254740991];
    for (let i = 0; i < want.length; i++, e = j.nextIn(0, e)) expect(j.num(e)).toBe(want[i]);
    expect(parse("[3.0, 3.5]")).toBe(JsonError.None);
    expect(j.isIntegral(j.first(0))).toBe(true);
    expect(j.isIntegral(j.nextIn(0, j.first(0)))).toBe(false);
  });
});

describe("JSON writer", () => {
  it("writes nested structures with separators", () => {
    const w = new Writer();
    w.arr(); w.int(2); w.str("id"); w.obj(); w.key("a"); w.int(-5); w.key("b"); w.arr(); w.bool(true); w.nul(); w.endArr(); w.endObj(); w.endArr();
    expect(w.toString()).toBe('[2,"id",{"a":-5,"b":[true,null]}]');
  });

  it("escapes quotes, backslashes, controls and encodes UTF-8", () => {
    const w = new Writer();
    w.str("q\"b\\n\n\x01\u00e9\u{1F600}");
    expect(w.toString()).toBe('"q\\"b\\\\n\\n\\u0001\u00e9\u{1F600}"');
    expect(parse(w.toString())).toBe(JsonError.None);
    expect(j.str(0)).toBe("q\"b\\n\n\x01\u00e9\u{1F600}");
  });

  it("formats decimals with at most 6 fractional digits", () => {
    const w = new Writer();
    w.arr(); w.num(230); w.num(0.1); w.num(-12.345); w.num(1e-7); w.num(1234567.25); w.num(0.000001); w.endArr();
    expect(w.toString()).toBe("[230,0.1,-12.345,0,1234567.25,0.000001]");
  });

  it("marks overflow instead of truncating silently", () => {
    const w = new Writer(64);
    w.str("0123456789".repeat(7));
    expect(w.overflow).toBe(true);
  });

  it("refuses non-finite numbers", () => {
    const w = new Writer();
    w.num(NaN);
    expect(w.overflow).toBe(true);
  });
});

function t(s: string): i64 {
  const b = String.UTF8.encode(s);
  return parseTime(changetype<usize>(b), b.byteLength);
}

describe("RFC 3339 date-times", () => {
  it("parses UTC, fractions and offsets", () => {
    expect(t("2026-01-01T00:00:00Z")).toBe(1767225600000);
    expect(t("2026-01-01T00:00:00.250Z")).toBe(1767225600250);
    expect(t("2026-01-01T01:30:00+01:30")).toBe(1767225600000);
    expect(t("2025-12-31T23:00:00-01:00")).toBe(1767225600000);
    expect(t("2024-02-29T12:00:00z")).toBe(1709208000000);
  });

  it("rejects malformed date-times", () => {
    expect(t("2026-01-01")).toBe(NO_TIME);
    expect(t("2026-01-01T00:00:00")).toBe(NO_TIME);
    expect(t("2026-13-01T00:00:00Z")).toBe(NO_TIME);
    expect(t("2025-02-29T00:00:00Z")).toBe(NO_TIME);
    expect(t("2026-01-01T24:00:00Z")).toBe(NO_TIME);
    expect(t("2026-01-01T00:00:00+0100")).toBe(NO_TIME);
    expect(t("2026-01-01T00:00:00.Z")).toBe(NO_TIME);
  });

  it("formats UTC with milliseconds only when present", () => {
    expect(formatTime(1767225600000)).toBe("2026-01-01T00:00:00Z");
    expect(formatTime(1767225600250)).toBe("2026-01-01T00:00:00.250Z");
    expect(formatTime(951782400000)).toBe("2000-02-29T00:00:00Z");
    expect(formatTime(0)).toBe("1970-01-01T00:00:00Z");
  });
});
