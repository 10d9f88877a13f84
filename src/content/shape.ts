/**
 * The schema's building blocks: a checker for plain JSON values with zod's meaning for the few
 * kinds the content schema uses, and the same shape as a zod schema for Astro's collection
 * (`toZod`, given Astro's `z`). The command line checks with these and never loads zod: its
 * modules were 16 MB of every heaptrail process (7 MB of `ingest`'s peak on
 * generated_pyalloc_x4) and ~0.1 s of its start.
 *
 * As zod's `z.object` does, a checked object keeps only the shape's keys, in the shape's order,
 * and leaves out an optional key that is absent; numbers must be finite.
 */
import type { z as Z } from "astro/zod";

export type Path = ReadonlyArray<string | number>;

/** The first thing wrong with a value: where (keys and indices) and what was expected. */
export interface ShapeIssue {
  path: Array<string | number>;
  message: string;
}

export type SafeResult<T> = { success: true; data: T } | { success: false; error: { issues: ShapeIssue[] } };

class ShapeError extends Error {
  readonly issue: ShapeIssue;
  constructor(issue: ShapeIssue) {
    super(`${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
    this.issue = issue;
  }
}

type ZodApi = typeof Z;

export abstract class Shape<T> {
  /** `value` as the shape keeps it; throws ShapeError. */
  abstract check(value: unknown, path: Path): T;
  /** The same shape in zod (`z`: Astro's). */
  abstract toZod(z: ZodApi): Z.ZodType<T>;
  /** Set on optional shapes: an object leaves the key out when it is absent. */
  readonly optionalKey: boolean = false;

  parse(value: unknown): T {
    return this.check(value, []);
  }

  safeParse(value: unknown): SafeResult<T> {
    try {
      return { success: true, data: this.check(value, []) };
    } catch (e) {
      if (e instanceof ShapeError) return { success: false, error: { issues: [e.issue] } };
      throw e;
    }
  }

  nullable(): Shape<T | null> {
    return new Maybe(this, true, false);
  }

  optional(): Shape<T | undefined> {
    return new Maybe(this, false, true);
  }

  nullish(): Shape<T | null | undefined> {
    return new Maybe(this, true, true);
  }
}

export type Infer<S> = S extends Shape<infer T> ? T : never;

function fail(path: Path, expected: string, value: unknown): never {
  const received = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  throw new ShapeError({ path: [...path], message: `expected ${expected}, received ${received}` });
}

/** `value` as an object's keys and values, if it is one (not null, not an array). */
function record(value: unknown, path: Path): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "object", value);
  return value as Record<string, unknown>;
}

class Maybe<T> extends Shape<T> {
  override readonly optionalKey: boolean;
  private readonly inner: Shape<T>;
  private readonly orNull: boolean;
  private readonly orUndefined: boolean;
  constructor(inner: Shape<T>, orNull: boolean, orUndefined: boolean) {
    super();
    this.inner = inner;
    this.orNull = orNull;
    this.orUndefined = orUndefined;
    this.optionalKey = orUndefined;
  }
  check(value: unknown, path: Path): T {
    if (value === null && this.orNull) return value as T;
    if (value === undefined && this.orUndefined) return value as T;
    return this.inner.check(value, path);
  }
  toZod(z: ZodApi): Z.ZodType<T> {
    const inner = this.inner.toZod(z);
    return (this.orNull && this.orUndefined ? inner.nullish() : this.orNull ? inner.nullable() : inner.optional()) as unknown as Z.ZodType<T>;
  }
}

class Primitive<T> extends Shape<T> {
  private readonly kind: "string" | "number" | "boolean";
  private readonly zod: (z: ZodApi) => Z.ZodType<T>;
  constructor(kind: "string" | "number" | "boolean", zod: (z: ZodApi) => Z.ZodType<T>) {
    super();
    this.kind = kind;
    this.zod = zod;
  }
  check(value: unknown, path: Path): T {
    // zod 4's number is finite.
    if (typeof value !== this.kind || (this.kind === "number" && !Number.isFinite(value))) fail(path, this.kind, value);
    return value as T;
  }
  toZod(z: ZodApi): Z.ZodType<T> {
    return this.zod(z);
  }
}

class Literal<T extends string | number> extends Shape<T> {
  readonly value: T;
  constructor(value: T) {
    super();
    this.value = value;
  }
  check(value: unknown, path: Path): T {
    if (value !== this.value) fail(path, JSON.stringify(this.value), value);
    return value as T;
  }
  toZod(z: ZodApi): Z.ZodType<T> {
    return z.literal(this.value) as unknown as Z.ZodType<T>;
  }
}

class ArrayShape<T> extends Shape<T[]> {
  private readonly item: Shape<T>;
  constructor(item: Shape<T>) {
    super();
    this.item = item;
  }
  check(value: unknown, path: Path): T[] {
    if (!Array.isArray(value)) fail(path, "array", value);
    return value.map((v, i) => this.item.check(v, [...path, i]));
  }
  toZod(z: ZodApi): Z.ZodType<T[]> {
    return z.array(this.item.toZod(z)) as unknown as Z.ZodType<T[]>;
  }
}

class Union<T> extends Shape<T> {
  private readonly options: ReadonlyArray<Shape<T>>;
  constructor(options: ReadonlyArray<Shape<T>>) {
    super();
    this.options = options;
  }
  check(value: unknown, path: Path): T {
    for (const option of this.options) {
      const r = option.safeParse(value);
      if (r.success) return r.data;
    }
    throw new ShapeError({ path: [...path], message: "matches none of the allowed kinds" });
  }
  toZod(z: ZodApi): Z.ZodType<T> {
    const [a, b, ...rest] = this.options.map((o) => o.toZod(z));
    return z.union([a!, b!, ...rest]) as unknown as Z.ZodType<T>;
  }
}

type Fields = Record<string, Shape<unknown>>;
/** An object type from its fields: optional keys (`.optional()`, `.nullish()`) may be absent. */
export type ObjectOf<F extends Fields> = {
  [K in keyof F as undefined extends Infer<F[K]> ? never : K]: Infer<F[K]>;
} & {
  [K in keyof F as undefined extends Infer<F[K]> ? K : never]?: Infer<F[K]>;
} extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

export class ObjectShape<F extends Fields> extends Shape<ObjectOf<F>> {
  readonly fields: F;
  constructor(fields: F) {
    super();
    this.fields = fields;
  }
  check(value: unknown, path: Path): ObjectOf<F> {
    const input = record(value, path);
    const out: Record<string, unknown> = {};
    for (const [key, shape] of Object.entries(this.fields)) {
      const v = input[key];
      if (v === undefined && shape.optionalKey && !(key in input)) continue;
      out[key] = shape.check(v, [...path, key]);
    }
    return out as ObjectOf<F>;
  }
  toZod(z: ZodApi): Z.ZodType<ObjectOf<F>> {
    const shape: Record<string, Z.ZodType> = {};
    for (const [key, field] of Object.entries(this.fields)) shape[key] = field.toZod(z);
    return z.object(shape) as unknown as Z.ZodType<ObjectOf<F>>;
  }
}

/** One of `options`, chosen by the literal at `key` (zod's discriminatedUnion). */
class Tagged<T> extends Shape<T> {
  private readonly key: string;
  private readonly options: ReadonlyArray<ObjectShape<Fields>>;
  constructor(key: string, options: ReadonlyArray<ObjectShape<Fields>>) {
    super();
    this.key = key;
    this.options = options;
  }
  check(value: unknown, path: Path): T {
    const tag = record(value, path)[this.key];
    for (const option of this.options) {
      if (option.fields[this.key]!.safeParse(tag).success) return option.check(value, path) as T;
    }
    const tags = this.options.map((o) => JSON.stringify((o.fields[this.key] as Literal<string>).value));
    return fail([...path, this.key], `one of ${tags.join(", ")}`, tag);
  }
  toZod(z: ZodApi): Z.ZodType<T> {
    const options = this.options.map((o) => o.toZod(z)) as unknown as Parameters<ZodApi["discriminatedUnion"]>[1];
    return z.discriminatedUnion(this.key, options) as unknown as Z.ZodType<T>;
  }
}

const STRING = new Primitive<string>("string", (z) => z.string());
const NUMBER = new Primitive<number>("number", (z) => z.number());
const BOOLEAN = new Primitive<boolean>("boolean", (z) => z.boolean());

/** The kinds, named as zod names them. */
export const s = {
  string: (): Shape<string> => STRING,
  number: (): Shape<number> => NUMBER,
  boolean: (): Shape<boolean> => BOOLEAN,
  literal: <T extends string | number>(value: T): Shape<T> => new Literal(value),
  array: <T>(item: Shape<T>): Shape<T[]> => new ArrayShape(item),
  union: <T extends ReadonlyArray<Shape<unknown>>>(options: T): Shape<Infer<T[number]>> => new Union(options as ReadonlyArray<Shape<Infer<T[number]>>>),
  object: <F extends Fields>(fields: F): ObjectShape<F> => new ObjectShape(fields),
  discriminatedUnion: <T extends ReadonlyArray<ObjectShape<Fields>>>(key: string, options: T): Shape<Infer<T[number]>> => new Tagged(key, options),
};
