/**
 * What `cdktf-togai status` finds out about a token secret, and how it prints it. Every problem
 * found makes the command exit 4, so that a cron job or CI check can page on it.
 */
import { DescribeSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { unfinishedVersionIds } from "../aws/start-rotation";
import { InvalidTokenSecretError } from "../togai/errors";
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
  const meta = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
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
  if (!report.rotationEnabled) report.problems.push("rotation is not enabled");
  for (const versionId of report.unfinishedVersionIds) {
    report.problems.push(
      `rotation is stuck or still running: AWSPENDING is on version ${versionId}, not on AWSCURRENT; Secrets Manager refuses new rotations until it finishes (the function gives up an aged one by itself at the next scheduled rotation; "cdktf-togai rotate --secret-id ${id}" clears it and starts one now)`,
    );
  }
  const stored = await readSecretString(secrets, { secretId });
  if (!stored) {
    report.problems.push("no token has been minted yet");
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
