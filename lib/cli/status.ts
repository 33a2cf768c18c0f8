/**
 * What `cdktf-togai status` finds out about a token secret, and how it prints it. Every problem
 * found makes the command exit 4, so that a cron job or CI check can page on it.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { unfinishedVersionIds } from "../aws/start-rotation";
import { InvalidTogaiTokenError, InvalidTokenSecretError } from "../togai/errors";
import { decodeTogaiToken } from "../togai/togai-jwt";
import { implausibleClaimsProblem } from "../togai/token-plausibility";
import { parseTokenSecretValue } from "../togai/token-secret";

export interface StatusReport {
  secretArn?: string;
  rotationEnabled: boolean;
  schedule?: string;
  lastRotatedAt?: string;
  nextRotationAt?: string;
  /** When the current token was minted: the last rotation that succeeded. */
  lastSuccessfulRotationAt?: string;
  /** Versions holding AWSPENDING without AWSCURRENT: a rotation that has not finished. */
  unfinishedVersionIds: string[];
  token: { expiresAt: string; issuedAt: string; hoursLeft: number; apiBaseUrl: string } | null;
  problems: string[];
}

/** Hours between rotations for `rate(N hours)` / `rate(N days)`; undefined for cron(...). */
export function scheduleIntervalHours(schedule: string | undefined): number | undefined {
  const match = /^rate\((\d+)\s+(hours?|days?)\)$/.exec(schedule ?? "");
  if (!match) return undefined;
  return Number(match[1]) * (match[2].startsWith("day") ? 24 : 1);
}

/** Reads the secret's rotation state and current token; lists every problem found. */
export async function readStatus(
  secrets: SecretsManagerClient,
  secretId: string,
  warnHours: number,
): Promise<StatusReport> {
  let meta: DescribeSecretCommandOutput;
  try {
    meta = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    throw new Error(
      `Secrets Manager has no secret ${secretId} in this account and region: give the token secret's ARN (the tokenSecretArn output of TogaiTokenRotation)`,
    );
  }
  const report: StatusReport = {
    secretArn: meta.ARN,
    rotationEnabled: Boolean(meta.RotationEnabled),
    schedule: meta.RotationRules?.ScheduleExpression,
    lastRotatedAt: meta.LastRotatedDate?.toISOString(),
    nextRotationAt: meta.NextRotationDate?.toISOString(),
    unfinishedVersionIds: unfinishedVersionIds(meta.VersionIdsToStages),
    token: null,
    problems: [],
  };
  const id = report.secretArn ?? secretId;
  if (!meta.RotationLambdaARN) {
    // Most likely the API-key secret or another secret: its value is none of our business.
    report.problems.push(
      `${id} has no rotation function: is it the token secret? Give the tokenSecretArn output of TogaiTokenRotation`,
    );
    return report;
  }
  if (!report.rotationEnabled) report.problems.push("rotation is not enabled");
  for (const versionId of report.unfinishedVersionIds) {
    report.problems.push(
      `rotation is stuck or still running: AWSPENDING is on version ${versionId}, not on AWSCURRENT; Secrets Manager refuses new rotations until it finishes (the function gives up an aged one by itself at the next scheduled rotation; "cdktf-togai rotate --secret-id ${id}" clears it and starts one now)`,
    );
  }
  const stored = await readSecretString(secrets, { secretId });
  if (!stored) {
    report.problems.push(
      "no token has been minted yet (or the value is binary, not the token JSON): put the key with put-api-key --token-secret-id, which also starts a rotation",
    );
    return report;
  }
  let value: ReturnType<typeof parseTokenSecretValue>;
  try {
    value = parseTokenSecretValue(stored.value, id);
  } catch (error) {
    if (!(error instanceof InvalidTokenSecretError)) throw error;
    report.problems.push(error.message);
    return report;
  }
  try {
    // The dates must be the token's own: a value that claims a future issuedAt or an expiry
    // its token does not carry would hide a stuck rotation.
    const claims = decodeTogaiToken(value.token);
    if (claims.expiresAt.getTime() !== Date.parse(value.expiresAt)) {
      report.problems.push(
        `the token secret's expiresAt (${value.expiresAt}) is not the token's own expiry (${claims.expiresAt.toISOString()}); run a rotation to repair it`,
      );
    }
  } catch (error) {
    if (!(error instanceof InvalidTogaiTokenError)) throw error;
    report.problems.push(
      `the token secret's "token" is not a Togai token (${error.message}); run a rotation to repair it`,
    );
  }
  const implausible = implausibleClaimsProblem(new Date(value.issuedAt), new Date(value.expiresAt));
  if (implausible) {
    report.problems.push(
      `the token secret's dates cannot be Togai's: ${implausible}; run a rotation to repair it`,
    );
  }
  const exactHoursLeft = (Date.parse(value.expiresAt) - Date.now()) / 3_600_000;
  const hoursLeft = Number(exactHoursLeft.toFixed(2));
  report.token = {
    expiresAt: value.expiresAt,
    issuedAt: value.issuedAt,
    hoursLeft,
    apiBaseUrl: value.apiBaseUrl,
  };
  report.lastSuccessfulRotationAt = value.issuedAt;
  if (exactHoursLeft <= 0) report.problems.push(`the token expired at ${value.expiresAt}`);
  else if (exactHoursLeft < warnHours)
    report.problems.push(`the token has ${hoursLeft} h left, below ${warnHours} h`);
  const interval = scheduleIntervalHours(report.schedule);
  const sinceSuccess = (Date.now() - Date.parse(value.issuedAt)) / 3_600_000;
  if (interval !== undefined && sinceSuccess > 2 * interval) {
    report.problems.push(
      `rotation is stuck: the last successful rotation minted the current token ${sinceSuccess.toFixed(1)} h ago, more than two intervals of ${interval} h; see the rotation function's log`,
    );
  }
  return report;
}

/** The human-readable lines of a report. */
export function formatStatus(report: StatusReport, secretId: string): string[] {
  const lines = [
    `token secret:     ${report.secretArn ?? secretId}`,
    `rotation:         ${report.rotationEnabled ? "enabled" : "DISABLED"}${report.schedule ? `, ${report.schedule}` : ""}`,
    `last rotation:    ${report.lastRotatedAt ?? "never"}`,
    `last success:     ${report.lastSuccessfulRotationAt ?? "never"}`,
    `next rotation:    ${report.nextRotationAt ?? "unknown"}`,
    report.token
      ? `current token:    expires ${report.token.expiresAt} (${report.token.hoursLeft} h left), ${report.token.apiBaseUrl}`
      : "current token:    none",
  ];
  for (const problem of report.problems) lines.push(`WARNING: ${problem}`);
  return lines;
}
