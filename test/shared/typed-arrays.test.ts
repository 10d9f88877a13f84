import { describe, expect, it } from "vitest";
import { release, resized } from "../../src/shared/typed-arrays.ts";

describe("resized", () => {
  it("grows with the values first and zeros after, and frees the old column", () => {
    const a = Int32Array.of(1, -2, 3);
    const b = resized(a, 5);
    expect(b).toBeInstanceOf(Int32Array);
    expect([...b]).toEqual([1, -2, 3, 0, 0]);
    expect(a.length).toBe(0); // its buffer was detached: the memory is gone now
    expect(a.buffer.detached).toBe(true);
  });

  it("shrinks to the first values, moving the buffer", () => {
    const a = Float64Array.of(0.5, 2 ** 53, -1, 7);
    const b = resized(a, 2);
    expect(b).toBeInstanceOf(Float64Array);
    expect([...b]).toEqual([0.5, 2 ** 53]);
    expect(a.buffer.detached).toBe(true);
  });

  it("copies a view of part of a buffer and leaves the buffer alone", () => {
    const whole = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const part = whole.subarray(2, 4);
    expect([...resized(part, 3)]).toEqual([3, 4, 0]);
    expect([...resized(part, 1)]).toEqual([3]);
    expect([...whole]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(whole.buffer.detached).toBe(false);
  });
});

describe("release", () => {
  it("detaches a whole column and leaves a partial view's buffer alone", () => {
    const a = new Uint16Array(8);
    release(a);
    expect(a.buffer.detached).toBe(true);
    const whole = new Int16Array(8);
    release(whole.subarray(1));
    expect(whole.length).toBe(8);
  });
});
