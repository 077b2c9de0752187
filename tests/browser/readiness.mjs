// tests/browser/readiness.mjs: the Sunday readiness page in chromium.
// Exit 0 when every check holds, else 1 with the reason on stderr and a
// screenshot NAME-failed.png.
//
//   node readiness.mjs dark URL
//	with prefers-color-scheme: dark the page renders dark (computed
//	background and text colours); its toggle turns it light in place.
//   node readiness.mjs rows URL --row ID=RESULT[:TEXT] ... [--name NAME]
//	the checklist row ID (data-row="ID") shows RESULT (PASS, WARN or
//	FAIL) in its colour, with TEXT in its reason; a tap opens its figures
//	in place (same URL, a table shown).
//   node readiness.mjs live URL
//	the page polls api/v1/readiness and redraws its checklist with the
//	same text as the served page: the API is answered with the
//	readiness.json rendered with the page; every row element is new.
//   node readiness.mjs stale URL [--then CMD] [--within S]
//	after CMD (run by sh), within S seconds the headline says "STALE: "
//	in red and no row shows PASS (every badge STALE).
//   node readiness.mjs stale-start URL
//	with the API never answering, the page as first painted already
//	says STALE in red and shows no PASS.
//   node readiness.mjs words URL
//	every <details> opened reads as words: no {, }, ", no snake_case
//	word, no number with more than 4 decimals, no UTC time stamp (times
//	are in ET); each table has headers.
import { execSync } from 'node:child_process';
import { args, check, colour, firstPage, run, shot, style } from './lib.mjs';

const resultColour = { PASS: colour.green, WARN: colour.yellow,
	FAIL: colour.red };

async function dark(ctx, url) {
	const page = await firstPage(ctx);
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	const bg = await style(page, 'body', 'backgroundColor');
	const fg = await style(page, 'body', 'color');
	await shot(page, 'readiness-dark');
	check(bg === colour.darkBackground, `dark mode: background ${bg}`);
	check(fg === 'rgb(238, 238, 238)', `dark mode: text ${fg}`);
	await page.click('#d');
	const light = await style(page, 'body', 'backgroundColor');
	await shot(page, 'readiness-dark-toggled');
	check(light === colour.lightBackground,
		`the toggle leaves the background ${light}`);
	check(page.url() === resp.url(), `the toggle moved to ${page.url()}`);
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

// The row element of id: data-row="id" (lib/report/page.c).
async function rowOf(page, id) {
	const row = page.locator(`[data-row="${id}"]`);
	const n = await row.count();
	check(n === 1, `${n} elements with data-row="${id}"`);
	return row;
}

async function rows(ctx, url, a) {
	const page = await firstPage(ctx);
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	check(a.row.length > 0, 'rows needs --row ID=RESULT[:TEXT]');
	// The rows as the first poll redrew them; each read in one go, so a
	// later redraw cannot slip between a badge's text and its colour.
	await polled(page);
	for (const spec of a.row) {
		const m = /^([^=]+)=(PASS|WARN|FAIL)(?::(.*))?$/s.exec(spec);
		check(m, `bad --row ${spec}`);
		const [, id, result, text] = m;
		const row = await rowOf(page, id);
		const summary = row.locator('summary');
		const [said, shown, c] = await summary.evaluate((e) => [e.innerText,
			e.querySelector('b').innerText.trim(),
			getComputedStyle(e.querySelector('b')).color]);
		check(shown === result && c === resultColour[result],
			`row ${id} shows ${shown} in ${c}, want ${result}: "${said}"`);
		check(!text || said.includes(text),
			`row ${id} says "${said}", without "${text}"`);
		// The figures behind it open in place.
		const table = row.locator('table').first();
		check(!(await table.isVisible()), `row ${id} is open before a tap`);
		await summary.click();
		check(await table.isVisible(), `row ${id}: a tap shows no figures`);
		check(page.url() === resp.url(), `row ${id} moved to ${page.url()}`);
		await shot(page, `${a.name || 'readiness-rows'}-${id}`);
	}
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

// Wait until the page's first poll of the API has answered.
function polled(page) {
	return page.waitForFunction(() => document.getElementById('m')
		.dataset.polled, null, { timeout: 10000 });
}

// The checklist's rows' whole text, hidden figures included, a line each.
function checklistText(page) {
	return page.evaluate(() => [...document.querySelectorAll(
		'#checklist details')].map((d) => d.textContent).join('\n'));
}

// The headline, its colour and the badges of every row.
function staleState(page) {
	return page.evaluate(() => {
		const v = document.getElementById('v');
		return { head: v.textContent, colour: getComputedStyle(v).color,
			badges: [...document.querySelectorAll('details summary b')]
				.map((b) => b.textContent) };
	});
}

// Fail unless the page shows STALE in red and no PASS.
function checkStale(st, what) {
	check(/^STALE: /.test(st.head) && st.colour === colour.red,
		`${what}: the headline says "${st.head}" in ${st.colour}`);
	check(st.badges.length > 0 && st.badges.every((b) => b === 'STALE'),
		`${what}: rows show ${st.badges.join(' ')}`);
}

async function live(ctx, url) {
	const page = await firstPage(ctx);
	const json = await (await ctx.request.get(new URL('readiness.json',
		url).href)).text();
	let answer;
	const held = new Promise((r) => { answer = r; });
	await page.route('**/api/v1/readiness', async (route) => {
		await held;
		await route.fulfill({ contentType: 'application/json',
			body: json });
	});
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	const before = await checklistText(page);
	await page.evaluate(() => document.querySelectorAll('#checklist details')
		.forEach((d) => { d.dataset.old = '1'; }));
	answer();
	await polled(page);
	const after = await checklistText(page);
	const old = await page.locator('[data-old]').count();
	await shot(page, 'readiness-live');
	check(old === 0, `${old} rows were not redrawn`);
	check(after === before, `the redraw reads\n${after}\nnot\n${before}`);
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

async function stale(ctx, url, a) {
	const page = await firstPage(ctx);
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	const st = await staleState(page);
	check(!/^STALE/.test(st.head), `STALE before the test: ${st.head}`);
	const t0 = Date.now();
	if (a.then)
		execSync(a.then, { stdio: 'inherit', shell: '/bin/sh' });
	const within = Number(a.within || 150) * 1000;
	for (;;) {
		const now = await staleState(page);
		if (/^STALE/.test(now.head)) {
			checkStale(now, 'stale');
			break;
		}
		check(Date.now() - t0 < within,
			`not STALE after ${within / 1000} s: "${now.head}"`);
		await page.waitForTimeout(1000);
	}
	console.log(`STALE after ${Math.round((Date.now() - t0) / 1000)} s`);
	await shot(page, a.name || 'readiness-stale');
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

async function staleStart(ctx, url) {
	const page = await firstPage(ctx);
	let polls = 0;
	await page.route('**/api/v1/readiness', () => { polls++; });
	const resp = await page.goto(url, { waitUntil: 'load' });
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	checkStale(await staleState(page), 'served late');
	await shot(page, 'readiness-stale-start');
	check(polls > 0, 'the page did not poll');
}

async function words(ctx, url) {
	const page = await firstPage(ctx);
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	await polled(page);
	const found = await page.evaluate(() => {
		const bad = [];
		for (const d of document.querySelectorAll('details')) {
			d.open = true;
			const t = d.innerText;
			const m = /[{}"]|\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\d\.\d{5,}|\dT\d\d:/
				.exec(t);
			if (m)
				bad.push(`${d.dataset.row || d.id}: "${m[0]}" in ${t}`);
			for (const tb of d.querySelectorAll('table'))
				if (!tb.querySelector('th'))
					bad.push(`${d.dataset.row || d.id}: a table without headers`);
		}
		return bad;
	});
	await shot(page, 'readiness-words');
	check(found.length === 0, found.join('\n'));
}

const a = args(process.argv.slice(2), ['row']);
const [mode, url] = a._;
if (mode === 'dark' && url)
	run('readiness-dark', (ctx) => dark(ctx, url), { colorScheme: 'dark' });
else if (mode === 'rows' && url)
	run(a.name || 'readiness-rows', (ctx) => rows(ctx, url, a),
		{ viewport: { width: 1024, height: 768 } });
else if (mode === 'live' && url)
	run('readiness-live', (ctx) => live(ctx, url));
else if (mode === 'stale' && url)
	run(a.name || 'readiness-stale', (ctx) => stale(ctx, url, a));
else if (mode === 'stale-start' && url)
	run('readiness-stale-start', (ctx) => staleStart(ctx, url));
else if (mode === 'words' && url)
	run('readiness-words', (ctx) => words(ctx, url),
		{ viewport: { width: 1024, height: 768 } });
else {
	console.error('usage: node readiness.mjs dark|rows|live|stale|' +
		'stale-start|words URL [options]');
	process.exit(64);
}
