/**
 * What a user's project installs next to cdktf-togai: shared by the pack-and-install test and by
 * the CI step that fills npm's cache before the tests run without network.
 */

/** As `cdktf init --template=typescript` installs them (constructs@10 is the newest 10.x). */
export const TEMPLATE_DEPENDENCIES = ["cdktf@0.21.0", "constructs@10"];

/** The provider bindings a user adds for AWS: the line that binds hashicorp/aws 5.100.0. */
export const USER_DEPENDENCIES = ["@cdktf/provider-aws@20.1.0"];

/**
 * The template's dev tools that type-check and run main.ts. TypeScript stays on 5.x: 7.x breaks
 * ts-node, which the template's `cdktf.json` app runs.
 */
export const TEMPLATE_DEV_DEPENDENCIES = ["typescript@5.9.3", "ts-node@10.9.2", "@types/node@20"];

/** Flags of every install the test makes: from the cache first, no audit or funding calls. */
export const INSTALL_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
