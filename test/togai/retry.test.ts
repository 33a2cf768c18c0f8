import { TogaiApiError, TogaiRateLimitError } from "../../lib/togai/errors";
import { withRetry } from "../../lib/togai/retry";

const throttled = () => new TogaiRateLimitError("slow down", 429, "/ingest");

describe("withRetry", () => {
  test("retries retryable errors with growing, jittered delays", async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw throttled();
        return "ok";
      },
      { baseDelayMs: 4, random: () => 1, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(result).toBe("ok");
    expect(delays).toEqual([4, 8, 16]);
  });

  // Invariant: never ask Togai sooner than its Retry-After (a throttle may hold the whole IP).
  test("waits at least Togai's Retry-After, and gives up at once when that passes the deadline", async () => {
    const asked = () => Object.assign(throttled(), { retryAfterMs: 40 });
    const delays: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls < 2) throw asked();
        return "ok";
      },
      { baseDelayMs: 4, random: () => 0, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(delays).toEqual([40]);

    calls = 0;
    const late = Object.assign(throttled(), { retryAfterMs: 120_000 });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw late;
        },
        { deadline: Date.now() + 10_000, onRetry: () => delays.push(-1) },
      ),
    ).rejects.toBe(late);
    expect(calls).toBe(1);
    expect(delays).toEqual([40]);
  });

  test("does not retry other errors", async () => {
    let calls = 0;
    const error = new TogaiApiError("bad", 400, "/ingest");
    await expect(
      withRetry(async () => {
        calls++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  test("stops at maxAttempts and before a wait that would pass the deadline", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw throttled();
        },
        { maxAttempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toBeInstanceOf(TogaiRateLimitError);
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw throttled();
        },
        { baseDelayMs: 1000, deadline: Date.now() + 100 },
      ),
    ).rejects.toBeInstanceOf(TogaiRateLimitError);
    expect(calls).toBe(1);
  });
});
