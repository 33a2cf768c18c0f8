/** Consecutive adds per chunk: at least a few batches, so that a chunk's set grows rarely. */
const CHUNK = 4096;

/**
 * The ids of the events a {@link TogaiEventBuffer} holds (waiting or in flight), so that one id
 * is one event, as `ingestBatch` requires. Kept as sets of consecutive adds, each dropped once
 * all its events are done: small sets that die young, where one big set churned by deletes
 * costs tens of MB of old-generation tables in a steady stream, and a set per batch makes every
 * add pay for its growth. A chunk still holding a pending event also keeps the ids of its events
 * that were just accepted (Togai would drop those ids anyway); failed ones are forgotten at once.
 */
export class HeldIds {
  private chunks: Array<{ readonly ids: Set<string>; pending: number }> = [];
  /** Chunk number of `chunks[0]`. */
  private firstChunk = 0;
  /** Events recorded so far: the sequence number of the next one. */
  private added = 0;

  has(id: string): boolean {
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i++) if (chunks[i].ids.has(id)) return true;
    return false;
  }

  /** Records one more event held, in add order; returns its sequence number. */
  add(id: string): number {
    const seq = this.added++;
    const n = Math.floor(seq / CHUNK) - this.firstChunk;
    if (n === this.chunks.length) this.chunks.push({ ids: new Set(), pending: 0 });
    const chunk = this.chunks[n];
    chunk.ids.add(id);
    chunk.pending++;
    return seq;
  }

  /** Events `first` to `first + count - 1` (in add order) are done: answered, or given up. */
  done(first: number, count: number): void {
    const end = first + count;
    for (let seq = first; seq < end; ) {
      const n = Math.floor(seq / CHUNK);
      const upTo = Math.min(end, (n + 1) * CHUNK);
      this.chunks[n - this.firstChunk].pending -= upTo - seq;
      seq = upTo;
    }
    // Finished chunks leave from the front; the chunk still being filled stays.
    while (
      this.chunks.length > 0 &&
      this.chunks[0].pending === 0 &&
      this.added >= (this.firstChunk + 1) * CHUNK
    ) {
      this.chunks.shift();
      this.firstChunk++;
    }
  }

  /** A failed event: its id may be added again (the retry). */
  forget(id: string): void {
    for (const chunk of this.chunks) chunk.ids.delete(id);
  }
}
