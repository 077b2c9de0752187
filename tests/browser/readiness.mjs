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
	for (const spec of a.row) {
		const m = /^([^=]+)=(PASS|WARN|FAIL)(?::(.*))?$/s.exec(spec);
		check(m, `bad --row ${spec}`);
		const [, id, result, text] = m;
		const row = await rowOf(page, id);
		const summary = row.locator('summary');
		const said = await summary.innerText();
		const badge = summary.locator('b');
		const shown = (await badge.innerText()).trim();
		const c = await badge.evaluate((e) => getComputedStyle(e).color);
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

const a = args(process.argv.slice(2), ['row']);
const [mode, url] = a._;
if (mode === 'dark' && url)
	run('readiness-dark', (ctx) => dark(ctx, url), { colorScheme: 'dark' });
else if (mode === 'rows' && url)
	run(a.name || 'readiness-rows', (ctx) => rows(ctx, url, a),
		{ viewport: { width: 1024, height: 768 } });
else {
	console.error('usage: node readiness.mjs dark|rows URL [options]');
	process.exit(64);
}
