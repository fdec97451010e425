import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pages = [
  "README.md",
  "CONTRIBUTING.md",
  "CHANGELOG.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor of a heading: lowercase, punctuation but `-` and `_` dropped, spaces as `-`. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replaceAll(" ", "-");

function anchorsOf(page: string): Set<string> {
  const text = readFileSync(join(root, page), "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

/** Every relative link of a page (outside code): its target file and anchor. */
function linksOf(page: string): { target: string; anchor?: string }[] {
  const text = readFileSync(join(root, page), "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((link) => !/^[a-z]+:/.test(link))
    .map((link) => {
      const [path = "", anchor] = link.split("#");
      const target = path === "" ? page : relative(root, join(root, dirname(page), path));
      return anchor === undefined ? { target } : { target, anchor };
    });
}

describe("the docs' links", () => {
  it.each(pages)("%s links only to files and headings that exist", (page) => {
    const broken = linksOf(page).filter(
      ({ target, anchor }) => !existsSync(join(root, target)) || (anchor !== undefined && target.endsWith(".md") && !anchorsOf(target).has(anchor)),
    );
    expect(broken).toEqual([]);
  });

  it("reaches every page under docs/ from the README", () => {
    const linked = new Set(linksOf("README.md").map(({ target }) => target));
    expect(pages.filter((page) => page.startsWith("docs/") && !linked.has(page))).toEqual([]);
  });
});
