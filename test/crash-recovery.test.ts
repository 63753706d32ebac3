// CONTRACT §5 and §6 with real processes on one embedded database (DATA_DIR): a workspace in a
// transitional state when its process dies is carried on by the next process; SIGTERM hands
// back what is in flight and exits 0.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simulatedMachineId } from "../src/lifecycle/simulated-provisioner.js";
import {
  killProcessesAfterAll,
  type LogLine,
  provisionerCalls,
  runCli,
  startServerProcess,
} from "./kit/processes.js";
import { Rest, type RestWorkspace } from "./kit/rest.js";
import { waitFor } from "./kit/wait.js";

killProcessesAfterAll();

interface Seeded {
  token: string;
  project: { id: string };
}

describe("a process that dies mid-provisioning", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wsg-crash-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("leaves its workspaces to the next process on the same DATA_DIR, which finishes every one", async () => {
    const started = Date.now();
    const seeded = await runCli<Seeded>(
      ["seed", "--email", "crash@example.com", "--project-name", "crash", "--json"],
      { DATA_DIR: dataDir },
    );
    // Steps that never finish on their own: whatever these processes claim stays in flight.
    const slow = { DATA_DIR: dataDir, SIMULATED_PROVISION_DELAY_MS: "600000" };
    const inFlight = (logs: LogLine[], workspaces: RestWorkspace[]) => () =>
      workspaces.every((w) => provisionerCalls(logs, w.id, "createMachine") === 1);

    // 1. SIGTERM while steps are in flight: exits 0, handing them back.
    const first = await startServerProcess(slow);
    const rest = new Rest(first.url, seeded.token);
    const workspaces = await Promise.all(
      Array.from({ length: 4 }, () => rest.createWorkspace(seeded.project.id)),
    );
    await waitFor(inFlight(first.logs, workspaces), { what: "the first process's steps" });
    const terminated = await first.kill("SIGTERM", 12_000);
    expect(terminated).toEqual({ code: 0, signal: null });
    expect(
      first.logs.find((line) => line.msg === "lifecycle: handed back unfinished steps"),
    ).toMatchObject({ handedBack: workspaces.length });

    // 2. kill -9 while they are `creating` again, on the next process.
    const second = await startServerProcess(slow);
    await waitFor(inFlight(second.logs, workspaces), { what: "the second process's steps" });
    const statuses = await Promise.all(
      workspaces.map(
        async (w) => (await new Rest(second.url, seeded.token).getWorkspace(w.id))?.status,
      ),
    );
    expect(statuses).toEqual(workspaces.map(() => "creating"));
    expect(await second.kill("SIGKILL")).toMatchObject({ signal: "SIGKILL" });

    // 3. A third process takes over once the dead one's leases expire, and finishes.
    const third = await startServerProcess({
      DATA_DIR: dataDir,
      SIMULATED_PROVISION_DELAY_MS: "100",
    });
    const after = new Rest(third.url, seeded.token);
    const finished = await waitFor(
      async () => {
        const rows = await Promise.all(workspaces.map((w) => after.getWorkspace(w.id)));
        return rows.every((row) => row?.status === "running")
          ? (rows as RestWorkspace[])
          : undefined;
      },
      { timeoutMs: 30_000, what: "every workspace running on the third process" },
    );

    for (const row of finished) {
      expect(row.machine_id).toBe(simulatedMachineId(row.id));
      expect(provisionerCalls(third.logs, row.id, "createMachine")).toBe(1);
      expect(provisionerCalls(third.logs, row.id, "start")).toBe(1);
    }
    expect(new Set(finished.map((row) => row.machine_id)).size).toBe(workspaces.length);
    // Issue 15, item 6: the third process got every row by its lease running out, once each (a
    // takeover), not by a hand-back or a retry backoff: recovery waits for the lease (5 s) and
    // the next sweep, nothing longer.
    const metrics = await (await fetch(`${third.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`^lifecycle_lease_takeovers_total ${workspaces.length}$`, "m"),
    );
    expect(third.logs.filter((line) => line.msg === "lifecycle: step failed unexpectedly")).toEqual(
      [],
    );
    expect(await third.kill("SIGTERM")).toEqual({ code: 0, signal: null });
    console.log(
      `crash recovery: ${workspaces.length} workspaces carried over SIGTERM and kill -9 to running in ${Date.now() - started} ms (3 server processes)`,
    );
  }, 120_000);
});
