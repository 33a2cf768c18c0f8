/**
 * Regenerates the plain Terraform module in terraform/ from the constructs
 * (`npm run build:terraform-module`, after `npm run build`). `--out-dir DIR` writes elsewhere
 * (the drift test compares a fresh generation with the committed module).
 */
import { join } from "node:path";
import { writeTerraformModule } from "./terraform-module/generate";

const outFlag = process.argv.indexOf("--out-dir");
const outDir = outFlag > 0 ? process.argv[outFlag + 1] : join(__dirname, "..", "terraform");
writeTerraformModule(outDir);
console.log(`Terraform module written to ${outDir}`);
