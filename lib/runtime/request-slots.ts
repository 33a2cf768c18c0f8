/**
 * At most `size` requests on the wire at once, queued here rather than in undici's pool: a request
 * waiting for a slot still holds no socket, so it can look at the token again when its turn comes
 * (after a 401 the queued ones must not go out with the token Togai just refused).
 */
export class RequestSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Resolves once a slot is held; rejects (holding nothing) when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    // Rejected, not thrown: a caller that does not await at once still gets a promise.
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  /** Hands the slot to the next waiter (first come, first served), or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
