/**
 * The README's path from a synthesized stack to a first token, as a user follows it, in the
 * project the pack-install test made: `terraform apply` (what `cdktf deploy` runs) against moto,
 * the ARNs from `terraform output -raw` (as the README's `out()` does), the installed
 * `cdktf-togai put-api-key` with the key on stdin, the rotation it starts run by the installed
 * rotation zip (moto cannot run Lambda code) against the Togai stand-in, then
 * `cdktf-togai status`. Only Togai's address differs from the README: it is the stand-in's.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { leakedSecrets } from "../support/capture-output";
import { startMotoServer } from "../support/moto-server";
import { driveRotation, loadRotationHandler } from "../support/rotation-driver";
import { terraform } from "../support/terraform";
import { startTogaiStandIn } from "../support/togai-standin";

export interface FirstTokenRun {
  readonly putApiKeyExit: number | null;
  readonly rotationError?: Error;
  /** AWSCURRENT of the token secret afterwards. */
  readonly current: { token: string; apiBaseUrl: string };
  readonly issuedTokens: string[];
  readonly statusExit: number | null;
  /** Secrets found in everything printed (Terraform, the CLI, the function). */
  readonly leaked: string[];
}

/** Follows the README from `stackDir` (synthesized, `terraform init` done) to a first token. */
export async function followReadmeToFirstToken(
  project: string,
  stackDir: string,
  key: string,
): Promise<FirstTokenRun> {
  const moto = await startMotoServer();
  const togai = await startTogaiStandIn({ secretKeys: [key] });
  const saved = { ...process.env };
  Object.assign(process.env, moto.awsEnv);
  const secrets = new SecretsManagerClient({});
  let transcript = "";
  try {
    const tf = async (args: string[]) => {
      const result = await terraform(args, stackDir, moto.awsEnv);
      transcript += `${result.stdout}\n${result.stderr}\n`;
      return result.stdout;
    };
    await tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const out = async (name: string) => (await tf(["output", "-raw", name])).trim();
    const keyArn = await out("TogaiToken_api_key_secret_arn");
    const tokenArn = await out("TogaiToken_token_secret_arn");
    const functionName = await out("TogaiToken_rotation_function_name");

    const cli = join(project, "node_modules", ".bin", "cdktf-togai");
    const cliEnv = { ...process.env, TOGAI_API_BASE_URL: togai.baseUrl };
    const put = await runCli(
      cli,
      ["put-api-key", "--secret-id", keyArn, "--token-secret-id", tokenArn],
      cliEnv,
      `${key}\n`,
    );
    transcript += `${put.stdout}\n${put.stderr}\n`;
    if (put.status !== 0) {
      throw new Error(`put-api-key exited with ${put.status}:\n${put.stdout}\n${put.stderr}`);
    }

    // The function as deployed: its zip from the installed package, its deployed environment.
    const lambda = new LambdaClient({});
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
    lambda.destroy();
    const zip = join(project, "node_modules", "cdktf-togai", "assets", "rotation-function.zip");
    const handler = await loadRotationHandler(
      { ...fn.Configuration?.Environment?.Variables, TOGAI_API_BASE_URL: togai.baseUrl },
      zip,
    );
    const rotation = await driveRotation({
      handler,
      secrets,
      secretArn: tokenArn,
      functionArn: fn.Configuration?.FunctionArn as string,
    });
    const current = await secrets.send(
      new GetSecretValueCommand({ SecretId: tokenArn, VersionStage: "AWSCURRENT" }),
    );
    const status = await runCli(cli, ["status", "--secret-id", tokenArn], cliEnv);
    transcript += `${status.stdout}\n${status.stderr}\n`;
    return {
      putApiKeyExit: put.status,
      rotationError: rotation.error,
      current: JSON.parse(current.SecretString as string),
      issuedTokens: [...togai.issuedTokens],
      statusExit: status.status,
      leaked: leakedSecrets(transcript, [key, ...togai.issuedTokens]),
    };
  } finally {
    secrets.destroy();
    process.env = saved;
    await togai.close();
    await moto.stop();
  }
}

/**
 * Runs the installed CLI without blocking this process: the Togai stand-in it talks to answers
 * from this process's event loop.
 */
function runCli(
  cli: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input = "",
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
