// tests/browser/axe.mjs: an operator page checked for accessibility in
// chromium: axe-core (node_modules/axe-core, injected into the page as
// it is served) with its default rules (WCAG 2.x A and AA, and best
// practices), and the structure issue 20 asks of each page. Exit 0 when
// there is no violation, else 1 with each on stderr and a screenshot
// NAME-failed.png.
//
//   node axe.mjs URL [--name NAME] [--mode MODE]
//       [--then COMMAND [--until SELECTOR] [--within SECONDS]]
//	loads URL on the phone's 360x640 with prefers-color-scheme light
//	(MODE light, the default) or dark (MODE dark), and waits for the
//	load and the phone page's first poll (no body.wait). MODE toggled:
//	dark, then a click on the readiness page's dark/light toggle (#d)
//	turns it light; toggled-dark: light, turned dark; either checks
//	that the page and the browser's scheme (color-scheme, which links
//	and controls follow) both turned. --then runs COMMAND (sh -c), waits
//	up to SECONDS (default 10) for SELECTOR to match (the state the
//	command brings, e.g. "body.lost"), else 1 s. Then axe runs.
//	Before --then, the load must be clean: no console error, no answer
//	of 400 or more (the favicon included), no page error.
//	Structure: one <main>, an <h1>, a <th> in every <table>, no empty
//	<dt>, a meta description, a <link rel="icon"> that loads.
import { execSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { args, check, firstPage, run, shot } from './lib.mjs';

const axePath = path.join(path.dirname(fileURLToPath(import.meta.url)),
	'node_modules', 'axe-core', 'axe.min.js');

// What goes wrong while the page loads, until stop() is called.
function watchLoad(ctx, page) {
	const seen = { errors: [], stopped: false };
	page.on('console', (m) => {
		if (!seen.stopped && m.type() === 'error')
			seen.errors.push(`console: ${m.text()}`);
	});
	page.on('response', (r) => {
		if (!seen.stopped && r.status() >= 400)
			seen.errors.push(`${r.status()} ${r.url()}`);
	});
	page.on('requestfailed', (r) => {
		if (!seen.stopped)
			seen.errors.push(`failed ${r.url()}: ${r.failure().errorText}`);
	});
	seen.stop = () => {
		seen.stopped = true;
		return [...seen.errors, ...ctx.pageErrors.map((e) =>
			`page error: ${e}`)];
	};
	return seen;
}

// The structure each page must have; a list of what it lacks.
function structure(page) {
	return page.evaluate(() => {
		const out = [];
		const all = (s) => [...document.querySelectorAll(s)];
		if (all('main').length !== 1)
			out.push(`${all('main').length} <main> elements, want 1`);
		if (all('h1').length === 0)
			out.push('no <h1>');
		const bare = all('table').filter((t) => !t.querySelector('th'));
		if (bare.length)
			out.push(`${bare.length} of ${all('table').length} ` +
				'tables have no <th>, the first: ' +
				bare[0].textContent.trim().slice(0, 60));
		all('dt').forEach((d, i) => {
			if (d.textContent.trim() === '')
				out.push(`<dt> ${i + 1} is empty`);
		});
		const desc = document.querySelector('meta[name="description"]');
		if (!desc || desc.content.trim() === '')
			out.push('no meta description');
		if (!document.querySelector('link[rel~="icon"]'))
			out.push('no <link rel="icon">');
		return out;
	});
}

// The page's own scheme and the browser's, after the toggle.
function schemes(page) {
	return page.evaluate(() => {
		const r = document.documentElement;
		return { cls: r.className, scheme: getComputedStyle(r).colorScheme,
			bg: getComputedStyle(document.body).backgroundColor };
	});
}

async function toggle(page) {
	const before = await schemes(page);
	await page.click('#d');
	const after = await schemes(page);
	check(after.bg !== before.bg,
		`the toggle left the background ${after.bg}`);
	const dark = after.cls === 'dark';
	check(after.scheme === (dark ? 'dark' : 'light'),
		`toggled to ${after.cls}, the browser's scheme is "${after.scheme}"`);
}

async function axe(ctx, url, a) {
	const page = await firstPage(ctx);
	const load = watchLoad(ctx, page);
	const resp = await page.goto(url, { waitUntil: 'load' });
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	// The phone page keeps its numbers hidden until its first poll.
	await page.waitForFunction(() =>
		!document.body.classList.contains('wait'));
	const icon = await page.evaluate(async () => {
		const l = document.querySelector('link[rel~="icon"]');
		return l ? (await fetch(l.href)).status : 0;
	});
	if (modes[a.mode].toggle)
		await toggle(page);
	const problems = load.stop();
	if (icon !== 0 && icon !== 200)
		problems.push(`the icon answers ${icon}`);
	if (a.then) {
		execSync(a.then, { stdio: 'inherit', shell: '/bin/sh' });
		if (a.until)
			await page.waitForSelector(a.until, { state: 'attached',
				timeout: Number(a.within || 10) * 1000 });
		else
			await page.waitForTimeout(1000);
	}
	problems.push(...await structure(page));
	await page.addScriptTag({ path: axePath });
	const found = await page.evaluate(async () => {
		const r = await window.axe.run(document,
			{ resultTypes: ['violations'] });
		return r.violations.map((v) => `${v.id} (${v.impact}): ` +
			`${v.help}: ${v.nodes.map((n) => n.target.join(' ') +
				(n.failureSummary ? ` [${n.failureSummary
					.replace(/\s+/g, ' ')}]` : '')).join('; ')}`);
	});
	problems.push(...found.map((v) => `axe ${v}`));
	await shot(page, a.name || 'axe');
	check(problems.length === 0, `${problems.length} violations:\n  ` +
		problems.join('\n  '));
}

// The modes: the system's scheme, and whether the toggle is clicked.
const modes = { light: { scheme: 'light' }, dark: { scheme: 'dark' },
	toggled: { scheme: 'dark', toggle: true },
	'toggled-dark': { scheme: 'light', toggle: true } };

const a = args(process.argv.slice(2));
const url = a._[0];
a.mode ||= 'light';
if (!url || !modes[a.mode]) {
	console.error('usage: node axe.mjs URL [--name NAME] [--mode ' +
		'light|dark|toggled|toggled-dark] [--then COMMAND ' +
		'[--until SELECTOR] [--within SECONDS]]');
	process.exit(64);
}
run(a.name || 'axe', (ctx) => axe(ctx, url, a),
	{ colorScheme: modes[a.mode].scheme });
