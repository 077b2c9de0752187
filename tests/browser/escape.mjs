// tests/browser/escape.mjs: every page and JSON of URL ... as chromium gets
// them. Exit 0 when every check holds, else 1 with the reason on stderr.
//
//   node escape.mjs [--name NAME] [--dump DIR] [--text T ...] URL ...
//	each HTML page runs its own script only: no dialog, no page error, no
//	window.qgtmPwned (what the test's hostile strings would set), no
//	element but the page's own (no img, iframe, second script,
//	javascript: link, no on* attribute); each T shows, as text, on one
//	of the pages (every row opened). With --dump, every response body
//	and every page's final DOM and text go into DIR, for the caller to
//	grep. Screenshots NAME-0.png, NAME-1.png ... (NAME: escape).
import fs from 'node:fs';
import path from 'node:path';
import { args, check, firstPage, run, shot } from './lib.mjs';

// What a page holds that a hostile string could have made.
function intrusions(page) {
	return page.evaluate(() => {
		const bad = [];
		if (window.qgtmPwned !== undefined)
			bad.push(`window.qgtmPwned = ${window.qgtmPwned}`);
		const scripts = document.querySelectorAll('script');
		if (scripts.length > 1)
			bad.push(`${scripts.length} scripts`);
		for (const e of document.querySelectorAll(
		    'img,iframe,object,embed,meta[http-equiv],[href^="javascript:" i]'))
			bad.push(`<${e.localName}>`);
		for (const e of document.querySelectorAll('*'))
			for (const at of e.attributes)
				if (at.name.startsWith('on'))
					bad.push(`<${e.localName} ${at.name}>`);
		return bad;
	});
}

async function inspect(ctx, a) {
	const page = await firstPage(ctx);
	const bodies = [];
	page.on('response', (r) => bodies.push(r));
	let text = '';
	for (const [i, url] of a._.entries()) {
		const resp = await page.goto(url);
		check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
		if (!/html/.test(resp.headers()['content-type'] || ''))
			continue;
		// Let the page poll and act on what it gets; open every row.
		await page.waitForTimeout(1500);
		await page.evaluate(() => document.querySelectorAll('details')
			.forEach((d) => { d.open = true; }));
		const bad = await intrusions(page);
		await shot(page, `${a.name || 'escape'}-${i}`);
		check(bad.length === 0, `${url}: ${bad.join(', ')}`);
		const t = await page.evaluate(() => document.body.innerText);
		text += t;
		if (a.dump) {
			fs.writeFileSync(path.join(a.dump, `page-${i}.html`),
				await page.content());
			fs.writeFileSync(path.join(a.dump, `page-${i}.txt`), t);
		}
	}
	check(ctx.dialogs.length === 0, `a dialog opened: ${ctx.dialogs}`);
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
	for (const t of a.text)
		check(text.includes(t), `"${t}" is not shown as text`);
	if (a.dump)
		for (const [i, r] of bodies.entries()) {
			const body = await r.body().catch(() => Buffer.from(''));
			fs.writeFileSync(path.join(a.dump, `response-${i}`),
				Buffer.concat([Buffer.from(`${r.status()} ${r.url()}\n` +
					JSON.stringify(await r.allHeaders()) + '\n'), body]));
		}
}

const a = args(process.argv.slice(2), ['text']);
if (a._.length === 0) {
	console.error('usage: node escape.mjs [--name NAME] [--dump DIR] ' +
		'[--text T ...] URL ...');
	process.exit(64);
}
if (a.dump)
	fs.mkdirSync(a.dump, { recursive: true });
run(a.name || 'escape', (ctx) => inspect(ctx, a));
