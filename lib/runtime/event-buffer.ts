import type { TogaiClient } from "./client";
import { InvalidEventError, TogaiBufferClosedError, TogaiBufferFullError } from "./errors";
import {
  type FlushResult,
  type ResolvedBufferOptions,
  resolveBufferOptions,
  type TogaiEventBufferOptions,
  type UndeliveredEvent,
} from "./event-buffer-options";
import { type TogaiEvent, validateEvent } from "./event-validation";
import { HeldIds } from "./held-ids";
import { withId } from "./prepared-events";

export type { FlushResult, TogaiEventBufferOptions, UndeliveredEvent };

/**
 * A buffered producer for high-throughput callers: `add(event)` validates, assigns an id and
 * returns at once; events go out in batches of up to `maxBatchSize`, or after `maxBatchDelayMs`.
 * Memory is bounded by `maxBufferedEvents` (add throws when full). `flush()` sends everything
 * and resolves to what was accepted and what failed; failures also go to `onFailure`, never lost
 * in silence. After a fatal error (token rejected, request refused) the events still waiting are
 * not sent but reported as failed. In a Lambda: `add()` during the handler, `await flush()`
 * before returning.
 *
 * @example
 * import { TogaiClient, TogaiEventBuffer, TogaiTokenProvider } from "cdktf-togai/runtime";
 *
 * const events = new TogaiEventBuffer({
 *   client: new TogaiClient({ tokens: TogaiTokenProvider.fromEnvironment() }),
 * });
 *
 * export const handler = async (requests: { id: string; accountId: string }[]) => {
 *   for (const r of requests) {
 *     events.add({
 *       id: r.id, // a stable id: a retried invocation is not billed twice
 *       schemaName: "api_calls",
 *       timestamp: new Date().toISOString(),
 *       accountId: r.accountId,
 *       attributes: [{ name: "calls", value: "1" }],
 *       dimensions: {},
 *     });
 *   }
 *   // A frozen Lambda sends nothing: flush before returning, and report what Togai did not take.
 *   const { failed } = await events.flush();
 *   return failed.map((f) => f.id);
 * };
 */
export class TogaiEventBuffer {
  private readonly client: TogaiClient;
  private readonly options: ResolvedBufferOptions;
  private queue: TogaiEvent[] = [];
  /** Ids of the events waiting or in flight: one event per id, as `ingestBatch` requires. */
  private readonly held = new HeldIds();
  /** Sequence number (in add order) of the event at the queue's front. */
  private queueFront = 0;
  private inFlightEvents = 0;
  private inFlightRequests = 0;
  private failed: UndeliveredEvent[] = [];
  private accepted = 0;
  private draining = 0;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private pumpScheduled = false;
  private flushing?: Promise<FlushResult>;
  private resultsTaken = 0;
  private roomWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(options: TogaiEventBufferOptions) {
    this.client = options.client;
    this.options = resolveBufferOptions(options);
  }

  /** Events held in memory (waiting, in flight, undelivered until the next flush). */
  get size(): number {
    return this.queue.length + this.inFlightEvents + this.failed.length;
  }

  /** True when `add()` would throw {@link TogaiBufferFullError}. */
  get full(): boolean {
    return this.size >= this.options.maxBufferedEvents;
  }

  /**
   * Queues one event and returns the id it will be sent with. Throws {@link InvalidEventError}
   * for an event Togai would refuse, {@link TogaiBufferFullError} when full.
   */
  add(event: TogaiEvent): string {
    if (this.closed) throw new TogaiBufferClosedError("add() after close(): create a new buffer");
    if (this.full) {
      throw new TogaiBufferFullError(
        `The event buffer holds ${this.options.maxBufferedEvents} events (maxBufferedEvents): await whenRoom() or flush() before adding more`,
      );
    }
    validateEvent(event, 0);
    if (event.id !== undefined && this.held.has(event.id)) {
      throw new InvalidEventError(
        `Event id "${event.id.slice(0, 64)}" is already waiting, in flight or just sent in this buffer: Togai keeps one event per id, so this one would not be billed. Give each usage its own id (e.g. "<account>:<period>:<sequence>", or a request id); to retry a failed event, add it again after flush() returned it`,
        0,
        "id",
      );
    }
    const sent = withId(event);
    this.held.add(sent.id);
    this.queue.push(sent);
    if (this.queue.length >= this.options.maxBatchSize) this.schedulePump();
    else if (this.timer === undefined) this.startTimer();
    return sent.id;
  }

  /**
   * Resolves when `add()` has room again. Rejects with {@link TogaiBufferFullError} when the
   * buffer is full of undelivered events and nothing is in flight: only `flush()` (which hands
   * them back) makes room then, so waiting would never end.
   */
  whenRoom(): Promise<void> {
    if (!this.full) return Promise.resolve();
    if (this.stuck()) return Promise.reject(this.stuckError());
    return new Promise((resolve, reject) => this.roomWaiters.push({ resolve, reject }));
  }

  /**
   * Sends every event held and resolves to what was accepted and failed since the last flush.
   * Overlapping calls share one drain and resolve to the same result, which covers everything
   * pending when each was called (a drain also sends what is added while it runs, and ends only
   * when nothing is waiting or in flight). A call made once that result is taken starts a new drain.
   */
  flush(): Promise<FlushResult> {
    if (this.flushing) return this.flushing;
    const taken = this.resultsTaken;
    const drain = this.drain();
    // With nothing pending, drain() has already taken its result: nothing to share then.
    if (this.resultsTaken === taken) this.flushing = drain;
    return drain;
  }

  private async drain(): Promise<FlushResult> {
    this.draining++;
    try {
      // Checked again after every wake-up: an event added meanwhile belongs to this drain.
      while (this.queue.length > 0 || this.inFlightRequests > 0) {
        this.pump();
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      }
    } finally {
      this.draining--;
    }
    // Synchronously with taking the result: a later flush() cannot get this one.
    this.flushing = undefined;
    this.resultsTaken++;
    const result = { accepted: this.accepted, failed: this.failed };
    this.accepted = 0;
    this.failed = [];
    this.wakeRoomWaiters();
    return result;
  }

  /** Flushes, then refuses further events. The client stays open (it may be shared). */
  async close(): Promise<FlushResult> {
    const result = await this.flush();
    this.closed = true;
    return result;
  }

  /**
   * Unref'd: a script that ends without `flush()` is not kept alive for `maxBatchDelayMs` by this
   * timer alone (its events are then not sent: flush before exit). Requests in flight, and a
   * `flush()` being awaited, keep the process alive as usual.
   */
  private startTimer(): void {
    this.timer = setTimeout(() => this.onDelay(), this.options.maxBatchDelayMs);
    this.timer.unref();
  }

  private onDelay(): void {
    this.timer = undefined;
    this.draining++;
    this.pump();
    this.draining--;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Off the caller's stack, so that add() stays cheap.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (
      this.inFlightRequests < this.options.maxConcurrentRequests &&
      (this.queue.length >= this.options.maxBatchSize ||
        (this.draining > 0 && this.queue.length > 0))
    ) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      const first = this.queueFront;
      this.queueFront += batch.length;
      this.inFlightRequests++;
      this.inFlightEvents += batch.length;
      void this.send(batch, first);
    }
    if (this.queue.length === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.queue.length > 0 && this.timer === undefined) this.startTimer();
  }

  /** Sends `batch`, whose first event is `first` in add order. */
  private async send(batch: TogaiEvent[], first: number): Promise<void> {
    const outcome = await this.client.sendPrepared(batch);
    const failed: UndeliveredEvent[] = outcome.failed.map(({ index, reason, retryable }) => ({
      event: batch[index],
      id: batch[index].id as string,
      reason,
      retryable,
    }));
    if (outcome.fatal !== undefined) {
      // Stop on a fatal answer: what still waits is reported, not sent into the same failure.
      const reason = `not sent: an earlier batch failed with ${(outcome.fatal as Error).message}`;
      const front = this.queueFront;
      this.queueFront += this.queue.length;
      this.held.done(front, this.queue.length);
      for (const event of this.queue.splice(0)) {
        failed.push({ event, id: event.id as string, reason, retryable: true });
      }
    }
    this.accepted += batch.length - outcome.failed.length;
    this.failed.push(...failed);
    this.inFlightRequests--;
    this.inFlightEvents -= batch.length;
    this.held.done(first, batch.length);
    for (const { id } of failed) this.held.forget(id);
    if (failed.length > 0) this.report(failed);
    this.wakeRoomWaiters();
    this.pump();
    if (this.queue.length === 0 && this.inFlightRequests === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /**
   * Hands failures to `onFailure`. A throw or a rejection is reported once as a warning and never
   * escapes: it must not end the process (unhandled rejection) nor lose the bookkeeping.
   */
  private report(failed: UndeliveredEvent[]): void {
    if (!this.options.onFailure) return;
    const warn = (error: unknown) =>
      process.emitWarning(
        `TogaiEventBuffer: onFailure failed (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}); the ${failed.length} undelivered events stay in flush()'s result`,
        { code: "TOGAI_ON_FAILURE" },
      );
    try {
      // Typed `=> void`, so an async function fits: look for the promise it may return.
      const returned: unknown = this.options.onFailure(failed);
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === "function") {
        Promise.resolve(returned).catch(warn);
      }
    } catch (error) {
      warn(error);
    }
  }

  private wakeRoomWaiters(): void {
    if (!this.full) {
      for (const waiter of this.roomWaiters.splice(0)) waiter.resolve();
    } else if (this.stuck()) {
      const error = this.stuckError();
      for (const waiter of this.roomWaiters.splice(0)) waiter.reject(error);
    }
  }

  /** Full, and nothing queued or in flight: no room comes back without a `flush()`. */
  private stuck(): boolean {
    return this.full && this.queue.length === 0 && this.inFlightRequests === 0;
  }

  private stuckError(): TogaiBufferFullError {
    return new TogaiBufferFullError(
      `The event buffer is full of ${this.failed.length} undelivered events (maxBufferedEvents ${this.options.maxBufferedEvents}): call flush() to collect them (and retry the retryable ones); no room comes back until then`,
    );
  }
}
