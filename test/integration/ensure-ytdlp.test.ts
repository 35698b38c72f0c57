import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// scripts/ensure-ytdlp.sh on a venv from before the default extras were pinned: yt-dlp
// alone, with the stamp of the old requirements file (the state of every machine set up
// before). It must notice and upgrade it in place, from PyPI with pip (the one network
// the tests may use), then leave it alone. It runs on a copy of scripts/ in a scratch
// folder, so the project's own .tools/ytdlp is never touched.

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let scratch: string;

before(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-ensure-ytdlp-'));
  cpSync(path.join(root, 'scripts'), path.join(scratch, 'scripts'), { recursive: true });
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const ensure = () => run(path.join(scratch, 'scripts', 'ensure-ytdlp.sh'), [], { env: { ...process.env, YTDLP_PATH: '' }, timeout: 300_000 });

test('a venv with yt-dlp but without its extras is upgraded in place, then left alone', { timeout: 600_000 }, async () => {
  const venv = path.join(scratch, '.tools', 'ytdlp');
  const python = path.join(venv, 'bin', 'python');
  mkdirSync(path.dirname(venv), { recursive: true });
  await run('python3', ['-m', 'venv', venv]);
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'yt-dlp==2026.10.26'], { timeout: 300_000 });
  // The stamp an install from the old, pin-only requirements file left.
  const old = 'yt-dlp==2026.10.26\n';
  const stamp = path.join(venv, '.installed-requirements');
  writeFileSync(stamp, old);
  await assert.rejects(run(python, ['-c', 'import yt_dlp_ejs']), 'no yt-dlp-ejs before');

  const first = await ensure();
  assert.equal(first.stdout.trim(), path.join(venv, 'bin', 'yt-dlp'));
  assert.match(first.stderr, /Upgrading \.tools\/ytdlp to yt-dlp\[default\]==2026\.10\.26/);
  const { stdout: ejs } = await run(python, ['-c', 'import importlib.metadata as m; print(m.version("yt-dlp-ejs"))']);
  assert.equal(ejs.trim(), '0.8.0');
  assert.equal(readFileSync(stamp, 'utf8'), readFileSync(path.join(scratch, 'scripts', 'ytdlp-requirements.txt'), 'utf8').trimEnd());

  const second = await ensure();
  assert.equal(second.stdout.trim(), path.join(venv, 'bin', 'yt-dlp'));
  assert.equal(second.stderr, '', 'up to date: nothing installed');

  // An extra removed behind the script's back is noticed too, although the stamp matches.
  await run(python, ['-m', 'pip', 'uninstall', '--quiet', '--yes', 'yt-dlp-ejs']);
  const third = await ensure();
  assert.match(third.stderr, /Upgrading/);
  await run(python, ['-c', 'import yt_dlp_ejs']);
});
