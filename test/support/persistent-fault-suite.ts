/**
 * The persistent-fault suite, run by one test file per interval (so the two intervals run side
 * by side). Healing without storms: 48 simulated hours of scheduled rotations (every 6 h and every 11 h)
 * under each fault that persists, on the Secrets Manager model of docs/rotation-faults.md
 * (re-attempts every 5 minutes for as long as a window lasts; no cap on the rotations the
 * function starts, as AWS has none). The deployed bundle against moto (its calls through the
 * fault proxy) and the Togai stand-in with Togai's published limit (5 rejected credentials from
 * one IP in 30 minutes). Invariants, for every fault:
 * - the function starts at most one rotation of its own per scheduled window;
 * - it sends Togai fewer than 5 rejected credentials in any 30 minutes;
 * - Lambda invocations and Togai requests per day stay within the stated bounds;
 * - AWSCURRENT is never touched by a failing rotation, and expires only where no rotation can
 *   succeed (then no earlier than its own 24 h);
 * - the first healthy scheduled window afterwards mints a fresh token, with no operator.
 * A table of the figures is printed.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { MotoServer } from "./moto-server";
import {
  dailyBounds,
  type PersistentFault,
  type PersistentFaultReport,
  simulatePersistentFault,
} from "./persistent-fault-simulation";
import { driveRotation, loadRotationHandler } from "./rotation-driver";
import type { SecretsManagerFaultProxy } from "./rotation-fault-proxy";
import { createRotationFixture } from "./rotation-fixture";
import { useRotationServers } from "./rotation-servers";
import type { TogaiStandIn } from "./togai-standin";

const KEY = "togai-secret-key-7c1e5a9d3b2f4068ace2";
const HOURS = 48;

const togaiStatus = (status: number): PersistentFault => ({
  name: `Togai ${status} throughout`,
  apply: (_, { togai }) => {
    togai.clearFaults();
    togai.inject({ path: "/authenticate", kind: "status", status, times: 1_000_000 });
  },
  clear: ({ togai }) => togai.clearFaults(),
  blocksEveryRotation: true,
});

const FAULTS: PersistentFault[] = [
  {
    name: "every token refused",
    apply: (_, { togai }) => {
      togai.refuseTokens = true;
    },
    clear: ({ togai }) => {
      togai.refuseTokens = false;
    },
    blocksEveryRotation: true,
  },
  {
    name: "key revoked (mint 401)",
    apply: (_, { togai, apiKey }) => togai.secretKeys.delete(apiKey),
    clear: ({ togai, apiKey }) => togai.secretKeys.add(apiKey),
    blocksEveryRotation: true,
  },
  togaiStatus(503),
  togaiStatus(429),
  {
    name: "RotateSecret throttled (tokens refused in window 1)",
    apply: (window, { togai, proxy }) => {
      proxy.arm({ kind: "throttle", fromCall: 0, operation: "RotateSecret" });
      togai.refuseTokens = window === 1;
    },
    clear: ({ togai, proxy }) => {
      proxy.arm(undefined);
      togai.refuseTokens = false;
    },
    blocksEveryRotation: false,
  },
  {
    name: "Secrets Manager 5xx on finishSecret",
    apply: () => {},
    arm: (step, { proxy }) => {
      if (step === "finishSecret") proxy.arm({ kind: "internal-error", fromCall: 0 });
    },
    clear: ({ proxy }) => proxy.arm(undefined),
    blocksEveryRotation: true,
  },
];

/** Declares the suite for one rotation interval, in hours. */
export function persistentFaultSuite(interval: number): void {
  const servers = useRotationServers({
    secretKeys: [KEY],
    faultProxy: true,
    unauthenticatedLimit: 5,
  });
  let moto: MotoServer;
  let togai: TogaiStandIn;
  let secrets: SecretsManagerClient;
  let proxy: SecretsManagerFaultProxy;
  beforeAll(() => {
    ({ moto, togai, secrets, proxy } = servers);
  });

  const reports: PersistentFaultReport[] = [];

  afterAll(() => {
    const rows = reports.map((r) => {
      const bounds = dailyBounds(r.intervalHours);
      const perDay = (n: number) => Math.round((n * 24) / HOURS);
      return `| ${r.fault} | ${r.intervalHours} h | ${r.functionStarted} (max ${r.functionStartedMaxPerWindow}/window) | ${perDay(r.invocations)} (≤ ${bounds.invocations}) | ${perDay(r.togaiRequests)} (≤ ${bounds.togaiRequests}) | ${r.maxRejectedIn30Minutes} | ${r.expiredAfterHours === undefined ? "never" : `t+${r.expiredAfterHours.toFixed(1)} h`} | ${r.recovered ? "yes" : "NO"} |`;
    });
    process.stdout.write(
      [
        `persistent faults, ${HOURS} simulated hours each:`,
        "| fault | interval | rotations started by the function | Lambda invocations/day | Togai requests/day | most rejected credentials in 30 min | AWSCURRENT expired | next healthy window mints |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
      ].join("\n"),
    );
  });

  describe(`every ${interval} h`, () => {
    test.each(FAULTS.map((f) => [f.name, f] as const))(
      "%s: bounded cost, AWSCURRENT untouched, healthy again with no operator",
      async (_, fault) => {
        const fx = await createRotationFixture({
          secrets,
          togaiBaseUrl: togai.baseUrl,
          apiKey: KEY,
        });
        expect(
          (await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn })).error,
        ).toBeUndefined();
        const handler = await loadRotationHandler({
          ...fx.environment,
          AWS_ENDPOINT_URL: proxy.endpoint,
        });
        let report: PersistentFaultReport;
        try {
          report = await simulatePersistentFault({
            world: { togai, proxy, apiKey: KEY },
            secrets,
            followClock: moto.followClock,
            handler,
            tokenArn: fx.tokenArn,
            functionArn: fx.functionArn,
            fault,
            intervalHours: interval,
            hours: HOURS,
            minTokenLifeHours: 20,
          });
        } finally {
          Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint });
        }
        reports.push(report);
        const bounds = dailyBounds(interval);
        expect(report.functionStartedMaxPerWindow).toBeLessThanOrEqual(1);
        expect(report.maxRejectedIn30Minutes).toBeLessThan(5);
        expect((report.invocations * 24) / HOURS).toBeLessThanOrEqual(bounds.invocations);
        expect((report.togaiRequests * 24) / HOURS).toBeLessThanOrEqual(bounds.togaiRequests);
        if (fault.blocksEveryRotation) {
          expect(report.currentChangedDuringFault).toBe(false);
          expect(report.expiredAfterHours).toBeGreaterThanOrEqual(23.9);
        } else {
          expect(report.expiredAfterHours).toBeUndefined();
        }
        expect({ recovered: report.recovered, note: report.recoveryNote }).toMatchObject({
          recovered: true,
        });
      },
      240_000,
    );
  });
}
