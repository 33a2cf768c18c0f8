import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { signRequest } from "../../lib/function/sigv4";

/** The SDK's signer needs a hash constructor; this is node's, in the SDK's Checksum shape. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      typeof secret === "string" || secret === undefined
        ? secret
        : Buffer.from(secret as ArrayBuffer);
    this.hash = key ? createHmac("sha256", key) : createHash("sha256");
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token-example",
};

test.each([
  [
    "the regional endpoint",
    "https://secretsmanager.eu-west-1.amazonaws.com/",
    "eu-west-1",
    credentials,
  ],
  [
    "a loopback endpoint with a port, no session",
    "http://127.0.0.1:4566/",
    "us-east-1",
    { ...credentials, sessionToken: undefined },
  ],
])(
  "signs exactly as the AWS SDK's SignatureV4 does: %s",
  async (_name, endpoint, region, creds) => {
    const url = new URL(endpoint);
    const body = JSON.stringify({
      SecretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf",
      VersionStage: "AWSPENDING",
    });
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.GetSecretValue",
    };
    const now = new Date("2026-11-28T08:09:10Z");

    const ours = signRequest(
      { url, method: "POST", headers, body },
      creds,
      region,
      "secretsmanager",
      now,
    );

    // Without the optional x-amz-content-sha256 header, which only S3 requires.
    const sdk = new SignatureV4({
      credentials: creds,
      region,
      service: "secretsmanager",
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const signed = await sdk.sign(
      {
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: "/",
        query: {},
        headers: { ...headers, host: url.host },
        body,
      },
      { signingDate: now },
    );
    expect(ours.authorization).toBe(signed.headers.authorization);
    expect(ours["x-amz-date"]).toBe("20261128T080910Z");
    expect(ours["x-amz-security-token"]).toBe(creds.sessionToken);
  },
);
