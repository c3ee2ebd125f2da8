#!/usr/bin/env node
// n8n's community-package scan, run before the package is published.
//
// @n8n/scan-community-package's CLI takes a package name and analyzePackageByName then needs the
// registry: it checks the version's npm provenance, downloads the source repository that provenance
// names and the published tarball, and runs analyzePackage (ESLint with n8n's rules) on both, the
// source with SOURCE_FILE_PATTERNS and the tarball on its .js files and package.json. Unpublished,
// only the provenance check cannot run (it needs `npm publish --provenance` from CI). This runs the
// scanner's own analyzePackage, unchanged, on both legs: this checkout's n8n-node as the source
// and the tarball `npm pack` makes (or the one given) as the published package.
//
// Usage: node scripts/scan-package.mjs [--tarball <file.tgz> | --unpacked <dir>] [--json]
// Exit code 0 when both legs pass. Run it with NODE_ENV unset: eslint-plugin-n8n-nodes-base treats
// every file as "Test.node.ts" when NODE_ENV is "test".
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { tarball: { type: 'string' }, unpacked: { type: 'string' }, json: { type: 'boolean', default: false } } });

function unpack() {
	if (values.unpacked) return resolve(values.unpacked);
	const work = mkdtempSync(join(tmpdir(), 'learnhook-n8n-scan-'));
	let tarball = values.tarball && resolve(values.tarball);
	if (!tarball) {
		const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: packageDir, encoding: 'utf8' }));
		tarball = join(work, packed.filename);
	}
	// As the scanner unpacks what it downloads.
	const unpacked = join(work, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	return unpacked;
}

const unpacked = unpack();
const source = await analyzePackage(packageDir, SOURCE_FILE_PATTERNS);
const tarball = await analyzePackage(unpacked, ['**/*.js', 'package.json']);
const passed = source.passed && tarball.passed;
if (values.json) {
	console.log(JSON.stringify({ passed, source, tarball }));
} else {
	for (const [leg, result] of [
		['source (n8n-node)', source],
		[`tarball (${unpacked})`, tarball],
	]) {
		console.log(`${result.passed ? '✅' : '❌'} n8n-nodes-learnhook ${leg}: ${result.passed ? 'passed all checks' : result.message}`);
		if (result.details) console.log(result.details);
	}
	console.log('Provenance: checked by n8n once the package is published with npm provenance.');
}
process.exitCode = passed ? 0 : 1;
