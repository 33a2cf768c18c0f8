/**
 * The Togai stand-in in a process of its own (so that the client measured does not share its
 * event loop), answering as fast as it can: no rate limits, events counted but not kept.
 * Prints {"port": N} once listening; stops on SIGTERM.
 */
import { startTogaiStandIn } from "../test/support/togai-standin";

const key = process.env.TOGAI_STANDIN_SECRET_KEY;
if (!key) throw new Error("TOGAI_STANDIN_SECRET_KEY is required");
startTogaiStandIn({ secretKeys: [key], rateLimits: false, keepEvents: false }).then((standIn) => {
  process.stdout.write(`${JSON.stringify({ port: Number(new URL(standIn.baseUrl).port) })}\n`);
  process.once("SIGTERM", () => {
    standIn.close().finally(() => process.exit(0));
  });
});
