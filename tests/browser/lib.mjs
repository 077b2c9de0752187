// tests/browser/lib.mjs: what every browser script shares: Debian's
// chromium driven by playwright-core (never a downloaded browser), a fresh
// profile per run, screenshots into build/browser-artifacts/, and checks
// that end the script with one line on stderr and exit status 1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = process.env.QGTM_TOP || path.resolve(here, '../..');

// Where screenshots go; kept by CI as test artifacts.
export const artifacts = process.env.QGTM_ARTIFACTS ||
	path.join(top, 'build', 'browser-artifacts');

// The flags of a quiet, offline, sandbox-free (root) headless chromium.
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu',
	'--disable-quic', '--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

// The colours of lib/report/page.c (light scheme), as getComputedStyle gives them.
export const colour = {
	green: 'rgb(10, 125, 44)',
	yellow: 'rgb(140, 106, 0)',
	orange: 'rgb(179, 71, 0)',
	red: 'rgb(192, 57, 43)',
	darkBackground: 'rgb(17, 17, 17)',
	lightBackground: 'rgb(255, 255, 255)',
};

// fail(message): the check failed; the script exits 1.
export class CheckError extends Error {}
export function fail(message) {
	throw new CheckError(message);
}

// check(cond, message): fail unless cond.
export function check(cond, message) {
	if (!cond)
		fail(message);
}

// args(argv): "--name value" pairs into an object; repeated names and the
// names in `lists` collect arrays; the rest goes to ._ in order.
export function args(argv, lists = []) {
	const out = { _: [] };
	for (const l of lists)
		out[l] = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) {
			out._.push(a);
			continue;
		}
		const name = a.slice(2);
		const value = argv[++i];
		if (Array.isArray(out[name]))
			out[name].push(value);
		else
			out[name] = value;
	}
	return out;
}

// launch(options): a browser context on a fresh profile, 360x640 unless
// told; QGTM_HTTP_USER and QGTM_HTTP_PASSWORD, when set, answer the
// server's HTTP Basic login; QGTM_HTTP_TOKEN, when set, goes with every
// request as "Authorization: Bearer" (a token client, no login block). Every dialog (an alert() that an injected
// script would raise) is recorded in ctx.dialogs and dismissed; page errors
// go to ctx.pageErrors. close() ends the browser and removes the profile.
export async function launch(options = {}) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qgtm-chromium-'));
	const user = process.env.QGTM_HTTP_USER;
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.QGTM_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: chromiumArgs,
		viewport: { width: 360, height: 640 },
		httpCredentials: user ? { username: user,
			password: process.env.QGTM_HTTP_PASSWORD || '' } : undefined,
		extraHTTPHeaders: process.env.QGTM_HTTP_TOKEN ? { Authorization:
			`Bearer ${process.env.QGTM_HTTP_TOKEN}` } : undefined,
		...options,
	});
	ctx.dialogs = [];
	ctx.pageErrors = [];
	const watch = (page) => {
		page.on('dialog', (d) => {
			ctx.dialogs.push(`${d.type()}: ${d.message()}`);
			d.dismiss().catch(() => {});
		});
		page.on('pageerror', (e) => ctx.pageErrors.push(String(e)));
	};
	ctx.pages().forEach(watch);
	ctx.on('page', watch);
	ctx.closeAll = async () => {
		await ctx.close();
		fs.rmSync(profile, { recursive: true, force: true });
	};
	return ctx;
}

// firstPage(ctx): the context's page (a persistent context opens one).
export async function firstPage(ctx) {
	return ctx.pages()[0] || await ctx.newPage();
}

// shot(page, name): a full-page screenshot build/browser-artifacts/NAME.png.
export async function shot(page, name) {
	fs.mkdirSync(artifacts, { recursive: true });
	const file = path.join(artifacts, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// run(name, body): run body(ctx) in a fresh browser; on a failed check or
// any error, a screenshot NAME-failed.png, the reason on stderr, exit 1.
export async function run(name, body, options = {}) {
	let ctx, code = 0;
	try {
		ctx = await launch(options);
		await body(ctx);
	} catch (e) {
		code = 1;
		const page = ctx && ctx.pages()[0];
		if (page)
			await shot(page, `${name}-failed`).catch(() => {});
		console.error(`${name}: ${e instanceof CheckError ? e.message :
			e.stack || e}`);
	} finally {
		if (ctx)
			await ctx.closeAll().catch(() => {});
	}
	process.exit(code);
}

// style(page, selector, property): the computed value of property on the
// first element that matches selector, or null when there is none.
export function style(page, selector, property) {
	return page.evaluate(([s, p]) => {
		const e = document.querySelector(s);
		return e ? getComputedStyle(e)[p] : null;
	}, [selector, property]);
}
