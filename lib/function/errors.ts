import { TogaiRuntimeError } from "../togai/errors";

/** A rotation step found the secret in a state the protocol does not allow. */
export class RotationError extends TogaiRuntimeError {
  override readonly name: string = "RotationError";
}
