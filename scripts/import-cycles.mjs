#!/usr/bin/env node
// Fails when the modules under src/ import each other in a circle at run time.
// A circle makes what a module sees at load time depend on which file the
// bundler or Jest happened to load first. Imports only of types (`import type`,
// `export type`, or every name marked `type`) are erased by TypeScript and do not
// count.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return sources(path);
    }
    return /\.tsx?$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) {
    return undefined; // a package: outside src/
  }
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) {
      return candidate;
    }
  }
  return undefined;
}

function onlyTypes(clause) {
  if (!clause) {
    return false; // `import './x'` runs x
  }
  if (clause.isTypeOnly) {
    return true;
  }
  const named = ts.isImportClause(clause) ? clause.namedBindings : clause;
  if (ts.isImportClause(clause) && clause.name) {
    return false; // a default import is a value
  }
  if (!named || ts.isNamespaceImport(named) || ts.isNamespaceExport(named)) {
    return false;
  }
  return named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function runtimeImports(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    false,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS
  );
  const out = [];
  for (const st of sf.statements) {
    let spec;
    let typeOnly = false;
    if (ts.isImportDeclaration(st)) {
      spec = st.moduleSpecifier.text;
      typeOnly = onlyTypes(st.importClause);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      spec = st.moduleSpecifier.text;
      typeOnly = st.isTypeOnly || (st.exportClause ? onlyTypes(st.exportClause) : false);
    }
    const target = spec && !typeOnly ? resolveImport(file, spec) : undefined;
    if (target) {
      out.push(target);
    }
  }
  return out;
}

const graph = new Map(sources(root).map((f) => [f, runtimeImports(f)]));
const state = new Map(); // 1: on the current path, 2: done
const path = [];
const circles = [];
function visit(f) {
  state.set(f, 1);
  path.push(f);
  for (const next of graph.get(f) ?? []) {
    if (state.get(next) === 1) {
      circles.push([...path.slice(path.indexOf(next)), next]);
    } else if (!state.has(next)) {
      visit(next);
    }
  }
  path.pop();
  state.set(f, 2);
}
for (const f of graph.keys()) {
  if (!state.has(f)) {
    visit(f);
  }
}
if (circles.length > 0) {
  for (const c of circles) {
    console.error(`import circle: ${c.map((f) => relative(root, f)).join(' → ')}`);
  }
  console.error(
    'Import what a module uses only as a type with `import type`, or move the shared part into its own module.'
  );
  process.exit(1);
}
console.log(`no import circle among ${graph.size} modules in src/`);
