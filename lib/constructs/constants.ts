/**
 * The contract's constants as static members: jsii carries classes, not top-level `const`s, to
 * Python, Java, .NET and Go, so users of every language read the same values from here.
 */
import {
  DEFAULT_MIN_TOKEN_LIFE_HOURS,
  DEFAULT_ROTATION_INTERVAL_HOURS,
  MAX_ROTATION_INTERVAL_HOURS,
  MIN_ROTATION_INTERVAL_HOURS,
  ROTATION_ENV,
  TOGAI_PRODUCTION_BASE_URL,
  TOGAI_SANDBOX_BASE_URL,
  TOKEN_LIFETIME_HOURS,
  TOKEN_SECRET_ARN_ENV,
} from "../contract";

/** Togai's published API base URLs, for `TogaiTokenRotationProps.apiBaseUrl`. */
export class TogaiBaseUrl {
  /** Togai's production API. */
  public static readonly PRODUCTION: string = TOGAI_PRODUCTION_BASE_URL;
  /** Togai's sandbox API. */
  public static readonly SANDBOX: string = TOGAI_SANDBOX_BASE_URL;

  private constructor() {}
}

/** The limits `TogaiTokenRotation` validates its props against. */
export class TogaiRotationLimits {
  /** Shortest rotation interval: Secrets Manager refuses `rate(N hours)` below 4. */
  public static readonly MIN_INTERVAL_HOURS: number = MIN_ROTATION_INTERVAL_HOURS;
  /** Longest rotation interval: up to 11 h, a whole failed window still leaves a valid token. */
  public static readonly MAX_INTERVAL_HOURS: number = MAX_ROTATION_INTERVAL_HOURS;
  /** Rotation interval when `rotationIntervalHours` is not set. */
  public static readonly DEFAULT_INTERVAL_HOURS: number = DEFAULT_ROTATION_INTERVAL_HOURS;
  /** Life a new token must have left for the rotation to accept it, by default. */
  public static readonly DEFAULT_MIN_TOKEN_LIFE_HOURS: number = DEFAULT_MIN_TOKEN_LIFE_HOURS;
  /** How long a token minted by Togai's `POST /authenticate` lives. */
  public static readonly TOKEN_LIFETIME_HOURS: number = TOKEN_LIFETIME_HOURS;

  private constructor() {}
}

/** Names of the environment variables the constructs set. */
export class TogaiEnvironment {
  /** The consumer's variable holding the token secret's ARN (set by `grantReadToFunction`). */
  public static readonly TOKEN_SECRET_ARN: string = TOKEN_SECRET_ARN_ENV;
  /** The rotation function's variable holding the API-key secret's ARN. */
  public static readonly API_KEY_SECRET_ARN: string = ROTATION_ENV.apiKeySecretArn;
  /** The rotation function's variable holding the Togai API base URL. */
  public static readonly API_BASE_URL: string = ROTATION_ENV.apiBaseUrl;
  /** The rotation function's variable holding the minimum token life in hours. */
  public static readonly MIN_TOKEN_LIFE_HOURS: string = ROTATION_ENV.minTokenLifeHours;

  private constructor() {}
}

/**
 * Lambda runtimes the rotation function runs on, for `TogaiTokenRotationProps.runtime` (the
 * plain strings are accepted too).
 */
export class TogaiLambdaRuntime {
  /** Node.js 20. */
  public static readonly NODEJS_20_X: string = "nodejs20.x";
  /** Node.js 22 (the default). */
  public static readonly NODEJS_22_X: string = "nodejs22.x";
  /** Every supported runtime. */
  public static readonly ALL: string[] = [
    TogaiLambdaRuntime.NODEJS_20_X,
    TogaiLambdaRuntime.NODEJS_22_X,
  ];

  private constructor() {}
}

/**
 * Instruction sets the rotation function runs on, for `TogaiTokenRotationProps.architecture`
 * (the plain strings are accepted too).
 */
export class TogaiLambdaArchitecture {
  /** AWS Graviton (the default: cheaper for the same work). */
  public static readonly ARM_64: string = "arm64";
  /** x86-64. */
  public static readonly X86_64: string = "x86_64";
  /** Every supported architecture. */
  public static readonly ALL: string[] = [
    TogaiLambdaArchitecture.ARM_64,
    TogaiLambdaArchitecture.X86_64,
  ];

  private constructor() {}
}
