/**
 * `npm run demo`: deploys the basic example to moto_server (AWS on loopback) with Terraform,
 * puts a key as an operator would, rotates, reads the token as a consumer, ingests an event into
 * the Togai stand-in, then destroys everything and stops both servers, also on failure and
 * Ctrl-C.
 */
import { interruptTerraform } from "../test/support/terraform";
import { LoopbackDeployment } from "./loopback-deployment";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const started = Date.now();
let interrupted: NodeJS.Signals | undefined;
const stage = (text: string) => {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}\n`);
  // After Ctrl-C, the next stage boundary stops the run; `finally` then destroys and stops.
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
};

/** The rotation function logs JSON lines; the demo shows its own stages instead. */
function quietly<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    String(chunk).startsWith('{"')
      ? true
      : write(chunk as string, ...(rest as []))) as typeof process.stdout.write;
  return run().finally(() => {
    process.stdout.write = write;
  });
}

async function main(): Promise<void> {
  const demo = new LoopbackDeployment();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    process.stdout.write(
      `${signal}: stopping; what was deployed is destroyed, then the servers stop\n`,
    );
    interruptTerraform();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    await demo.startServers();
    stage(`moto_server (AWS) on ${demo.moto?.endpoint}, Togai stand-in on ${demo.togai?.baseUrl}`);
    demo.synth();
    stage("synthesized the basic example (TogaiApiKeySecret, TogaiTokenRotation, a consumer role)");
    await demo.init();
    stage("terraform init done");
    const added = await demo.apply();
    stage(`terraform apply: ${added} resources created`);

    const first = await quietly(() => demo.rotate());
    if (!first.error) throw new Error("the rotation at deploy should fail before any key is put");
    stage(
      `rotation at deploy: failed as it must, no key yet: "${first.error.message.replace(/: put it with.*$/, "")}"`,
    );

    await demo.putKeyWithCli();
    stage(
      "cdktf-togai put-api-key: key read from stdin, checked with Togai, stored; rotation started",
    );
    const minted = await quietly(() => demo.rotate());
    if (minted.error) throw minted.error;
    const token = (await demo.tokenSecret()).value;
    stage(
      `rotation: createSecret, setSecret, testSecret, finishSecret; token expires ${token.expiresAt}`,
    );

    const consumer = await demo.consumeAndIngest();
    stage(
      `consumer: TogaiTokenProvider read the token, TogaiClient ingested ${consumer.eventsAccepted} event (202)`,
    );

    const second = await quietly(() => demo.rotateAgain());
    if (second.error) throw second.error;
    stage("second rotation: a new token is AWSCURRENT, the first is AWSPREVIOUS");

    const plan = await demo.plan();
    stage(`terraform plan: ${plan.code === 0 ? "no changes" : "CHANGES PENDING"}`);

    await demo.destroy();
    const left = await demo.leftovers();
    stage(`terraform destroy: ${left.secrets} secrets, ${left.functions} functions left`);

    process.stdout.write(
      [
        "",
        "Summary",
        `  resources created:  ${added}`,
        `  token expires:      ${token.expiresAt} (${((Date.parse(token.expiresAt) - Date.now()) / 3_600_000).toFixed(1)} h from now)`,
        `  event accepted:     ${consumer.eventsAccepted === 1 ? "yes" : "no"}`,
        `  plan after apply:   ${plan.code === 0 ? "no changes" : "changes"}`,
        `  took:               ${((Date.now() - started) / 1000).toFixed(1)} s`,
        "",
      ].join("\n"),
    );
    if (plan.code !== 0 || consumer.eventsAccepted !== 1) process.exitCode = 1;
  } catch (error) {
    process.stderr.write(
      interrupted ? "demo interrupted\n" : `demo failed: ${(error as Error).message}\n`,
    );
    process.exitCode = interrupted ? 130 : 1;
  } finally {
    await demo.cleanup();
    demo.removeWorkDir();
    process.stdout.write("servers stopped, nothing left deployed\n");
  }
}

main();
