/**
 * The shipped type declarations carry no internals: the build's tsconfig strips `@internal`
 * members (TogaiClient.sendPrepared, used only by TogaiEventBuffer), so users cannot call them.
 */
import { join } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");

/** The declarations the build would emit, by file name, with the build's own options. */
function buildDeclarations(): Map<string, string> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.build.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d.messageText) },
  );
  if (!config) throw new Error("tsconfig.build.json cannot be read");
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: { ...config.options, declaration: true, emitDeclarationOnly: true, noEmit: false },
  });
  const out = new Map<string, string>();
  program.emit(undefined, (name, text) => out.set(name, text));
  return out;
}

test("stripInternal is on and no emitted .d.ts mentions sendPrepared", () => {
  const declarations = buildDeclarations();
  const client = [...declarations].find(([name]) => name.endsWith("runtime/client.d.ts"));
  expect(client?.[1]).toContain("class TogaiClient");
  expect(client?.[1]).not.toContain("sendPrepared");
  const leaking = [...declarations].filter(([, text]) => text.includes("sendPrepared"));
  expect(leaking.map(([name]) => name)).toEqual([]);
}, 60_000);
