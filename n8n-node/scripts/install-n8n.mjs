#!/usr/bin/env node
// Installs a real n8n into a cache folder outside the repo for the end-to-end test.
// npm install with --ignore-scripts (n8n's tree runs many install scripts), then build the one
// native module n8n needs for sqlite from source with the project's Node 24 first on PATH.
// Idempotent: a finished install leaves a marker file and is reused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const N8N_VERSION = '2.40.7';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
export const n8nDir = process.env.LEARNHOOK_N8N_DIR ?? join(cacheRoot, 'learnhook', `n8n-${N8N_VERSION}`);
const marker = join(n8nDir, '.learnhook-installed');

function log(line) {
	console.log(`[install-n8n ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function run(args) {
	const binDir = join(repoRoot, 'node_modules', '.bin');
	execFileSync('npm', args, {
		cwd: n8nDir,
		stdio: 'inherit',
		env: { ...process.env, npm_config_yes: 'true', PATH: `${binDir}:${process.env.PATH ?? ''}` },
	});
}

if (existsSync(marker)) {
	log(`n8n ${N8N_VERSION} already installed in ${n8nDir}`);
} else {
	const start = Date.now();
	mkdirSync(n8nDir, { recursive: true });
	writeFileSync(join(n8nDir, 'package.json'), JSON.stringify({ name: 'learnhook-n8n-cache', private: true }, null, 2));
	log(`installing n8n@${N8N_VERSION} into ${n8nDir} (about 4 minutes, 1.7 GB)`);
	run(['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
	log('building sqlite3 from source with Node 24 (about 80 s)');
	run(['rebuild', 'sqlite3', '--build-from-source']);
	writeFileSync(marker, `${N8N_VERSION}\n`);
	log(`done in ${Math.round((Date.now() - start) / 1000)} s`);
}
