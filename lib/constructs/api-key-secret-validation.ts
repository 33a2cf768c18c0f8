import { Token } from "cdktf";
import type { IConstruct } from "constructs";
import type { TogaiApiKeySecretProps } from "./api-key-secret";
import {
  checkArn,
  checkIntegerRange,
  checkRecoveryWindow,
  TogaiValidationError,
} from "./validation";

/** Every check of {@link TogaiApiKeySecretProps}, at synth. */
export function validateApiKeySecretProps(scope: IConstruct, props: TogaiApiKeySecretProps): void {
  checkArn(scope, "existingSecretArn", props.existingSecretArn, "secret");
  checkArn(scope, "kmsKeyArn", props.kmsKeyArn, "kmsKey");
  checkRecoveryWindow(scope, props.recoveryWindowInDays);
  checkIntegerRange(
    scope,
    "ephemeralValueVersion",
    props.ephemeralValueVersion,
    1,
    Number.MAX_SAFE_INTEGER,
    "",
  );
  if (props.kmsKeyArn && props.createKmsKey) {
    throw new TogaiValidationError(scope, "give kmsKeyArn or createKmsKey, not both");
  }
  if (props.existingSecretArn) {
    const creating = (
      ["secretName", "createKmsKey", "recoveryWindowInDays", "description", "tags"] as const
    ).filter((p) => props[p] !== undefined);
    if (creating.length > 0) {
      throw new TogaiValidationError(
        scope,
        `${creating.join(", ")} only apply to a secret created here; remove them when adopting existingSecretArn`,
      );
    }
  }
  if (props.restrictRead && props.existingSecretArn) {
    throw new TogaiValidationError(
      scope,
      "restrictRead would replace the adopted secret's resource policy; manage that policy where the secret is defined",
    );
  }
  if (props.administratorArns && !props.restrictRead) {
    throw new TogaiValidationError(scope, "administratorArns only applies with restrictRead: true");
  }
  for (const arn of props.administratorArns ?? []) {
    const session = Token.isUnresolved(arn)
      ? null
      : /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
    if (session) {
      throw new TogaiValidationError(
        scope,
        `administratorArns holds an STS session ARN "${arn}", which never matches and would lock that administrator out: use the role ARN arn:aws:iam::${session[1]}:role/${session[2]}`,
      );
    }
    checkArn(scope, "administratorArns", arn, "iamPrincipal");
  }
  if (
    props.ephemeralVariableName !== undefined &&
    !/^[a-zA-Z_][a-zA-Z0-9_-]*$/.test(props.ephemeralVariableName)
  ) {
    throw new TogaiValidationError(
      scope,
      `ephemeralVariableName must be a Terraform identifier (letters, digits, _ and -, not starting with a digit), got "${props.ephemeralVariableName}"`,
    );
  }
}
