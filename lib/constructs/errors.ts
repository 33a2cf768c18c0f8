/**
 * Synth-time errors. A prop value that cannot be synthesized throws `TogaiValidationError`, whose
 * message names the construct path, the prop, the value and what is allowed. jsii cannot carry a
 * subclass of `Error` to other languages, so (as AWS CDK does with `Errors.isValidationError`)
 * the public API is a static check, `TogaiErrors.isValidationError(e)`, and the message itself,
 * which every jsii language surfaces unchanged.
 */
import type { IConstruct } from "constructs";

const VALIDATION_ERROR = Symbol.for("cdktf-togai.TogaiValidationError");

/** A prop value that cannot be synthesized. */
export class TogaiValidationError extends Error {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = "TogaiValidationError";
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
  }
}

/** Tells cdktf-togai's errors apart from others. */
export class TogaiErrors {
  /**
   * True when `x` is a synth-time validation error of cdktf-togai (a bad prop value).
   *
   * @param x anything caught
   */
  public static isValidationError(x: unknown): boolean {
    return typeof x === "object" && x !== null && VALIDATION_ERROR in x;
  }

  private constructor() {}
}
