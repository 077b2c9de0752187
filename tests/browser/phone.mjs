// tests/browser/phone.mjs: the phone page (index.html) in a 360x640
// chromium, as an operator sees it. Exit 0 when every check holds, else 1
// with the reason on stderr and a screenshot NAME-failed.png.
//
//   node phone.mjs numbers URL
//	the five numbers show with their labels, as the status JSON has
//	them, in their colours, all inside 360x640 (no scrolling).
//   node phone.mjs watch URL --name NAME --then CMD --expect STATE ...
//	    --within SECONDS
//	the page first shows the numbers; CMD runs (sh -c); then each STATE
//	(warn, hb-yellow, hb-red, lost) must show, in order, within SECONDS
//	of CMD's start. Prints "STATE after N.Ns" for each.
//   node phone.mjs flatten URL
//	one tap on FLATTEN ALL sends nothing and asks for a second; the second
//	tap POSTs to the API, which answers 200, and the page shows the
//	outcome, then no open positions and the FLATTEN tier.
import { execFileSync } from 'node:child_process';
import { args, check, colour, fail, firstPage, run, shot } from './lib.mjs';

const labels = ['Equity', "Today's Gain/Loss", 'Safety switch',
	'Open positions', 'Last heartbeat'];
const numberIds = ['e', 'g', 't', 'p', 'h'];

// What the operator sees: the lost banner, each number's (and the tier
// sentence's and the button's) text, colour and box, the labels, and the
// page's scroll size.
function view(page) {
	return page.evaluate((ids) => {
		const box = (e) => {
			const r = e.getBoundingClientRect();
			return { x: r.x, y: r.y, w: r.width, h: r.height };
		};
		const item = (id) => {
			const e = document.getElementById(id);
			return { text: e.textContent, colour: getComputedStyle(e).color,
				box: box(e), shown: e.offsetParent !== null };
		};
		const x = document.getElementById('x');
		const out = { lost: x.offsetParent !== null, lostText: x.textContent,
			lostColour: getComputedStyle(x).color,
			labels: [...document.querySelectorAll('dt')].map((d) =>
				d.textContent),
			scroll: { w: document.documentElement.scrollWidth,
				h: document.documentElement.scrollHeight },
			button: item('f') };
		for (const id of [...ids, 'tt'])
			out[id] = item(id);
		return out;
	}, numberIds);
}

// The states a watch waits for: each a test of a view.
const states = {
	numbers: (v) => !v.lost && v.h.colour === colour.green,
	warn: (v) => !v.lost && v.t.text === 'WARN' && v.t.colour === colour.yellow,
	'hb-yellow': (v) => !v.lost && v.h.colour === colour.yellow,
	'hb-red': (v) => !v.lost && v.h.colour === colour.red &&
		/^\d+s ago$/.test(v.h.text),
	// CONNECTION LOST in red, and never a stale number beside it.
	lost: (v) => v.lost && v.lostText === 'CONNECTION LOST' &&
		v.lostColour === colour.red && numberIds.every((id) => !v[id].shown),
};

// The page after its first poll of the status JSON has been applied.
async function open(page, url) {
	const polled = page.waitForResponse((r) =>
		/\/(status\.json|api\/v1\/status)$/.test(r.url()));
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	const json = await (await polled).json();
	await page.waitForTimeout(100);
	return json;
}

// until(page, state, t0, deadline): poll the view until state holds; the
// seconds since t0 then, or fail at deadline (ms) with the last view.
async function until(page, state, t0, deadline) {
	let v;
	for (;;) {
		v = await view(page);
		if (states[state](v))
			return (Date.now() - t0) / 1000;
		if (Date.now() > deadline)
			fail(`${state} not shown within ${(deadline - t0) / 1000} s; ` +
				`the page shows ${JSON.stringify(pick(v))}`);
		await page.waitForTimeout(250);
	}
}

// The part of a view worth printing.
function pick(v) {
	const o = { lost: v.lost };
	for (const id of numberIds)
		o[id] = `${v[id].text} (${v[id].colour})`;
	return o;
}

async function numbers(ctx, url) {
	const page = await firstPage(ctx);
	const st = await open(page, url);
	const v = await view(page);
	await shot(page, 'phone-numbers');
	check(!v.lost, 'the page shows CONNECTION LOST');
	const shown = v.labels.filter((l) => l);
	check(shown.length === labels.length &&
		labels.every((l, i) => shown[i].startsWith(l)),
		`labels ${JSON.stringify(v.labels)}`);
	const want = { e: st.equity_text, g: st.gain_text, t: st.tier,
		p: String(st.positions) };
	for (const [id, text] of Object.entries(want))
		check(v[id].text === text, `#${id} shows "${v[id].text}", the status ` +
			`has "${text}"`);
	check(/^[+-]\$[0-9,]+\.\d\d$/.test(v.g.text), `gain "${v.g.text}"`);
	check(/^\$[0-9,]+\.\d\d$/.test(v.e.text), `equity "${v.e.text}"`);
	const updown = st.gain.startsWith('-') ? colour.red : colour.green;
	check(v.e.colour === updown && v.g.colour === updown,
		`equity and gain in ${v.e.colour} and ${v.g.colour}, want ${updown}`);
	check(v.t.text === 'NORMAL' && v.t.colour === colour.green,
		`the safety switch shows ${v.t.text} in ${v.t.colour}`);
	check(v.tt.text === st.tier_text && v.tt.text.length > 0,
		`the tier's sentence is "${v.tt.text}"`);
	check(/^\d+s ago$/.test(v.h.text) && v.h.colour === colour.green,
		`the heartbeat shows "${v.h.text}" in ${v.h.colour}`);
	// No scrolling at 360x640: the page and every number fit the screen.
	check(v.scroll.w <= 360 && v.scroll.h <= 640,
		`the page is ${v.scroll.w}x${v.scroll.h}, more than 360x640`);
	for (const id of [...numberIds, 'tt', 'button']) {
		const b = v[id].box;
		check(v[id].shown && b.w > 0 && b.x >= 0 && b.y >= 0 &&
			b.x + b.w <= 360 && b.y + b.h <= 640,
			`#${id} is not inside the screen: ${JSON.stringify(b)}`);
	}
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

async function watch(ctx, url, a) {
	check(a.then && a.within && a.expect.length, 'watch needs --then, ' +
		'--expect and --within');
	const name = a.name || 'phone-watch';
	const page = await firstPage(ctx);
	await open(page, url);
	await until(page, 'numbers', Date.now(), Date.now() + 10000);
	await shot(page, `${name}-before`);
	const t0 = Date.now();
	execFileSync('sh', ['-c', a.then], { stdio: 'inherit' });
	const deadline = t0 + Number(a.within) * 1000;
	for (const state of a.expect) {
		check(states[state], `no such state: ${state}`);
		const s = await until(page, state, t0, deadline);
		console.log(`${state} after ${s.toFixed(1)}s`);
		await shot(page, `${name}-${state}`);
	}
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

async function flatten(ctx, url) {
	const page = await firstPage(ctx);
	const posts = [];
	page.on('request', (r) => {
		if (r.url().includes('/api/v1/flatten'))
			posts.push(r);
	});
	const st = await open(page, url);
	check(st.positions > 0, `nothing to flatten: ${st.positions} positions`);
	// One tap asks for a second one and sends nothing; unconfirmed, the
	// button goes back after 5 s.
	await page.click('#f');
	let v = await view(page);
	check(v.button.text === 'TAP AGAIN TO FLATTEN',
		`after one tap the button says "${v.button.text}"`);
	await shot(page, 'phone-flatten-confirm');
	await page.waitForTimeout(5500);
	v = await view(page);
	check(v.button.text === 'FLATTEN ALL' && posts.length === 0,
		`one tap: the button says "${v.button.text}", ${posts.length} POSTs`);
	// Two taps: one POST, 200, the outcome shown.
	await page.click('#f');
	const answered = page.waitForResponse((r) =>
		r.url().endsWith('/api/v1/flatten'));
	await page.click('#f');
	const resp = await answered;
	const body = await resp.json();
	check(resp.status() === 200 && body.ok === true,
		`the API answered ${resp.status()} ${JSON.stringify(body)}`);
	check(posts.length === 1 && posts[0].method() === 'POST',
		`${posts.length} requests to the API, want one POST`);
	const sent = JSON.parse(posts[0].postData());
	check(sent.confirm === 'FLATTEN ALL', `sent ${posts[0].postData()}`);
	await page.waitForFunction((m) =>
		document.getElementById('o').textContent === m, body.message);
	// The next polls show the account flat and the switch at FLATTEN.
	await page.waitForFunction(() =>
		document.getElementById('p').textContent === '0' &&
		document.getElementById('t').textContent === 'FLATTEN',
		null, { timeout: 15000 });
	await shot(page, 'phone-flatten-done');
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

const a = args(process.argv.slice(2), ['expect']);
const [mode, url] = a._;
const modes = { numbers, watch, flatten };
if (!modes[mode] || !url) {
	console.error('usage: node phone.mjs numbers|watch|flatten URL [options]');
	process.exit(64);
}
run(a.name || `phone-${mode}`, (ctx) => modes[mode](ctx, url, a));
