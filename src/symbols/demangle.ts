/**
 * An Itanium C++ ABI demangler printing names the way GCC's `abi::__cxa_demangle` does (which is
 * what memray calls on every native frame's name: native_resolver.cpp's demangle(), for names
 * starting with "_Z" only, keeping the mangled name when demangling fails). Rust's legacy
 * symbols (`_ZN...17h<hash>E`) are Itanium names, so they come out as memray prints them
 * (`core::fmt::write::h0123456789abcdef`, `$LT$`-escapes kept); Rust v0 names (`_R...`) are not
 * "_Z" names and memray keeps them as they are.
 *
 * The output follows libiberty's printer: `char const*`, `void (*)(int)`, `int (*) [3]`,
 * `foo<bar<int> >`, `operator< <int>`, literals as `5u`/`(char)97`/`true`, `{lambda(int)#1}`,
 * `{unnamed type#1}`, `f()::x`, `[abi:cxx11]`, `[clone .cold]`. `verbose` prints the standard
 * substitutions in full as `c++filt` does (`std::basic_string<char, std::char_traits<char>,
 * std::allocator<char> >` for `Ss`); `__cxa_demangle` (the default) prints `std::string`.
 * Expressions (decltype, non-type template arguments beyond literals) cover the common forms;
 * a name using anything else fails (null), like a name that is not well-formed. Where versions
 * of libiberty differ, this follows GCC 12's libstdc++ (Debian 12's, what memray calls there):
 * no `DF<n>_` (_Float16) types, `GR <name> <number>`, no clone suffix on data names.
 */

export interface DemangleOptions {
  /** Standard substitutions in full (c++filt's DMGL_VERBOSE). Default false (__cxa_demangle). */
  verbose?: boolean;
}

/** memray's rule: "_Z" names demangled, everything else (and any failure) left as it is. */
export function demangleSymbol(name: string): string {
  if (!name.startsWith("_Z")) return name;
  return demangle(name) ?? name;
}

/** The demangled form of an Itanium-mangled name ("_Z..."), or null when it is not one. */
export function demangle(mangled: string, options: DemangleOptions = {}): string | null {
  if (!mangled.startsWith("_Z") || mangled.length > 1 << 16) return null;
  try {
    const p = new Parser(mangled, 2, options.verbose === true);
    const node = p.mangledName();
    if (p.pos !== mangled.length) return null;
    return new Printer().run(node);
  } catch (e) {
    if (e instanceof Fail) return null;
    throw e;
  }
}

class Fail extends Error {}

type Node =
  | { t: "name"; s: string }
  | { t: "qual"; l: Node; r: Node }
  | { t: "tmpl"; l: Node; args: Node[] }
  | { t: "builtin"; s: string; print: string }
  | { t: "mod"; kind: string; inner: Node }
  | { t: "this"; kind: string; inner: Node }
  | { t: "fn"; ret: Node | null; params: Node[] }
  | { t: "array"; dim: Node | null; inner: Node }
  | { t: "ptrmem"; cls: Node; member: Node }
  | { t: "typed"; name: Node; type: Node }
  | { t: "local"; fn: Node; entity: Node }
  | { t: "clone"; inner: Node; suffix: string }
  | { t: "special"; text: string; inner: Node }
  | { t: "ctorvtable"; a: Node; b: Node }
  | { t: "abi"; inner: Node; tag: string }
  | { t: "lit"; type: Node; value: string; neg: boolean }
  | { t: "raw"; s: string }
  | { t: "pack"; items: Node[] }
  | { t: "lambda"; params: Node[]; num: number }
  | { t: "unnamed"; num: number }
  | { t: "ctor"; name: Node; dtor: boolean }
  | { t: "conv"; type: Node }
  | { t: "expr"; op: string; args: Node[] }
  | { t: "vendor"; s: string; inner: Node };

const BUILTINS: Record<string, [string, string]> = {
  v: ["void", "void"],
  w: ["wchar_t", "default"],
  b: ["bool", "bool"],
  c: ["char", "default"],
  a: ["signed char", "default"],
  h: ["unsigned char", "default"],
  s: ["short", "default"],
  t: ["unsigned short", "default"],
  i: ["int", "int"],
  j: ["unsigned int", "unsigned"],
  l: ["long", "long"],
  m: ["unsigned long", "ulong"],
  x: ["long long", "llong"],
  y: ["unsigned long long", "ullong"],
  n: ["__int128", "default"],
  o: ["unsigned __int128", "default"],
  f: ["float", "float"],
  d: ["double", "float"],
  e: ["long double", "float"],
  g: ["__float128", "float"],
  z: ["...", "default"],
};
const D_BUILTINS: Record<string, [string, string]> = {
  d: ["decimal64", "default"],
  e: ["decimal128", "default"],
  f: ["decimal32", "default"],
  h: ["half", "float"],
  i: ["char32_t", "default"],
  s: ["char16_t", "default"],
  u: ["char8_t", "default"],
  a: ["auto", "default"],
  c: ["decltype(auto)", "default"],
  n: ["decltype(nullptr)", "default"],
};

/** Operator codes: name as printed after "operator", and arity (for expressions). */
const OPERATORS: Record<string, [string, number]> = {
  nw: ["new", 3], na: ["new[]", 3], dl: ["delete", 1], da: ["delete[]", 1], ps: ["+", 1], ng: ["-", 1],
  ad: ["&", 1], de: ["*", 1], co: ["~", 1], pl: ["+", 2], mi: ["-", 2], ml: ["*", 2], dv: ["/", 2],
  rm: ["%", 2], an: ["&", 2], or: ["|", 2], eo: ["^", 2], aS: ["=", 2], pL: ["+=", 2], mI: ["-=", 2],
  mL: ["*=", 2], dV: ["/=", 2], rM: ["%=", 2], aN: ["&=", 2], oR: ["|=", 2], eO: ["^=", 2], ls: ["<<", 2],
  rs: [">>", 2], lS: ["<<=", 2], rS: [">>=", 2], eq: ["==", 2], ne: ["!=", 2], lt: ["<", 2], gt: [">", 2],
  le: ["<=", 2], ge: [">=", 2], ss: ["<=>", 2], nt: ["!", 1], aa: ["&&", 2], oo: ["||", 2], pp: ["++", 1],
  mm: ["--", 1], cm: [",", 2], pm: ["->*", 2], pt: ["->", 2], cl: ["()", 2], ix: ["[]", 2], qu: ["?", 3],
  st: ["sizeof ", 1], sz: ["sizeof ", 1], at: ["alignof ", 1], az: ["alignof ", 1], aw: ["co_await", 1],
};

const STD_SUBS: Record<string, { simple: string; full: string; last: string }> = {
  t: { simple: "std", full: "std", last: "" },
  a: { simple: "std::allocator", full: "std::allocator", last: "allocator" },
  b: { simple: "std::basic_string", full: "std::basic_string", last: "basic_string" },
  s: { simple: "std::string", full: "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", last: "basic_string" },
  i: { simple: "std::istream", full: "std::basic_istream<char, std::char_traits<char> >", last: "basic_istream" },
  o: { simple: "std::ostream", full: "std::basic_ostream<char, std::char_traits<char> >", last: "basic_ostream" },
  d: { simple: "std::iostream", full: "std::basic_iostream<char, std::char_traits<char> >", last: "basic_iostream" },
};

const MAX_NESTING = 256;

class Parser {
  pos: number;
  private readonly s: string;
  private readonly verbose: boolean;
  private readonly subs: Node[] = [];
  /** The template arguments T_ refers to (the enclosing function template's). */
  private templateArgs: Node[] | null = null;
  private lastName: Node | null = null;
  private depth = 0;

  constructor(s: string, pos: number, verbose: boolean) {
    this.s = s;
    this.pos = pos;
    this.verbose = verbose;
  }

  private peek(o = 0): string {
    return this.s[this.pos + o] ?? "";
  }
  private eat(c: string): boolean {
    if (this.s.startsWith(c, this.pos)) {
      this.pos += c.length;
      return true;
    }
    return false;
  }
  private expect(c: string): void {
    if (!this.eat(c)) throw new Fail();
  }
  private enter(): void {
    if (++this.depth > MAX_NESTING) throw new Fail();
  }

  mangledName(): Node {
    let n = this.encoding();
    while (this.peek() === "." && /[a-z_0-9]/.test(this.peek(1))) {
      const start = this.pos;
      {
        this.pos += 2;
        while (/[a-z_0-9]/.test(this.peek())) this.pos++;
      }
      while (this.peek() === "." && /[0-9]/.test(this.peek(1))) {
        this.pos += 2;
        while (/[0-9]/.test(this.peek())) this.pos++;
      }
      if (this.pos === start) break;
      n = { t: "clone", inner: n, suffix: this.s.slice(start, this.pos) };
    }
    return n;
  }

  private encoding(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "G" || c === "T") return this.specialName();
      const name = this.name();
      const next = this.peek();
      // A data name followed by a clone suffix is no valid name to libiberty (`_Z3foo.cold`).
      if (next === "" || next === "E") return hoistLocalQualifiers(name);
      const saved = this.templateArgs;
      const base = stripThis(name);
      const tmpl = base.t === "local" ? stripThis(base.entity) : base;
      if (tmpl.t === "tmpl") this.templateArgs = tmpl.args;
      try {
        const type = this.bareFunctionType(hasReturnType(name));
        return { t: "typed", name: hoistLocalQualifiers(name), type };
      } finally {
        this.templateArgs = saved;
      }
    } finally {
      this.depth--;
    }
  }

  private specialName(): Node {
    if (this.eat("TV")) return { t: "special", text: "vtable for ", inner: this.type() };
    if (this.eat("TT")) return { t: "special", text: "VTT for ", inner: this.type() };
    if (this.eat("TI")) return { t: "special", text: "typeinfo for ", inner: this.type() };
    if (this.eat("TS")) return { t: "special", text: "typeinfo name for ", inner: this.type() };
    if (this.eat("TH")) return { t: "special", text: "TLS init function for ", inner: this.name() };
    if (this.eat("TW")) return { t: "special", text: "TLS wrapper function for ", inner: this.name() };
    if (this.eat("TA")) return { t: "special", text: "template parameter object for ", inner: this.templateArg() };
    if (this.eat("Th")) {
      this.callOffset("h");
      return { t: "special", text: "non-virtual thunk to ", inner: this.encoding() };
    }
    if (this.eat("Tv")) {
      this.callOffset("v");
      return { t: "special", text: "virtual thunk to ", inner: this.encoding() };
    }
    if (this.eat("Tc")) {
      this.callOffset(this.s[this.pos++] ?? "");
      this.callOffset(this.s[this.pos++] ?? "");
      return { t: "special", text: "covariant return thunk to ", inner: this.encoding() };
    }
    if (this.eat("TC")) {
      const derived = this.type();
      this.number();
      this.expect("_");
      const base = this.type();
      return { t: "ctorvtable", a: base, b: derived };
    }
    if (this.eat("GV")) return { t: "special", text: "guard variable for ", inner: this.name() };
    if (this.eat("GR")) {
      // GCC 12's libiberty reads GR <name> <number> (no seq-id, no "_").
      const name = this.name();
      return { t: "special", text: `reference temporary #${this.number()} for `, inner: name };
    }
    if (this.eat("GA")) return { t: "special", text: "hidden alias for ", inner: this.encoding() };
    if (this.eat("GTt")) return { t: "special", text: "transaction clone for ", inner: this.encoding() };
    if (this.eat("GTn")) return { t: "special", text: "non-transaction clone for ", inner: this.encoding() };
    throw new Fail();
  }

  private callOffset(kind: string): void {
    if (kind === "h") {
      this.number();
      this.expect("_");
    } else if (kind === "v") {
      this.number();
      this.expect("_");
      this.number();
      this.expect("_");
    } else throw new Fail();
  }

  private number(): number {
    const neg = this.eat("n");
    const start = this.pos;
    while (/[0-9]/.test(this.peek())) this.pos++;
    if (this.pos === start) throw new Fail();
    const n = Number(this.s.slice(start, this.pos));
    return neg ? -n : n;
  }

  private seqId(): number {
    const start = this.pos;
    while (/[0-9A-Z]/.test(this.peek())) this.pos++;
    if (this.pos === start) throw new Fail();
    return parseInt(this.s.slice(start, this.pos), 36);
  }

  private addSub(n: Node): void {
    this.subs.push(n);
  }

  private name(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "N") return this.nestedName();
      if (c === "Z") return this.localName();
      if (c === "S" && this.peek(1) !== "t") {
        const sub = this.substitution(false);
        if (this.peek() === "I") return { t: "tmpl", l: sub, args: this.templateArgs_() };
        return sub;
      }
      let n: Node;
      if (c === "S") {
        this.pos += 2;
        n = { t: "qual", l: { t: "name", s: "std" }, r: this.unqualifiedName(null) };
      } else n = this.unqualifiedName(null);
      if (this.peek() === "I") {
        this.addSub(n);
        n = { t: "tmpl", l: n, args: this.templateArgs_() };
      }
      return n;
    } finally {
      this.depth--;
    }
  }

  private cvQualifiers(): string[] {
    const q: string[] = [];
    if (this.eat("r")) q.push("restrict");
    if (this.eat("V")) q.push("volatile");
    if (this.eat("K")) q.push("const");
    return q;
  }

  private nestedName(): Node {
    this.expect("N");
    const cv = this.cvQualifiers();
    let ref = "";
    if (this.eat("R")) ref = "&";
    else if (this.eat("O")) ref = "&&";
    let n = this.prefix();
    this.expect("E");
    // Qualifiers as libiberty nests them: the first parsed outermost, then the ref-qualifier.
    for (let i = cv.length - 1; i >= 0; i--) n = { t: "this", kind: cv[i]!, inner: n };
    if (ref !== "") n = { t: "this", kind: ref, inner: n };
    return n;
  }

  /** <prefix>es up to "E": each one (but a substitution, and the whole name) a substitution candidate. */
  private prefix(): Node {
    let ret: Node | null = null;
    for (;;) {
      const c = this.peek();
      if (c === "") throw new Fail();
      if (c === "E") {
        if (ret === null) throw new Fail();
        return ret;
      }
      if (c === "M") {
        // <data-member-prefix>: the closure's scope (a member initializer); nothing printed.
        if (ret === null) throw new Fail();
        this.pos++;
        continue;
      }
      if (c === "I") {
        if (ret === null) throw new Fail();
        ret = { t: "tmpl", l: ret, args: this.templateArgs_() };
      } else {
        let comp: Node;
        if (c === "S") comp = this.substitution(true);
        else if (c === "T") comp = this.templateParam();
        else if (c === "D" && (this.peek(1) === "t" || this.peek(1) === "T")) comp = this.decltype();
        else comp = this.unqualifiedName(ret);
        ret = ret === null ? comp : { t: "qual", l: ret, r: comp };
      }
      if (c !== "S" && this.peek() !== "E") this.addSub(ret);
    }
  }

  private unqualifiedName(scope: Node | null): Node {
    const c = this.peek();
    let n: Node;
    if (/[0-9]/.test(c)) n = this.sourceName();
    else if (/[a-z]/.test(c)) n = this.operatorName();
    else if (c === "C" || c === "D") n = this.ctorDtor(scope);
    else if (c === "L") {
      this.pos++;
      n = this.sourceName();
      this.discriminator();
    } else if (c === "U") n = this.unnamedType();
    else throw new Fail();
    while (this.peek() === "B") {
      this.pos++;
      // A tag is no name of its own: a constructor after it is still named after the class.
      const named = this.lastName;
      const tag = this.sourceName() as { t: "name"; s: string };
      this.lastName = named;
      n = { t: "abi", inner: n, tag: tag.s };
    }
    return n;
  }

  private sourceName(): Node {
    const start = this.pos;
    while (/[0-9]/.test(this.peek())) this.pos++;
    const len = Number(this.s.slice(start, this.pos));
    if (this.pos === start || len <= 0 || this.pos + len > this.s.length) throw new Fail();
    let id = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    if (len >= 10 && /^_GLOBAL_[._$]N/.test(id)) id = "(anonymous namespace)";
    const n: Node = { t: "name", s: id };
    this.lastName = n;
    return n;
  }

  private operatorName(): Node {
    const code = this.s.slice(this.pos, this.pos + 2);
    if (code === "cv") {
      this.pos += 2;
      return { t: "conv", type: this.type() };
    }
    if (code === "li") {
      this.pos += 2;
      return { t: "name", s: `operator"" ${(this.sourceName() as { s: string }).s}` };
    }
    if (code[0] === "v" && /[0-9]/.test(code[1] ?? "")) {
      this.pos += 2;
      return { t: "name", s: `operator ${(this.sourceName() as { s: string }).s}` };
    }
    const op = OPERATORS[code];
    if (op === undefined) throw new Fail();
    this.pos += 2;
    const text = op[0].trimEnd();
    return { t: "name", s: /^[a-z]/.test(text) ? `operator ${text}` : `operator${text}` };
  }

  private ctorDtor(scope: Node | null): Node {
    void scope;
    if (this.eat("C")) {
      const inheriting = this.eat("I");
      if (!/[1-5]/.test(this.peek())) throw new Fail();
      this.pos++;
      // An inheriting constructor is named after the base class it inherits from.
      if (inheriting) this.type();
      if (this.lastName === null) throw new Fail();
      return { t: "ctor", name: this.lastName, dtor: false };
    }
    const name = this.lastName;
    if (name === null) throw new Fail();
    this.expect("D");
    if (!/[0-5]/.test(this.peek())) throw new Fail();
    this.pos++;
    return { t: "ctor", name, dtor: true };
  }

  private unnamedType(): Node {
    if (this.eat("Ut")) {
      const num = this.peek() === "_" ? 1 : this.number() + 2;
      this.expect("_");
      const n: Node = { t: "unnamed", num };
      this.addSub(n);
      return n;
    }
    if (this.eat("Ul")) {
      const params = this.paramList();
      this.expect("E");
      const num = this.peek() === "_" ? 1 : this.number() + 2;
      this.expect("_");
      // Unlike other names, libiberty does not make a closure type a substitution candidate.
      return { t: "lambda", params, num };
    }
    throw new Fail();
  }

  private discriminator(): void {
    if (!this.eat("_")) return;
    if (this.eat("_")) {
      this.number();
      this.expect("_");
    } else this.number();
  }

  private localName(): Node {
    this.expect("Z");
    let fn = this.encoding();
    this.expect("E");
    // The enclosing function's return type is not printed (it is not the local entity's).
    if (fn.t === "typed" && fn.type.t === "fn") fn = { ...fn, type: { ...fn.type, ret: null } };
    if (this.eat("s")) {
      this.discriminator();
      return { t: "local", fn, entity: { t: "name", s: "string literal" } };
    }
    if (this.eat("d")) {
      const num = this.peek() === "_" ? 0 : this.number() + 1;
      this.expect("_");
      const entity = this.name();
      return { t: "local", fn, entity: { t: "qual", l: { t: "name", s: `{default arg#${num + 1}}` }, r: entity } };
    }
    const entity = this.name();
    // Closures and unnamed types carry their own number instead of a discriminator.
    if (entity.t !== "lambda" && entity.t !== "unnamed") this.discriminator();
    return { t: "local", fn, entity };
  }

  private substitution(prefix: boolean): Node {
    this.expect("S");
    if (this.eat("_")) return this.subAt(0);
    if (/[0-9A-Z]/.test(this.peek())) {
      const id = this.seqId() + 1;
      this.expect("_");
      return this.subAt(id);
    }
    const c = this.peek();
    const std = STD_SUBS[c];
    if (std === undefined) throw new Fail();
    this.pos++;
    let verbose = this.verbose;
    if (!verbose && prefix && (this.peek() === "C" || this.peek() === "D")) verbose = true;
    if (std.last !== "") this.lastName = { t: "name", s: std.last };
    return { t: "name", s: verbose ? std.full : std.simple };
  }

  private subAt(i: number): Node {
    const n = this.subs[i];
    if (n === undefined) throw new Fail();
    return n;
  }

  private templateArgs_(): Node[] {
    this.expect("I");
    const saved = this.lastName;
    const args: Node[] = [];
    while (!this.eat("E")) {
      if (this.peek() === "") throw new Fail();
      args.push(this.templateArg());
    }
    this.lastName = saved;
    return args;
  }

  private templateArg(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "X") {
        this.pos++;
        const e = this.expression();
        this.expect("E");
        return e;
      }
      if (c === "L") return this.exprPrimary();
      if (c === "J") {
        this.pos++;
        const items: Node[] = [];
        while (!this.eat("E")) {
          if (this.peek() === "") throw new Fail();
          items.push(this.templateArg());
        }
        return { t: "pack", items };
      }
      return this.type();
    } finally {
      this.depth--;
    }
  }

  private templateParam(): Node {
    this.expect("T");
    const i = this.peek() === "_" ? 0 : this.number() + 1;
    this.expect("_");
    const args = this.templateArgs;
    if (args === null || i >= args.length) throw new Fail();
    return args[i]!;
  }

  private decltype(): Node {
    this.expect("D");
    const c = this.s[this.pos++];
    if (c !== "t" && c !== "T") throw new Fail();
    const e = this.expression();
    this.expect("E");
    return { t: "raw", s: `decltype (${new Printer().run(e)})` };
  }

  private bareFunctionType(hasReturn: boolean): Node {
    const ret = hasReturn ? this.type() : null;
    return { t: "fn", ret, params: this.paramList() };
  }

  /** Parameter types up to "E", "." or the end; a lone `void` is no parameter. */
  private paramList(): Node[] {
    const params: Node[] = [];
    let count = 0;
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "E" || c === "." || (c === "R" && this.peek(1) === "E") || (c === "O" && this.peek(1) === "E")) break;
      const t = this.type();
      count++;
      if (t.t === "pack") params.push(...t.items);
      else params.push(t);
    }
    if (count === 0) throw new Fail();
    if (params.length === 1 && params[0]!.t === "builtin" && params[0]!.s === "void") return [];
    return params;
  }

  private type(): Node {
    this.enter();
    try {
      return this.typeInner();
    } finally {
      this.depth--;
    }
  }

  private typeInner(): Node {
    const c = this.peek();
    if (c === "r" || c === "V" || c === "K") {
      const cv = this.cvQualifiers();
      let inner: Node;
      if (this.peek() === "F") inner = this.functionType();
      else inner = this.type();
      let n: Node = inner;
      const isFn = inner.t === "fn" || (inner.t === "this" && isFnQualified(inner));
      // A function type's ref-qualifier prints after its cv-qualifiers: keep it outermost.
      const ref = isFn && inner.t === "this" && (inner.kind === "&" || inner.kind === "&&") ? inner : null;
      if (ref !== null) n = ref.inner;
      for (let i = cv.length - 1; i >= 0; i--) n = isFn ? { t: "this", kind: cv[i]!, inner: n } : { t: "mod", kind: cv[i]!, inner: n };
      if (ref !== null) n = { t: "this", kind: ref.kind, inner: n };
      this.addSub(n);
      return n;
    }
    const b = BUILTINS[c];
    if (b !== undefined) {
      this.pos++;
      return { t: "builtin", s: b[0], print: b[1] };
    }
    let n: Node;
    switch (c) {
      case "u": {
        this.pos++;
        n = this.sourceName();
        break;
      }
      case "F":
        n = this.functionType();
        break;
      case "N":
      case "Z":
      case "0":
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "6":
      case "7":
      case "8":
      case "9":
        n = this.name();
        break;
      case "A":
        n = this.arrayType();
        break;
      case "M": {
        this.pos++;
        const cls = this.type();
        const member = this.type();
        n = { t: "ptrmem", cls, member };
        break;
      }
      case "T": {
        n = this.templateParam();
        if (this.peek() === "I") {
          this.addSub(n);
          n = { t: "tmpl", l: n, args: this.templateArgs_() };
        }
        break;
      }
      case "S": {
        const next = this.peek(1);
        if (/[0-9A-Z_]/.test(next)) {
          n = this.substitution(false);
          if (this.peek() === "I") n = { t: "tmpl", l: n, args: this.templateArgs_() };
          else return n;
        } else {
          const std = next !== "t";
          n = this.name();
          // A standard substitution alone (Ss, Sa...) is a complete type: no new candidate.
          if (std && n.t === "name") return n;
        }
        break;
      }
      case "P":
      case "R":
      case "O":
      case "C":
      case "G": {
        this.pos++;
        const inner = this.type();
        const kind = c === "P" ? "*" : c === "R" ? "&" : c === "O" ? "&&" : c === "C" ? " _Complex" : " _Imaginary";
        n = { t: "mod", kind, inner };
        break;
      }
      case "U": {
        this.pos++;
        const q = this.sourceName() as { s: string };
        if (this.peek() === "I") this.templateArgs_();
        n = { t: "vendor", s: q.s, inner: this.type() };
        break;
      }
      case "D": {
        const d = this.peek(1);
        const db = D_BUILTINS[d];
        if (db !== undefined) {
          this.pos += 2;
          return { t: "builtin", s: db[0], print: db[1] };
        }
        if (d === "p") {
          this.pos += 2;
          n = expandPack(this.type());
          break;
        }
        if (d === "t" || d === "T") {
          n = this.decltype();
          break;
        }
        if (d === "v") {
          this.pos += 2;
          let dim: string;
          if (this.eat("_")) dim = new Printer().run(this.expression());
          else {
            dim = String(this.number());
            this.expect("_");
          }
          const inner = this.type();
          n = { t: "raw", s: `${new Printer().run(inner)} __vector(${dim})` };
          break;
        }
        throw new Fail();
      }
      default:
        throw new Fail();
    }
    this.addSub(n);
    return n;
  }

  private functionType(): Node {
    this.expect("F");
    this.eat("Y");
    const ret = this.type();
    const params = this.paramList();
    let n: Node = { t: "fn", ret, params };
    if (this.eat("R")) n = { t: "this", kind: "&", inner: n };
    else if (this.eat("O")) n = { t: "this", kind: "&&", inner: n };
    this.expect("E");
    return n;
  }

  private arrayType(): Node {
    this.expect("A");
    let dim: Node | null = null;
    if (/[0-9]/.test(this.peek())) {
      const start = this.pos;
      while (/[0-9]/.test(this.peek())) this.pos++;
      dim = { t: "raw", s: this.s.slice(start, this.pos) };
    } else if (this.peek() !== "_") dim = this.expression();
    this.expect("_");
    return { t: "array", dim, inner: this.type() };
  }

  private exprPrimary(): Node {
    this.expect("L");
    if (this.peek() === "_" && this.peek(1) === "Z") {
      this.pos += 2;
      const e = this.encoding();
      this.expect("E");
      return e;
    }
    const type = this.type();
    const neg = this.eat("n");
    const start = this.pos;
    while (this.peek() !== "E") {
      if (this.peek() === "") throw new Fail();
      this.pos++;
    }
    const value = this.s.slice(start, this.pos);
    this.expect("E");
    return { t: "lit", type, value, neg };
  }

  private expression(): Node {
    this.enter();
    try {
      return this.expressionInner();
    } finally {
      this.depth--;
    }
  }

  private expressionInner(): Node {
    const c = this.peek();
    if (c === "L") return this.exprPrimary();
    if (c === "T") return this.templateParam();
    if (this.eat("fp")) {
      this.cvQualifiers();
      const i = this.peek() === "_" ? 1 : this.number() + 2;
      this.expect("_");
      return { t: "raw", s: i === 1 ? "{parm#1}" : `{parm#${i}}` };
    }
    if (this.eat("sr")) {
      const scope = this.type();
      const name = this.unqualifiedName(null);
      const n: Node = { t: "qual", l: scope, r: name };
      if (this.peek() === "I") return { t: "tmpl", l: n, args: this.templateArgs_() };
      return n;
    }
    if (this.eat("st")) return { t: "expr", op: "sizeof ", args: [this.type()] };
    if (this.eat("sp")) return expandPack(this.expression());
    if (this.eat("sZ")) return { t: "raw", s: `sizeof...(${new Printer().run(this.templateParam())})` };
    if (/[0-9]/.test(c)) {
      const n = this.sourceName();
      if (this.peek() === "I") return { t: "tmpl", l: n, args: this.templateArgs_() };
      return n;
    }
    const code = this.s.slice(this.pos, this.pos + 2);
    if (code === "cv") {
      this.pos += 2;
      const type = this.type();
      if (this.eat("_")) {
        const args: Node[] = [];
        while (!this.eat("E")) args.push(this.expression());
        return { t: "expr", op: "cast()", args: [type, ...args] };
      }
      return { t: "expr", op: "cast", args: [type, this.expression()] };
    }
    if (code === "cl") {
      this.pos += 2;
      const args: Node[] = [];
      while (!this.eat("E")) {
        if (this.peek() === "") throw new Fail();
        args.push(this.expression());
      }
      return { t: "expr", op: "call", args };
    }
    const op = OPERATORS[code];
    if (op === undefined || code === "nw" || code === "na" || code === "cl") throw new Fail();
    this.pos += 2;
    const args: Node[] = [];
    for (let i = 0; i < op[1]; i++) args.push(this.expression());
    return { t: "expr", op: op[0], args };
  }
}

/** A pack expansion: the pattern once per element of the argument pack it holds (none: as it is). */
function expandPack(pattern: Node): Node {
  const pack = findPack(pattern, 0);
  if (pack === null) return pattern;
  return { t: "pack", items: pack.items.map((item) => replaceNode(pattern, pack, item)) };
}

function children(n: Node): Node[] {
  switch (n.t) {
    case "mod":
    case "this":
    case "vendor":
    case "abi":
    case "special":
    case "clone":
      return [n.inner];
    case "array":
      return n.dim === null ? [n.inner] : [n.dim, n.inner];
    case "qual":
      return [n.l, n.r];
    case "tmpl":
      return [n.l, ...n.args];
    case "fn":
      return n.ret === null ? n.params : [n.ret, ...n.params];
    case "ptrmem":
      return [n.cls, n.member];
    case "expr":
      return n.args;
    case "lit":
      return [n.type];
    case "conv":
      return [n.type];
    default:
      return [];
  }
}

function findPack(n: Node, depth: number): { t: "pack"; items: Node[] } | null {
  if (n.t === "pack") return n;
  if (depth > MAX_NESTING) throw new Fail();
  for (const c of children(n)) {
    const p = findPack(c, depth + 1);
    if (p !== null) return p;
  }
  return null;
}

/** `n` with `from` replaced by `to` (copies along the way; shared subtrees kept). */
function replaceNode(n: Node, from: Node, to: Node): Node {
  if (n === from) return to;
  const r = (c: Node) => replaceNode(c, from, to);
  switch (n.t) {
    case "mod":
    case "this":
    case "vendor":
    case "abi":
    case "special":
    case "clone":
      return { ...n, inner: r(n.inner) };
    case "array":
      return { ...n, dim: n.dim === null ? null : r(n.dim), inner: r(n.inner) };
    case "qual":
      return { ...n, l: r(n.l), r: r(n.r) };
    case "tmpl":
      return { ...n, l: r(n.l), args: n.args.map(r) };
    case "fn":
      return { ...n, ret: n.ret === null ? null : r(n.ret), params: n.params.map(r) };
    case "ptrmem":
      return { ...n, cls: r(n.cls), member: r(n.member) };
    case "expr":
      return { ...n, args: n.args.map(r) };
    default:
      return n;
  }
}

/** A local entity's member-function qualifiers apply to the whole name (`f()::A::g() const`). */
function hoistLocalQualifiers(n: Node): Node {
  if (n.t !== "local" || n.entity.t !== "this") return n;
  const quals: Array<{ kind: string }> = [];
  let entity: Node = n.entity;
  while (entity.t === "this") {
    quals.push(entity);
    entity = entity.inner;
  }
  let out: Node = { t: "local", fn: n.fn, entity };
  for (let i = quals.length - 1; i >= 0; i--) out = { t: "this", kind: quals[i]!.kind, inner: out };
  return out;
}

function stripThis(n: Node): Node {
  while (n.t === "this") n = n.inner;
  return n;
}

function isFnQualified(n: Node): boolean {
  while (n.t === "this") n = n.inner;
  return n.t === "fn";
}

/** libiberty's has_return_type: template functions other than constructors, destructors and conversions. */
function hasReturnType(n: Node): boolean {
  n = stripThis(n);
  if (n.t === "local") return hasReturnType(n.entity);
  if (n.t !== "tmpl") return false;
  let last = n.l;
  while (last.t === "abi") last = last.inner;
  if (last.t === "qual") last = last.r;
  while (last.t === "abi") last = last.inner;
  return last.t !== "ctor" && last.t !== "conv";
}

interface Mod {
  mod: Node;
  printed: boolean;
  next: Mod | null;
}

/** libiberty's d_print_comp, with its list of pending modifiers (pointers, cv, names). */
class Printer {
  private out = "";
  private last = "";
  private mods: Mod | null = null;

  run(n: Node): string {
    this.print(n);
    return this.out;
  }

  private put(s: string): void {
    if (s === "") return;
    if (this.out.length > 1 << 20) throw new Fail();
    this.out += s;
    this.last = s[s.length - 1]!;
  }

  /** Comma-separated; an item printing nothing (an empty pack) takes its comma away. */
  private list(items: Node[]): void {
    const saved = this.mods;
    this.mods = null;
    let first = true;
    for (const it of items) {
      const before = this.out.length;
      if (!first) this.put(", ");
      const after = this.out.length;
      this.print(it);
      if (this.out.length === after && !first) {
        // libiberty drops the ", " but keeps its idea of the last character (a space), so a
        // closing ">" right after gets no space of its own: `f<1ul, g<int []>>`.
        this.out = this.out.slice(0, before);
        this.last = " ";
      } else if (this.out.length > before) first = false;
    }
    this.mods = saved;
  }

  private withMod(n: Node, inner: () => void): Mod {
    const m: Mod = { mod: n, printed: false, next: this.mods };
    this.mods = m;
    inner();
    this.mods = m.next;
    return m;
  }

  private print(n: Node): void {
    switch (n.t) {
      case "name":
        this.put(n.s);
        return;
      case "builtin":
        this.put(n.s);
        return;
      case "raw":
        this.put(n.s);
        return;
      case "qual":
        this.print(n.l);
        this.put("::");
        this.print(n.r);
        return;
      case "tmpl": {
        const saved = this.mods;
        this.mods = null;
        this.print(n.l);
        if (this.last === "<") this.put(" ");
        this.put("<");
        this.list(n.args);
        if (this.last === ">") this.put(" ");
        this.put(">");
        this.mods = saved;
        return;
      }
      case "pack":
        this.list(n.items);
        return;
      case "mod":
        if ((n.kind === "&" || n.kind === "&&") && n.inner.t === "mod" && (n.inner.kind === "&" || n.inner.kind === "&&")) {
          // Reference collapsing (a template argument that is a reference): & wins.
          if (n.inner.kind === "&" || n.inner.kind === n.kind) this.print(n.inner);
          else this.print({ t: "mod", kind: "&", inner: n.inner.inner });
          return;
        }
      // falls through
      case "this":
      case "vendor": {
        const m = this.withMod(n, () => this.print(n.inner));
        if (!m.printed) this.printMod(n);
        return;
      }
      case "ptrmem": {
        const m = this.withMod(n, () => this.print(n.member));
        if (!m.printed) this.printMod(n);
        return;
      }
      case "fn": {
        if (n.ret !== null) {
          const m = this.withMod(n, () => this.print(n.ret!));
          if (m.printed) return;
          this.put(" ");
        }
        this.functionType(n, this.mods);
        return;
      }
      case "array": {
        const m = this.withMod(n, () => this.print(n.inner));
        if (m.printed) return;
        this.arrayType(n, this.mods);
        return;
      }
      case "typed": {
        const saved = this.mods;
        this.mods = null;
        const pushed: Mod[] = [];
        let name: Node = n.name;
        for (;;) {
          const m: Mod = { mod: name, printed: false, next: this.mods };
          this.mods = m;
          pushed.push(m);
          if (name.t !== "this") break;
          name = name.inner;
        }
        this.print(n.type);
        for (let i = pushed.length - 1; i >= 0; i--) {
          if (!pushed[i]!.printed) {
            this.put(" ");
            this.printMod(pushed[i]!.mod);
          }
        }
        this.mods = saved;
        return;
      }
      case "local":
        this.print(n.fn);
        this.put("::");
        this.print(n.entity);
        return;
      case "clone":
        this.print(n.inner);
        this.put(` [clone ${n.suffix}]`);
        return;
      case "special":
        this.put(n.text);
        this.print(n.inner);
        return;
      case "ctorvtable":
        this.put("construction vtable for ");
        this.print(n.a);
        this.put("-in-");
        this.print(n.b);
        return;
      case "abi":
        this.print(n.inner);
        this.put(`[abi:${n.tag}]`);
        return;
      case "ctor":
        if (n.dtor) this.put("~");
        this.print(n.name);
        return;
      case "conv":
        this.put("operator ");
        this.print(n.type);
        return;
      case "lambda":
        this.put("{lambda(");
        this.list(n.params);
        this.put(`)#${n.num}}`);
        return;
      case "unnamed":
        this.put(`{unnamed type#${n.num}}`);
        return;
      case "lit":
        this.literal(n);
        return;
      case "expr":
        this.expr(n);
        return;
    }
  }

  private literal(n: { type: Node; value: string; neg: boolean }): void {
    const tp = n.type.t === "builtin" ? n.type.print : "default";
    const suffix: Record<string, string> = { int: "", unsigned: "u", long: "l", ulong: "ul", llong: "ll", ullong: "ull" };
    if (suffix[tp] !== undefined) {
      this.put(`${n.neg ? "-" : ""}${n.value}${suffix[tp]}`);
      return;
    }
    if (tp === "bool" && !n.neg && (n.value === "0" || n.value === "1")) {
      this.put(n.value === "0" ? "false" : "true");
      return;
    }
    this.put("(");
    this.print(n.type);
    this.put(")");
    if (n.neg) this.put("-");
    this.put(tp === "float" ? `[${n.value}]` : n.value);
  }

  private expr(n: { op: string; args: Node[] }): void {
    const sub = (a: Node) => {
      const wrap = !(a.t === "name" || a.t === "qual" || (a.t === "raw" && a.s.startsWith("{parm#")));
      if (wrap) this.put("(");
      this.print(a);
      if (wrap) this.put(")");
    };
    if (n.op === "call") {
      sub(n.args[0]!);
      this.put("(");
      this.list(n.args.slice(1));
      this.put(")");
      return;
    }
    if (n.op === "cast" || n.op === "cast()") {
      this.put("(");
      this.print(n.args[0]!);
      this.put(")");
      if (n.op === "cast") sub(n.args[1]!);
      else {
        this.put("(");
        this.list(n.args.slice(1));
        this.put(")");
      }
      return;
    }
    if (n.op === "sizeof " || n.op === "alignof ") {
      this.put(`${n.op.trim()} (`);
      this.print(n.args[0]!);
      this.put(")");
      return;
    }
    if (n.args.length === 1) {
      this.put(n.op);
      sub(n.args[0]!);
      return;
    }
    if (n.args.length === 2) {
      const [a, b] = n.args as [Node, Node];
      if (n.op === "[]") {
        sub(a);
        this.put("[");
        this.print(b);
        this.put("]");
        return;
      }
      if (n.op === ">") this.put("(");
      sub(a);
      this.put(n.op === "," ? ", " : n.op === "." || n.op === "->" || n.op === "->*" ? n.op : n.op);
      sub(b);
      if (n.op === ">") this.put(")");
      return;
    }
    sub(n.args[0]!);
    this.put("?");
    sub(n.args[1]!);
    this.put(" : ");
    sub(n.args[2]!);
  }

  private printMod(n: Node): void {
    switch (n.t) {
      case "mod":
        if (n.kind === "*" || n.kind === "&" || n.kind === "&&") this.put(n.kind);
        else if (n.kind.startsWith(" ")) this.put(n.kind);
        else this.put(` ${n.kind}`);
        return;
      case "this":
        this.put(` ${n.kind}`);
        return;
      case "vendor":
        this.put(` ${n.s}`);
        return;
      case "ptrmem":
        if (this.last !== "(") this.put(" ");
        this.print(n.cls);
        this.put("::*");
        return;
      default:
        this.print(n);
    }
  }

  private modList(list: Mod | null, suffix: boolean): void {
    for (let m = list; m !== null; m = m.next) {
      if (m.printed || (!suffix && m.mod.t === "this")) continue;
      m.printed = true;
      if (m.mod.t === "fn") {
        this.functionType(m.mod, m.next);
        return;
      }
      if (m.mod.t === "array") {
        this.arrayType(m.mod, m.next);
        return;
      }
      this.printMod(m.mod);
    }
  }

  private functionType(fn: { params: Node[] }, mods: Mod | null): void {
    let needParen = false;
    let needSpace = false;
    for (let m = mods; m !== null; m = m.next) {
      if (m.printed) break;
      const k = m.mod;
      if (k.t === "mod" && (k.kind === "*" || k.kind === "&" || k.kind === "&&")) needParen = true;
      else if (k.t === "mod" || k.t === "ptrmem" || k.t === "vendor") {
        needSpace = true;
        needParen = true;
      }
      if (needParen) break;
    }
    if (needParen) {
      if (!needSpace && this.last !== "(" && this.last !== "*") needSpace = true;
      if (needSpace && this.last !== " ") this.put(" ");
      this.put("(");
    }
    const saved = this.mods;
    this.mods = null;
    this.modList(mods, false);
    if (needParen) this.put(")");
    this.put("(");
    this.list(fn.params);
    this.put(")");
    this.modList(mods, true);
    this.mods = saved;
  }

  private arrayType(arr: { dim: Node | null }, mods: Mod | null): void {
    let needSpace = true;
    if (mods !== null) {
      let needParen = false;
      for (let m: Mod | null = mods; m !== null; m = m.next) {
        if (!m.printed) {
          if (m.mod.t === "array") needSpace = false;
          else {
            needParen = true;
            needSpace = true;
          }
          break;
        }
      }
      if (needParen) this.put(" (");
      this.modList(mods, false);
      if (needParen) this.put(")");
    }
    if (needSpace) this.put(" ");
    this.put("[");
    if (arr.dim !== null) this.print(arr.dim);
    this.put("]");
  }
}
