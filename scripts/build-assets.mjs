// Builds app/static from GOV.UK Frontend (npm) with sass: our stylesheet and GOV.UK's scripts.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const staticDir = join(root, "app", "static");

mkdirSync(join(staticDir, "css"), { recursive: true });
mkdirSync(join(staticDir, "js"), { recursive: true });

const result = sass.compile(join(root, "assets", "scss", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "mixed-decls"],
});
writeFileSync(join(staticDir, "css", "app.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(staticDir, "js", "govuk-frontend.min.js"));
// Icons and images the components refer to (not the crown or GOV.UK's font).
cpSync(join(govuk, "assets", "images"), join(staticDir, "govuk", "assets", "images"), { recursive: true });
console.log("Built app/static/css/app.css and app/static/js/govuk-frontend.min.js");
