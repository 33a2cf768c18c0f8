/**
 * The README link check itself (the packed README is checked in pack-install.e2e.test.ts): it
 * catches each kind of dead link, and passes the links that resolve.
 */
import { deadLinks, headingAnchors, REPOSITORY_URL, readmeLinks } from "./readme-links";

const README = `# Tool

Contributors ([Contributing](#contributing)).

\`\`\`sh
see [not a link](nowhere.md)
\`\`\`

## Install and \`use\` it

[ok shipped](LICENSE) [dead relative](examples/basic/main.ts) [bad anchor](#nowhere)
[ok repo](${REPOSITORY_URL}/blob/main/examples/basic/main.ts) [ok folder](${REPOSITORY_URL}/tree/main/examples)
[dead repo](${REPOSITORY_URL}/blob/main/GONE.md) [ok anchor](#install-and-use-it) \`[code](x.md)\`
[plain http](http://example.com) [ok external](https://example.com)

## Contributing
`;

test("reads links outside code, and GitHub's heading anchors", () => {
  expect(readmeLinks(README).map((l) => l.target)).toEqual([
    "#contributing",
    "LICENSE",
    "examples/basic/main.ts",
    "#nowhere",
    `${REPOSITORY_URL}/blob/main/examples/basic/main.ts`,
    `${REPOSITORY_URL}/tree/main/examples`,
    `${REPOSITORY_URL}/blob/main/GONE.md`,
    "#install-and-use-it",
    "http://example.com",
    "https://example.com",
  ]);
  expect([...headingAnchors(README)]).toEqual(["tool", "install-and-use-it", "contributing"]);
});

test("names every dead link and why, and nothing else", () => {
  const problems = deadLinks(README, ["LICENSE", "README.md"], ["examples/basic/main.ts"]);
  expect(problems).toEqual([
    `line 11: examples/basic/main.ts: the package does not ship examples/basic/main.ts: link to ${REPOSITORY_URL}/blob/main/examples/basic/main.ts`,
    "line 11: #nowhere: no heading has this anchor",
    `line 13: ${REPOSITORY_URL}/blob/main/GONE.md: the repository has no such file`,
    "line 14: http://example.com: links elsewhere must use https",
  ]);
});
