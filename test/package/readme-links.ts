/**
 * Dead links of a README as npm shows it: a relative link must name a file inside the package,
 * a link into this repository on GitHub must name a file (or folder) the repository has, and an
 * in-page anchor must match a heading. Links elsewhere are listed, not fetched (no network).
 */

export const REPOSITORY_URL = "https://github.com/cdktf-togai/cdktf-togai";

export interface ReadmeLink {
  readonly line: number;
  readonly target: string;
}

/** Markdown links and images outside code (fenced blocks and inline code spans). */
export function readmeLinks(markdown: string): ReadmeLink[] {
  const links: ReadmeLink[] = [];
  let fenced = false;
  markdown.split("\n").forEach((text, i) => {
    if (/^\s*(>\s*)?```/.test(text)) fenced = !fenced;
    if (fenced) return;
    const prose = text.replace(/`[^`]*`/g, "``");
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1] });
    }
    for (const m of prose.matchAll(/\bhref="([^"]+)"/g)) links.push({ line: i + 1, target: m[1] });
  });
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const text of markdown.split("\n")) {
    if (/^\s*```/.test(text)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/**
 * What is wrong with each dead link, as "line N: target: why"; empty when every link resolves.
 * `packaged` are the package's file paths, `repository` the repository's.
 */
export function deadLinks(
  markdown: string,
  packaged: readonly string[],
  repository: readonly string[],
): string[] {
  const anchors = headingAnchors(markdown);
  const problems: string[] = [];
  const inRepository = (path: string) =>
    repository.includes(path) ||
    repository.some((f) => f.startsWith(`${path.replace(/\/$/, "")}/`));
  for (const { line, target } of readmeLinks(markdown)) {
    const why = (reason: string) => problems.push(`line ${line}: ${target}: ${reason}`);
    if (target.startsWith("#")) {
      if (!anchors.has(decodeURIComponent(target.slice(1)))) why("no heading has this anchor");
    } else if (target.startsWith(`${REPOSITORY_URL}/`)) {
      const path = /^\/(?:blob|tree)\/main\/([^#?]+)/.exec(target.slice(REPOSITORY_URL.length));
      if (!path) why("a repository link must point into /blob/main/ or /tree/main/");
      else if (!inRepository(decodeURIComponent(path[1]))) why("the repository has no such file");
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      if (!/^(https|mailto):/.test(target)) why("links elsewhere must use https");
    } else {
      const path = target.replace(/^\.\//, "").replace(/[#?].*$/, "");
      if (!packaged.includes(path)) {
        why(`the package does not ship ${path}: link to ${REPOSITORY_URL}/blob/main/${path}`);
      }
    }
  }
  return problems;
}
