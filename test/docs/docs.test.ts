import fs from 'node:fs';
import path from 'node:path';

/**
 * The documentation holds together: every relative link in README.md, deploy/README.md and docs/
 * resolves to a file or folder of the repository, every requirement ID in the index
 * (docs/features/README.md) has exactly one coverage row among the feature pages and the other way
 * round, and the README stays short (issue 15: at most 15,000 bytes).
 */
const ROOT = path.resolve(__dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

const DOCS = [path.join(ROOT, 'README.md'), path.join(ROOT, 'deploy', 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))].filter((f) => fs.existsSync(f));

/** Markdown links and images outside code blocks and code spans: [text](target "title"). */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'));
}

/** "CALL-1 … CALL-4" → CALL-1, CALL-2, CALL-3, CALL-4; "GIFT-4, GIFT-5" → both. */
function expandIds(cell: string): string[] {
  return cell.split(',').flatMap((part) => {
    const range = /^([A-Z]+)-(\d+)\s*(?:…|\.\.\.|–)\s*\1-(\d+)$/.exec(part.trim());
    if (!range) return [part.trim()];
    const ids: string[] = [];
    for (let n = Number(range[2]); n <= Number(range[3]); n++) ids.push(`${range[1]}-${n}`);
    return ids;
  });
}

describe('documentation', () => {
  it('finds the documents', () => {
    expect(DOCS.length).toBeGreaterThan(10);
  });

  it.each(DOCS.map((f) => [path.relative(ROOT, f), f]))('%s: every relative link resolves', (_name, file) => {
    const broken = relativeLinks(fs.readFileSync(file, 'utf8')).filter((target) => {
      const local = decodeURI(target.split('#')[0]);
      const resolved = path.resolve(path.dirname(file), local);
      return !resolved.startsWith(ROOT) || !fs.existsSync(resolved);
    });
    expect({ brokenLinks: broken }).toEqual({ brokenLinks: [] });
  });

  it('README.md is at most 15,000 bytes', () => {
    expect(fs.statSync(path.join(ROOT, 'README.md')).size).toBeLessThanOrEqual(15_000);
  });

  it('each requirement ID in the index has exactly one coverage row, on the page the index names', () => {
    const dir = path.join(ROOT, 'docs', 'features');
    const index = new Map<string, string>();
    for (const line of fs.readFileSync(path.join(dir, 'README.md'), 'utf8').split('\n')) {
      const m = /^\| ([A-Z]+-\d+) \| \[[^\]]*\]\(([^)]+)\) \|$/.exec(line);
      if (m) index.set(m[1], m[2]);
    }
    expect(index.size).toBeGreaterThan(40);

    const rows = new Map<string, string[]>();
    for (const page of fs.readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      for (const line of fs.readFileSync(path.join(dir, page), 'utf8').split('\n')) {
        if (!/^\| [A-Z]+-\d/.test(line)) continue;
        for (const id of expandIds(line.split('|')[1])) rows.set(id, [...(rows.get(id) ?? []), page]);
      }
    }
    const problems: string[] = [];
    for (const [id, page] of index) {
      const found = rows.get(id) ?? [];
      if (found.length !== 1) problems.push(`${id}: ${found.length} coverage rows (${found.join(', ') || 'none'})`);
      else if (found[0] !== page) problems.push(`${id}: row in ${found[0]}, index says ${page}`);
    }
    for (const id of rows.keys()) if (!index.has(id)) problems.push(`${id}: has a coverage row but is not in docs/features/README.md`);
    expect(problems).toEqual([]);
  });
});
