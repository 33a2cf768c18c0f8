/**
 * moto_server (Secrets Manager) and the Togai stand-in for one test file, each through its own
 * lifecycle helper (useMotoSecrets, useTogaiStandIn): the pair most integration files run on.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type MotoServer, useMotoSecrets } from "./moto-server";
import { type StandInOptions, type TogaiStandIn, useTogaiStandIn } from "./togai-standin";

export interface Harness {
  readonly moto: MotoServer;
  readonly togai: TogaiStandIn;
  /** A client of moto, with the endpoint from the environment moto's helper sets. */
  readonly secrets: SecretsManagerClient;
}

/**
 * Starts both servers before a file's tests (moto first, its AWS environment set for this
 * process) and stops them after; the stand-in's unplayed faults are dropped after each test.
 * The fields are read when the tests run, once the servers are up.
 */
export function useServers(standIn: StandInOptions = { secretKeys: [] }): Harness {
  const aws = useMotoSecrets();
  const stand = useTogaiStandIn(standIn);
  return {
    get moto() {
      return aws.moto;
    },
    get secrets() {
      return aws.secrets;
    },
    get togai() {
      return stand.togai;
    },
  };
}
