// The action and the example workflows are validated against GitHub's schemas (action-validator),
// so a typo in a key or an expression fails here, not in a user's CI.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateAction, validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const examples = join(root, "examples", "github");

describe("GitHub Action and example workflows", () => {
  it("action.yml is a valid action", () => {
    const state = validateAction(readFileSync(join(root, "action.yml"), "utf8"));
    expect(state.errors).toEqual([]);
  });

  const files = readdirSync(examples).filter((f) => f.endsWith(".yml"));
  it("ships the push, comment and pytest-memray workflows", () => {
    expect(files.sort()).toEqual(["memory-comment.yml", "memory-pytest.yml", "memory.yml"]);
  });
  for (const file of files) {
    it(`${file} is a valid workflow`, () => {
      const state = validateWorkflow(readFileSync(join(examples, file), "utf8"));
      expect(state.errors).toEqual([]);
    });
  }

  it("the validator rejects a broken workflow (the check can fail)", () => {
    const state = validateWorkflow("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n");
    expect(state.errors.length).toBeGreaterThan(0);
  });

  it("the comment workflow never checks out the pull request's code", () => {
    const text = readFileSync(join(examples, "memory-comment.yml"), "utf8");
    expect(text).not.toMatch(/actions\/checkout/);
    expect(text).toMatch(/workflow_run/);
  });
});
