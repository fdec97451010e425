// Lists the functions of production code longer than a limit (default 60 lines), longest first;
// exits 1 when there is one. `node scripts/long-functions.mjs [limit]`. Tests, benchmarks and
// test support are not production code.
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ts = require(require.resolve("typescript", { paths: [process.cwd()] }));
const limit = Number(process.argv[2] ?? 60);
const files = execFileSync("git", ["ls-files", "*/src/*.ts", "*/src/*.tsx", "*/src/**/*.ts", "*/src/**/*.tsx"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => file && !/\.test\.tsx?$/.test(file) && !/^(bench|e2e|testing)\//.test(file));

const long = [];
for (const file of new Set(files)) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : "(anonymous)");
      if (end - start + 1 > limit) long.push({ where: `${file}:${start + 1}`, name, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
long.sort((a, b) => b.lines - a.lines);
for (const { where, name, lines } of long) console.log(`${lines}\t${name}\t${where}`);
process.exit(long.length > 0 ? 1 : 0);
