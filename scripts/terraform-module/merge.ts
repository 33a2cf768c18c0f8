/**
 * Merges variants of one synthesized stack (the same constructs with different props) into one
 * Terraform configuration: a resource that only some variants have gets a `count`, a value that
 * differs becomes a conditional on the module's variables, and references to counted resources
 * are indexed. Every combination of the variables thus plans exactly what the constructs
 * synthesize for the matching props.
 */
import { isDeepStrictEqual } from "node:util";
import { conditional } from "./hcl";

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is untyped by nature.
export type TfJson = Record<string, any>;

/** One variant: its synthesized JSON and the HCL condition under which it applies. */
export interface Variant {
  readonly json: TfJson;
  /** Ignored for the last variant, which applies when no earlier condition holds. */
  readonly condition: string;
}

const isObject = (v: unknown): v is TfJson =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One value across variants: equal values stay, objects and same-length lists merge inside. */
function mergeValue(values: unknown[], conditions: string[]): unknown {
  if (values.every((v) => isDeepStrictEqual(v, values[0]))) return values[0];
  if (values.every(isObject)) {
    const keys = [...new Set(values.flatMap((v) => Object.keys(v as TfJson)))];
    return Object.fromEntries(
      keys.map((k) => [
        k,
        mergeValue(
          values.map((v) => (v as TfJson)[k]),
          conditions,
        ),
      ]),
    );
  }
  if (values.every((v) => Array.isArray(v) && v.length === (values[0] as unknown[]).length)) {
    return (values[0] as unknown[]).map((_, i) =>
      mergeValue(
        values.map((v) => (v as unknown[])[i]),
        conditions,
      ),
    );
  }
  return conditional(conditions, values);
}

/** A resource or data source across variants; absent ones count 0. */
function mergeBlock(bodies: Array<TfJson | undefined>, conditions: string[]): TfJson {
  const present = bodies.flatMap((b, i) => (b ? [{ body: b, condition: conditions[i] }] : []));
  const {
    count: _count,
    depends_on: _deps,
    ...merged
  } = mergeValue(
    present.map((p) => p.body),
    present.map((p) => p.condition),
  ) as TfJson;
  const count = mergeValue(
    bodies.map((b) => (b ? (b.count ?? 1) : 0)),
    conditions,
  );
  const dependsOn = [...new Set(present.flatMap((p) => p.body.depends_on ?? []))];
  return {
    ...(count === 1 ? {} : { count }),
    ...merged,
    ...(dependsOn.length ? { depends_on: dependsOn } : {}),
  };
}

/** Resources (or data sources) of every variant, by type and name. */
function mergeBlocks(sections: Array<TfJson | undefined>, conditions: string[]): TfJson {
  const result: TfJson = {};
  const types = [...new Set(sections.flatMap((s) => Object.keys(s ?? {})))].sort();
  for (const type of types) {
    const names = [...new Set(sections.flatMap((s) => Object.keys(s?.[type] ?? {})))].sort();
    result[type] = Object.fromEntries(
      names.map((name) => [
        name,
        mergeBlock(
          sections.map((s) => s?.[type]?.[name]),
          conditions,
        ),
      ]),
    );
  }
  return result;
}

/** Merges the variants (already merged variants may be merged again, one dimension at a time). */
export function mergeVariants(variants: Variant[]): TfJson {
  if (variants.length === 1) return variants[0].json;
  const conditions = variants.map((v) => v.condition);
  const docs = variants.map((v) => v.json);
  const sections = [...new Set(docs.flatMap((d) => Object.keys(d)))];
  const result: TfJson = {};
  for (const section of sections) {
    const parts = docs.map((d) => d[section]);
    result[section] =
      section === "resource" || section === "data"
        ? mergeBlocks(parts, conditions)
        : mergeValue(parts, conditions);
  }
  return result;
}

/** Rewrites references to resources that have `count` into references to their one instance. */
export function indexCountedReferences(json: TfJson): TfJson {
  const counted: string[] = [];
  for (const [prefix, section] of [
    ["", json.resource],
    ["data.", json.data],
  ] as const) {
    for (const [type, blocks] of Object.entries((section ?? {}) as TfJson)) {
      for (const [name, body] of Object.entries(blocks as TfJson)) {
        if ((body as TfJson).count !== undefined) counted.push(`${prefix}${type}.${name}`);
      }
    }
  }
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const patterns = counted.map(
    (address) =>
      [
        new RegExp(`(?<![\\w.])${escapeRegExp(address)}(?![\\w\\[])`, "g"),
        `${address}[0]`,
      ] as const,
  );
  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === "string") {
      return patterns.reduce((s, [re, to]) => s.replace(re, to), value);
    }
    if (Array.isArray(value)) return key === "depends_on" ? value : value.map((v) => rewrite(v));
    if (isObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, k)]));
    }
    return value;
  };
  return rewrite(json) as TfJson;
}
