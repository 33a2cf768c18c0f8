/**
 * The buffer's record of held ids. Invariants: an id is known from its add until its event is
 * done (and a little after, while its chunk holds other pending events), a failed id is forgotten
 * at once, and done events let their chunks go, whatever order batches finish in.
 */
import { HeldIds } from "../../lib/runtime/held-ids";

test("an id is held from its add until its chunk is done; batches may finish out of order", () => {
  const held = new HeldIds();
  const seqs = Array.from({ length: 10_000 }, (_, i) => held.add(`id-${i}`));
  expect(seqs[0]).toBe(0);
  expect(seqs[9_999]).toBe(9_999);
  expect(held.has("id-0")).toBe(true);
  expect(held.has("id-9999")).toBe(true);
  expect(held.has("id-10000")).toBe(false);

  // Batches of 500 finish in reverse order: nothing is let go before the oldest is done.
  for (let first = 9_500; first >= 500; first -= 500) held.done(first, 500);
  expect(held.has("id-0")).toBe(true);
  expect(held.has("id-9999")).toBe(true);
  held.done(0, 500);

  // Every full chunk is done: gone. The chunk still being filled stays until it is full.
  expect(held.has("id-0")).toBe(false);
  expect(held.has("id-8191")).toBe(false);
  expect(held.has("id-9999")).toBe(true);
});

test("a failed id is forgotten at once, and can be held again", () => {
  const held = new HeldIds();
  held.add("a");
  held.add("b");
  held.forget("a");

  expect(held.has("a")).toBe(false);
  expect(held.has("b")).toBe(true);
  expect(held.add("a")).toBe(2);
  expect(held.has("a")).toBe(true);
});
