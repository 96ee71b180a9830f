import { readFile } from "node:fs/promises";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
}

const file = path.resolve(import.meta.dirname, "../.github/workflows/publish.yml");

async function loadWorkflow() {
  // "on" is a YAML 1.1 boolean in some parsers; the core schema keeps it a string key.
  return yaml.load(await readFile(file, "utf8"), { schema: yaml.CORE_SCHEMA }) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, { permissions: Record<string, string>; steps: Step[]; environment: { name: string } }>;
  };
}

describe(".github/workflows/publish.yml", () => {
  it("runs on push to main, every 30 minutes off the hour, and by hand", async () => {
    const workflow = await loadWorkflow();
    expect(workflow.on.push).toEqual({ branches: ["main"] });
    expect(workflow.on.schedule).toEqual([{ cron: "17,47 * * * *" }]);
    expect(workflow.on).toHaveProperty("workflow_dispatch");
  });

  it("has minimal permissions and never deploys twice at once", async () => {
    const workflow = await loadWorkflow();
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.publish?.permissions).toEqual({ contents: "read", pages: "write", "id-token": "write" });
    expect(workflow.concurrency).toEqual({ group: "publish-feeds", "cancel-in-progress": false });
    expect(workflow.jobs.publish?.environment.name).toBe("github-pages");
  });

  it("pins every action to a full commit SHA", async () => {
    const workflow = await loadWorkflow();
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.uses).filter(Boolean)) as string[];
    expect(uses.length).toBeGreaterThanOrEqual(6);
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
  });

  it("installs, builds with --exit-code, checks --strict, deploys only on change, then pings", async () => {
    const workflow = await loadWorkflow();
    const steps = workflow.jobs.publish?.steps ?? [];
    const index = (match: (step: Step) => boolean) => steps.findIndex(match);
    const install = index((s) => s.run === "npm ci");
    const build = index((s) => s.run?.includes("npx wirefeed build --exit-code") === true);
    const check = index((s) => s.run === "npx wirefeed check --strict");
    const upload = index((s) => s.uses?.startsWith("actions/upload-pages-artifact@") === true);
    const deploy = index((s) => s.uses?.startsWith("actions/deploy-pages@") === true);
    const ping = index((s) => s.run === "npx wirefeed ping");
    expect([install, build, check, upload, deploy, ping].every((i) => i >= 0)).toBe(true);
    expect(install).toBeLessThan(build);
    expect(build).toBeLessThan(check);
    expect(check).toBeLessThan(upload);
    expect(upload).toBeLessThan(deploy);
    expect(deploy).toBe(steps.length - 2);
    expect(ping).toBe(steps.length - 1);
    for (const step of [steps[upload], steps[deploy], steps[ping]]) expect(step?.if).toBe("steps.build.outputs.changed == 'true'");
    expect(steps[upload]?.with).toEqual({ path: "dist" });
    // The last output, the state and wirefeed's cache (rendered HTML, build index) are restored before the build.
    const restore = index((s) => s.uses?.startsWith("actions/cache@") === true);
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(restore).toBeLessThan(build);
    expect(String(steps[restore]?.with?.path).split("\n").filter(Boolean)).toEqual(["dist", ".wirefeed", ".wirefeed-cache"]);
    // Exit 3 (nothing changed) is not a failure; any other non-zero code fails the run before deploying.
    expect(steps[build]?.run).toContain('if [ "$code" -eq 3 ]; then echo "changed=false"');
    expect(steps[build]?.run).toContain('exit "$code"');
  });
});
