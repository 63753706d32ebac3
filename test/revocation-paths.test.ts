// The three ways a revocation reaches a replica (src/services/revocations.ts), each on its own:
// the bus (Redis) from another replica, the revoked_at poll for a CLI that wrote the database,
// and the re-check of held tokens for a user deleted in SQL. Real PostgreSQL and Redis.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db/client.js";
import { silentLogger } from "../src/logger.js";
import { createServices, type Services } from "../src/services/index.js";
import { Revocations } from "../src/services/revocations.js";
import { LocalStatusBus, RedisStatusBus, type StatusBus } from "../src/services/status-bus.js";
import { postgresDatabase, TEST_DATABASE_URL, TEST_REDIS_URL } from "./kit/database.js";
import { seedUser } from "./kit/seed.js";
import { waitFor } from "./kit/wait.js";

/** Long enough that no poll runs during a test: only the path under test can deliver. */
const NEVER = 3_600_000;

const SKIP = TEST_DATABASE_URL ? undefined : "TEST_DATABASE_URL is not set";

describe.skipIf(SKIP)("revocation paths", () => {
  let database: Database;
  let services: Services;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    database = await postgresDatabase();
    services = createServices({ prisma: database.prisma, gpuKinds: [], bus: new LocalStatusBus() });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function revocations(bus: StatusBus, options: { pollMs: number; verifyMs?: number }) {
    const revocations = new Revocations({ prisma: database.prisma, bus, ...options });
    await revocations.start(silentLogger);
    cleanups.push(() => revocations.stop());
    return revocations;
  }

  /** A principal as the token service returns it. */
  async function principal(label: string) {
    const seeded = await seedUser(services, label);
    const found = await services.tokens.authenticate(seeded.token);
    if (!found) throw new Error("the seeded token does not authenticate");
    return { ...found, token: seeded.token };
  }

  describe.skipIf(!TEST_REDIS_URL)("through Redis", () => {
    let here: Revocations;
    let there: Revocations;
    let herebus: RedisStatusBus;

    beforeAll(async () => {
      const buses = [0, 1].map(
        () => new RedisStatusBus({ url: TEST_REDIS_URL ?? "", logger: silentLogger }),
      );
      for (const bus of buses) {
        await bus.connect();
        cleanups.push(() => bus.close());
      }
      herebus = buses[0] as RedisStatusBus;
      here = await revocations(herebus, { pollMs: NEVER });
      there = await revocations(buses[1] as RedisStatusBus, { pollMs: NEVER });
    });

    it("a token revoked on one replica ends the streams holding it on another at once", async () => {
      const caller = await principal("bus");
      const bystander = await principal("bus-bystander");
      const held = there.hold(caller);
      const other = there.hold(bystander);
      const heard: unknown[] = [];
      cleanups.push(there.onEvent((event) => heard.push(event)));
      const started = Date.now();
      here.tokenRevoked(caller.tokenId);
      await waitFor(() => held.signal.aborted, { timeoutMs: 2000, what: "the hold to abort" });
      console.log(
        `revocation: Redis broadcast ended a hold on another replica in ${Date.now() - started} ms`,
      );
      expect(other.signal.aborted).toBe(false);
      expect(heard).toEqual([{ kind: "token-revoked", tokenId: caller.tokenId }]);
      // A stream that joins after the news ends at once.
      expect(there.hold(caller).signal.aborted).toBe(true);
    });

    it("a sender does not hear its own broadcast twice, and junk on the channel is ignored", async () => {
      const caller = await principal("bus-self");
      const heard: unknown[] = [];
      cleanups.push(here.onEvent((event) => heard.push(event)));
      const publisher = new Redis(TEST_REDIS_URL ?? "");
      cleanups.push(() => publisher.disconnect());
      const channel = "workspace-gateway:broadcast:revocations";
      await publisher.publish(channel, "not json");
      await publisher.publish(
        channel,
        JSON.stringify({ origin: "x", payload: { kind: "drop-all" } }),
      );
      here.tokenRevoked(caller.tokenId);
      // A marker from another replica, delivered after the junk and the self-broadcast.
      const marker = await principal("bus-marker");
      there.tokenRevoked(marker.tokenId);
      await waitFor(() => heard.length >= 2, { timeoutMs: 2000, what: "the marker" });
      expect(heard).toEqual([
        { kind: "token-revoked", tokenId: caller.tokenId },
        { kind: "token-revoked", tokenId: marker.tokenId },
      ]);
    });
  });

  it("a revocation written to the database (the CLI) is found by the poll", async () => {
    const caller = await principal("poll");
    const polling = await revocations(new LocalStatusBus(), { pollMs: 100, verifyMs: NEVER });
    const held = polling.hold(caller);
    await database.prisma.apiToken.update({
      where: { id: caller.tokenId },
      data: { revokedAt: new Date() },
    });
    await waitFor(() => held.signal.aborted, { timeoutMs: 3000, what: "the poll to see it" });
  });

  it("a user deleted in SQL: their held streams end and their cached token stops working", async () => {
    const bus = new LocalStatusBus();
    const own = createServices({
      prisma: database.prisma,
      gpuKinds: [],
      bus,
      tokenCache: { ttlMs: 300, maxEntries: 100 },
      revocationPollMs: 100,
    });
    await own.revocations.start(silentLogger);
    cleanups.push(() => own.revocations.stop());
    const seeded = await seedUser(own, "deleted");
    const caller = await own.tokens.authenticate(seeded.token);
    if (!caller) throw new Error("the seeded token does not authenticate");
    const held = own.revocations.hold(caller);
    await database.prisma.user.delete({ where: { id: seeded.user.id } });
    await waitFor(() => held.signal.aborted, { timeoutMs: 3000, what: "the re-check to see it" });
    expect(await own.tokens.authenticate(seeded.token)).toBeNull();
  });
});
