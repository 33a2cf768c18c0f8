/**
 * How a user's project is made and what it installs: shared by the pack-and-install test and by
 * the CI step that fills npm's cache before the tests run without network.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The project as `cdktf init` makes it today: its post-init hook installs the newest of each. */
export const CDKTF_INIT_ARGS = [
  "init",
  "--template=typescript",
  "--local",
  "--project-name=billing",
  "--project-description=billing",
  "--enable-crash-reporting=false",
];

/** The bindings of hashicorp/aws 5.x, for the user who stays on that provider. */
export const PROVIDER_AWS_5 = "@cdktf/provider-aws@^20.1.0";

/** Flags of every install the test makes: from the cache first, no audit or funding calls. */
export const INSTALL_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

/** The same as environment, for the installs `cdktf init` runs itself. */
export const INSTALL_ENV: Record<string, string> = {
  npm_config_prefer_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_loglevel: "error",
  npm_config_update_notifier: "false",
  CHECKPOINT_DISABLE: "1",
};

/**
 * The commands of the README's Install section (its first ```sh block), word by word, as a
 * user types them: the test runs exactly these.
 */
export function readmeInstallCommands(readmePath = join(__dirname, "..", "..", "README.md")) {
  const readme = readFileSync(readmePath, "utf8");
  const section = readme.slice(readme.indexOf("\n## Install\n"));
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section);
  if (!block) throw new Error("README.md has no ```sh block in its Install section");
  return block[1]
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}
