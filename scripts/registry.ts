/**
 * npm run registry [-- --models DIR --out FILE]
 * Writes the Worker's one import table of models (functions/runtime/registry.generated.ts, gitignored) from every
 * folder under models/ that holds a meta.json: its graphs (every *.onnx present, however many conv-grad-<k> and
 * synth-grad-<k> cuts the architecture has), weights.bin, samples.json, robustness.json (the default robustness
 * table, npm run robustness:defaults) and costs.json (per-graph costs, npm run costs). Adding a model is adding a folder;
 * dev, test, deploy (scripts/tool.ts), npm's pretypecheck and the bench scripts run this first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CostsSchema, parseFile, parseMeta, RobustnessSchema, SamplesSchema } from '../model-contract/folder.js';
import { BASE_GRAPHS, LEAN_GRAPHS, modelGraphs } from '../model-contract/graphs.js';
import { MODEL_NAME } from '../model-contract/name.js';
import { fail, isMain, parseCli } from './cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_MODELS = path.join(ROOT, 'models');
export const DEFAULT_OUT = path.join(ROOT, 'functions/runtime/registry.generated.ts');

/** The base graphs (the contract's); a folder must hold those the contract gives its architecture, but for the
 * lean gradient graphs, whose work input-grad does where they are missing. */
export const REQUIRED_GRAPHS = BASE_GRAPHS.filter((g) => !(LEAN_GRAPHS as readonly string[]).includes(g));
const GRAPH = new RegExp(`^(${BASE_GRAPHS.join('|')}|conv-grad-\\d+|synth-grad-\\d+)$`);

export interface RegistryEntry {
  name: string;
  dir: string;
  graphs: string[];
  samples: boolean;
  robustness: boolean;
  costs: boolean;
}

/** The model folders under `root`, checked: a problem names the folder and what would be valid. */
export function scanModels(root: string): RegistryEntry[] {
  if (!fs.existsSync(root)) throw new Error(`models folder ${root} does not exist`);
  const entries: RegistryEntry[] = [];
  for (const name of fs.readdirSync(root).sort()) {
    const dir = path.join(root, name);
    // Hidden folders are the trainer's temporary ones (export.ts writes .<name>.tmp-<pid> then renames).
    if (name.startsWith('.') || !fs.statSync(dir).isDirectory()) continue;
    const metaPath = path.join(dir, 'meta.json');
    if (!fs.existsSync(metaPath)) {
      process.stderr.write(`registry: skipping ${dir}: no meta.json\n`);
      continue;
    }
    if (!MODEL_NAME.test(name))
      throw new Error(
        `${dir}: a model folder's name is its URL name and must match ${MODEL_NAME} (lower case, digits, - _)`,
      );
    const json = (file: string) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as unknown;
      } catch (e) {
        throw new Error(`${path.join(dir, file)} is not JSON: ${(e as Error).message}`);
      }
    };
    // The contract's schemas (model-contract/folder.ts), the same the R2 model store checks meta.json with.
    const meta = parseMeta(json('meta.json'), metaPath);
    if (meta.name !== name)
      throw new Error(`${metaPath} says name "${meta.name}"; the folder's name is the model's name: make them agree`);
    const files = fs.readdirSync(dir);
    const graphs = files
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => f.slice(0, -'.onnx'.length))
      .sort();
    for (const g of graphs) {
      if (!GRAPH.test(g)) throw new Error(`${dir}/${g}.onnx: not a graph the edge knows (${GRAPH})`);
      if (!meta.files[`${g}.onnx`]) throw new Error(`${dir}/${g}.onnx is not listed in meta.json "files"`);
    }
    // The base graphs the contract gives this architecture (no synth-grad without a ReLU map in the prefix);
    // prefix cuts are optional: the edge falls back to the uncut graph (and from the lean graphs to input-grad).
    const bases = new Set(modelGraphs(meta.layers).map((g) => g.base));
    const required = REQUIRED_GRAPHS.filter((g) => bases.has(g));
    const missing = [...required.map((g) => `${g}.onnx`), 'weights.bin'].filter((f) => !files.includes(f));
    if (missing.length) throw new Error(`${dir}: missing ${missing.join(', ')} (npm run train writes them all)`);
    const schemas = { 'samples.json': SamplesSchema, 'costs.json': CostsSchema, 'robustness.json': RobustnessSchema };
    for (const [file, schema] of Object.entries(schemas))
      if (files.includes(file)) parseFile(schema, json(file), path.join(dir, file));
    entries.push({
      name,
      dir,
      graphs,
      samples: files.includes('samples.json'),
      robustness: files.includes('robustness.json'),
      costs: files.includes('costs.json'),
    });
  }
  return entries;
}

/** The TypeScript source of the import table, importing from `outFile`'s folder. */
export function registrySource(entries: RegistryEntry[], outFile: string): string {
  const rel = (f: string) => {
    const r = path.relative(path.dirname(outFile), f).split(path.sep).join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  const imports: string[] = [];
  const rows = entries.map((e, i) => {
    const id = (what: string) => `m${i}_${what.replace(/[^a-z0-9]/gi, '_')}`;
    const imp = (what: string, file: string) => {
      imports.push(`import ${id(what)} from ${JSON.stringify(rel(path.join(e.dir, file)))};`);
      return id(what);
    };
    const meta = imp('meta', 'meta.json');
    const weights = imp('weights', 'weights.bin');
    const samples = e.samples ? imp('samples', 'samples.json') : 'undefined';
    const robustness = e.robustness ? imp('robustness', 'robustness.json') : 'undefined';
    const costs = e.costs ? imp('costs', 'costs.json') : 'undefined';
    const graphs = e.graphs.map((g) => `      ${JSON.stringify(g)}: ${imp(g, `${g}.onnx`)},`);
    return [
      `  ${JSON.stringify(e.name)}: {`,
      `    meta: ${meta},`,
      `    weights: ${weights},`,
      `    samples: ${samples},`,
      `    robustness: ${robustness},`,
      `    costs: ${costs},`,
      `    graphs: {`,
      ...graphs,
      `    },`,
      `  },`,
    ].join('\n');
  });
  return [
    '// Generated by scripts/registry.ts from the model folders (meta.json and the files beside it). Do not edit:',
    '// add or remove a folder under models/ and run npm run registry (npm run dev, test and deploy do it first).',
    ...imports,
    '',
    `export const MODEL_NAMES = ${JSON.stringify(entries.map((e) => e.name))} as const;`,
    '',
    'export const MODELS = {',
    ...rows,
    '};',
    '',
  ].join('\n');
}

/** Writes the table (only when it changed, so watchers do not rebuild for nothing); returns the model names. */
export function writeRegistry(root = DEFAULT_MODELS, outFile = DEFAULT_OUT): string[] {
  const entries = scanModels(root);
  if (!entries.length) throw new Error(`no model folders with a meta.json under ${root}`);
  const src = registrySource(entries, outFile);
  if (!fs.existsSync(outFile) || fs.readFileSync(outFile, 'utf8') !== src) fs.writeFileSync(outFile, src);
  return entries.map((e) => e.name);
}

if (isMain(import.meta.url)) {
  const { values } = parseCli({
    name: 'registry',
    synopsis: '[--models DIR] [--out FILE]',
    about: "Writes the Worker's import table of models from every folder with a meta.json.",
    flags: {
      models: { type: 'string', arg: 'DIR', help: 'the model folders (default: models/)' },
      out: { type: 'string', arg: 'FILE', help: `the table (default: ${path.relative(ROOT, DEFAULT_OUT)})` },
    },
  });
  try {
    const names = writeRegistry(
      values.models ? path.resolve(values.models) : undefined,
      values.out ? path.resolve(values.out) : undefined,
    );
    console.error(`registry: ${names.join(', ')}`);
  } catch (e) {
    fail('registry', e);
  }
}
