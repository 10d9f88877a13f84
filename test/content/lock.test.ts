// One build per content folder at a time. A second waits for the first, a lock left by a
// killed process is taken over, and waiting has a limit with a message naming the lock.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockContent, LockTimeoutError } from "../../src/content/lock.ts";

const root = mkdtempSync(join(tmpdir(), "heaptrail-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("lockContent", () => {
  it("makes a second taker wait until the first releases", async () => {
    const dir = join(root, "a");
    const order: string[] = [];
    const releaseFirst = await lockContent(dir);
    let waited = "";
    const second = lockContent(dir, { pollMs: 10, onWait: (holder) => (waited = holder) }).then((release) => {
      order.push("second");
      release();
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push("first done");
    releaseFirst();
    await second;
    expect(order).toEqual(["first done", "second"]);
    expect(waited).toBe(`pid ${process.pid} on ${hostname()}`);
    expect(existsSync(join(dir, ".lock"))).toBe(false);
  });

  it("takes over a lock whose process is gone", async () => {
    const dir = join(root, "b");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const release = await lockContent(dir).catch(() => null);
    release?.();
    writeFileSync(join(dir, ".lock"), JSON.stringify({ pid: Number(dead.stdout), host: hostname() }));
    let waited = false;
    const again = await lockContent(dir, { pollMs: 10, timeoutMs: 2_000, onWait: () => (waited = true) });
    expect(waited).toBe(false);
    again();
  });

  it("gives up after the timeout, naming the lock and its holder", async () => {
    const dir = join(root, "c");
    const release = await lockContent(dir);
    await expect(lockContent(dir, { pollMs: 10, timeoutMs: 100 })).rejects.toThrow(LockTimeoutError);
    await expect(lockContent(dir, { pollMs: 10, timeoutMs: 100 })).rejects.toThrow(`${join(dir, ".lock")}: still held by another build (pid ${process.pid}`);
    release();
  });
});
