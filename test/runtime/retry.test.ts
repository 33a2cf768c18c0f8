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
