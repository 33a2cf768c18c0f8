/**
 * Walks what an entry point exports (classes, interfaces, functions) through every public member,
 * constructor parameter, prop, return type and type argument, and lists each named type declared
 * in the project that a user can reach that way but cannot import from that entry point.
 */
import { resolve } from "node:path";
import ts from "typescript";

export interface UnexportedType {
  /** The type a user meets but cannot name. */
  readonly name: string;
  /** Where the user meets it, e.g. `TogaiTokenRotationProps.alerts`. */
  readonly usedBy: string;
}

/** Compiles `entryFiles` and reports, per entry, the reachable project types it does not export. */
export function findUnexportedTypes(
  entryFiles: readonly string[],
  projectDir: string,
): Map<string, UnexportedType[]> {
  const program = ts.createProgram([...entryFiles], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const report = new Map<string, UnexportedType[]>();
  for (const entry of entryFiles) {
    const source = program.getSourceFile(entry);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`cannot load the entry point ${entry}`);
    report.set(entry, walkEntry(checker, moduleSymbol, resolve(projectDir)));
  }
  return report;
}

function walkEntry(
  checker: ts.TypeChecker,
  moduleSymbol: ts.Symbol,
  projectDir: string,
): UnexportedType[] {
  const exported = new Set<ts.Symbol>();
  const exportedSymbols = checker.getExportsOfModule(moduleSymbol).map((s) => resolveAlias(s));
  for (const symbol of exportedSymbols) exported.add(symbol);
  const missing = new Map<string, UnexportedType>();
  const seenTypes = new Set<ts.Type>();

  const isProjectDeclared = (symbol: ts.Symbol): boolean =>
    (symbol.declarations ?? []).some((d) => {
      const file = resolve(d.getSourceFile().fileName);
      return file.startsWith(projectDir) && !file.includes("node_modules");
    });

  const visitType = (type: ts.Type, usedBy: string): void => {
    if (seenTypes.has(type)) return;
    seenTypes.add(type);
    if (type.isUnionOrIntersection()) {
      for (const part of type.types) visitType(part, usedBy);
      return;
    }
    const named = nameableSymbol(type);
    if (named && isProjectDeclared(named)) {
      if (!exported.has(resolveAlias(named)) && !missing.has(named.name)) {
        missing.set(named.name, { name: named.name, usedBy });
      }
    }
    for (const argument of type.aliasTypeArguments ?? []) visitType(argument, usedBy);
    if (isTypeReference(type)) {
      for (const argument of checker.getTypeArguments(type)) visitType(argument, usedBy);
    }
    // Only the project's own types (and anonymous literals) are walked into: a user meets their
    // members; a library type's members are that library's business.
    if (named && !isProjectDeclared(named)) return;
    const owner = named ? named.name : usedBy;
    visitMembers(type, owner);
  };

  const visitSignature = (signature: ts.Signature, usedBy: string): void => {
    for (const parameter of signature.getParameters()) {
      const declaration = parameter.valueDeclaration;
      if (declaration) {
        visitType(
          checker.getTypeOfSymbolAtLocation(parameter, declaration),
          `${usedBy}(${parameter.name})`,
        );
      }
    }
    visitType(signature.getReturnType(), `${usedBy}()`);
  };

  const visitMembers = (type: ts.Type, owner: string): void => {
    for (const property of checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (!declaration || isHidden(declaration)) continue;
      visitType(
        checker.getTypeOfSymbolAtLocation(property, declaration),
        `${owner}.${property.name}`,
      );
    }
    for (const signature of type.getCallSignatures()) visitSignature(signature, owner);
    for (const base of type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : []) {
      visitType(base, `${owner} (base)`);
    }
  };

  for (const symbol of exportedSymbols) {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration) continue;
    if (symbol.flags & ts.SymbolFlags.Class) {
      const staticSide = checker.getTypeOfSymbolAtLocation(symbol, declaration);
      for (const signature of staticSide.getConstructSignatures()) {
        visitSignature(signature, `new ${symbol.name}`);
      }
      visitMembers(staticSide, symbol.name);
      visitType(checker.getDeclaredTypeOfSymbol(symbol), symbol.name);
    } else if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
      visitType(checker.getDeclaredTypeOfSymbol(symbol), symbol.name);
    } else {
      visitType(checker.getTypeOfSymbolAtLocation(symbol, declaration), symbol.name);
    }
  }
  return [...missing.values()];

  function resolveAlias(symbol: ts.Symbol): ts.Symbol {
    return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  }
}

const NAMEABLE =
  ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum;

/** The symbol a user would write in a type annotation (not a method's or literal's own symbol). */
function nameableSymbol(type: ts.Type): ts.Symbol | undefined {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  return symbol && symbol.flags & NAMEABLE ? symbol : undefined;
}

function isHidden(declaration: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
  // `#private` fields and members tagged @internal are not part of what a user sees.
  if (
    ts.isPrivateIdentifier(
      (declaration as ts.NamedDeclaration).name ?? ts.factory.createIdentifier("x"),
    )
  )
    return true;
  return ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === "internal");
}

function isTypeReference(type: ts.Type): type is ts.TypeReference {
  return (
    (type.flags & ts.TypeFlags.Object) !== 0 &&
    ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) !== 0
  );
}
