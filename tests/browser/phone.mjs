// tests/browser/phone.mjs: the phone page (index.html) in a 360x640
// chromium, as an operator sees it. Exit 0 when every check holds, else 1
// with the reason on stderr and a screenshot NAME-failed.png.
//
//   node phone.mjs numbers URL
//	the verdict "All OK" on top and the five numbers with their plain
//	labels, as the status JSON has them, in their colours, all inside
//	360x640 (no scrolling); and the numbers visible from the first
//	response, before any poll of the API has answered.
//   node phone.mjs watch URL --name NAME --then CMD --expect STATE ...
//	    --within SECONDS
//	the page first shows the numbers; CMD runs (sh -c); then each STATE
//	(warn, hb-yellow, hb-red, lost) must show, in order, within SECONDS
//	of CMD's start. Prints "STATE after N.Ns" for each.
//   node phone.mjs flatten URL
//	FLATTEN ALL opens a dialog that asks "Sell all N positions and stop
//	new trading?"; Confirm POSTs once to the API, the page shows the
//	progress, then the verified result "Flat: 0 positions, 0 open
//	orders", then no open positions and the FLATTEN tier.
//   node phone.mjs cancel URL
//	FLATTEN ALL, then Cancel: the dialog closes, nothing is sent, the
//	positions stay as they were.
import { execFileSync } from 'node:child_process';
import { args, check, colour, fail, firstPage, run, shot, style } from
	'./lib.mjs';

const labels = ['Account value', "Today's gain or loss", 'Safety switch',
	'Open positions', 'Last check-in'];
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
			const cs = getComputedStyle(e);
			return { text: e.textContent, colour: cs.color,
				box: box(e), shown: e.offsetParent !== null &&
					cs.visibility === 'visible' };
		};
		const x = document.getElementById('x');
		const out = { lost: x.offsetParent !== null, lostText: x.textContent,
			lostColour: getComputedStyle(x).color,
			labels: [...document.querySelectorAll('dt')].map((d) =>
				d.textContent),
			scroll: { w: document.documentElement.scrollWidth,
				h: document.documentElement.scrollHeight },
			button: item('f'), dialog: document.getElementById('fd').open,
			question: document.getElementById('fq').textContent,
			outcome: document.getElementById('o').textContent };
		for (const id of [...ids, 'tt', 'tm', 'v'])
			out[id] = item(id);
		return out;
	}, numberIds);
}

// The states a watch waits for: each a test of a view.
const states = {
	numbers: (v) => !v.lost && v.h.colour === colour.green &&
		v.v.text === 'All OK',
	// The tier's code and meaning in yellow, and the verdict says why.
	warn: (v) => !v.lost && v.t.text === 'WARN' && v.tm.text === 'Warning' &&
		v.t.colour === colour.yellow &&
		/^Needs attention: Safety switch at WARN: .+/.test(v.v.text) &&
		v.v.colour === colour.red,
	'hb-yellow': (v) => !v.lost && v.h.colour === colour.yellow &&
		/^Needs attention: System last checked in \d+ s ago$/.test(v.v.text),
	'hb-red': (v) => !v.lost && v.h.colour === colour.red &&
		/^System checked in \d+ min ago$/.test(v.h.text),
	// CONNECTION LOST in red, and never a stale number (or verdict)
	// beside it.
	lost: (v) => v.lost && v.lostText === 'CONNECTION LOST' &&
		v.lostColour === colour.red &&
		[...numberIds, 'v'].every((id) => !v[id].shown),
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
	for (const id of [...numberIds, 'v'])
		o[id] = `${v[id].text} (${v[id].colour})`;
	return o;
}

// The page as its first response paints it: every poll of the API held
// back, the numbers must show from the HTML alone, as fresh as the page.
async function firstPaint(ctx, url) {
	const page = await ctx.newPage();
	let release;
	const held = new Promise((r) => { release = r; });
	await page.route(/\/api\/v1\/status$/, async (route) => {
		await held;
		await route.continue().catch(() => {});
	});
	const resp = await page.goto(url);
	check(resp && resp.ok(), `GET ${url}: ${resp && resp.status()}`);
	const v = await view(page);
	await shot(page, 'phone-first-paint');
	check(!v.lost && numberIds.every((id) => v[id].shown) && v.v.shown,
		`before any poll the page hides its numbers: ${JSON.stringify(pick(v))}`);
	check(/^\$[0-9,]+\.\d\d$/.test(v.e.text), `first paint: equity "${v.e.text}"`);
	release();
	await page.close();
}

async function numbers(ctx, url) {
	await firstPaint(ctx, url);
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
	check(v.v.text === 'All OK' && v.v.colour === colour.green &&
		st.verdict === 'All OK', `the verdict is "${v.v.text}" in ` +
		`${v.v.colour}, the status has "${st.verdict}"`);
	check(v.t.text === 'NORMAL' && v.t.colour === colour.green &&
		v.tm.text === 'All normal' && v.tm.colour === colour.green,
		`the safety switch shows ${v.tm.text} (${v.t.text}) in ${v.t.colour}`);
	check(v.tt.text === st.tier_text && v.tt.text.length > 0,
		`the tier's sentence is "${v.tt.text}"`);
	check(/^System checked in \d+ s ago$/.test(v.h.text) &&
		v.h.colour === colour.green,
		`the heartbeat shows "${v.h.text}" in ${v.h.colour}`);
	const asOf = await page.textContent('#a');
	check(/^\d\d:\d\d:\d\d ET$/.test(asOf) && asOf === st.as_of_text,
		`the time "${asOf}" is not New York time marked ET`);
	// No scrolling at 360x640: the page and every number fit the screen.
	check(v.scroll.w <= 360 && v.scroll.h <= 640,
		`the page is ${v.scroll.w}x${v.scroll.h}, more than 360x640`);
	for (const id of [...numberIds, 'tt', 'tm', 'v', 'button']) {
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

// The page opened, every request to the flatten API recorded in posts,
// and FLATTEN ALL tapped: the dialog must ask about the status's count.
async function askFlatten(ctx, url, name) {
	const page = await firstPage(ctx);
	const posts = [];
	page.on('request', (r) => {
		if (r.url().includes('/api/v1/flatten'))
			posts.push(r);
	});
	const st = await open(page, url);
	check(st.positions > 1, `nothing to flatten: ${st.positions} positions`);
	await page.click('#f');
	const v = await view(page);
	const want = `Sell all ${st.positions} positions and stop new trading?`;
	check(v.dialog && v.question === want,
		`FLATTEN ALL: dialog ${v.dialog}, asking "${v.question}", want "${want}"`);
	await shot(page, `${name}-dialog`);
	check(posts.length === 0, `the tap alone sent ${posts.length} requests`);
	return { page, posts, st };
}

async function flatten(ctx, url) {
	const { page, posts } = await askFlatten(ctx, url, 'phone-flatten');
	// Every text the outcome line shows, in order: progress, then result.
	await page.evaluate(() => {
		const o = document.getElementById('o');
		window.qgtmOutcomes = [];
		new MutationObserver(() => window.qgtmOutcomes.push(o.textContent))
			.observe(o, { childList: true, characterData: true,
				subtree: true });
	});
	const answered = page.waitForResponse((r) =>
		r.url().endsWith('/api/v1/flatten'));
	await page.click('#fy');
	const resp = await answered;
	const body = await resp.json();
	check(resp.status() === 200 && body.ok === true &&
		body.message === 'Flat: 0 positions, 0 open orders' &&
		body.positions === 0 && body.open_orders === 0,
		`the API answered ${resp.status()} ${JSON.stringify(body)}`);
	check(posts.length === 1 && posts[0].method() === 'POST',
		`${posts.length} requests to the API, want one POST`);
	const sent = JSON.parse(posts[0].postData());
	check(sent.confirm === 'FLATTEN ALL', `sent ${posts[0].postData()}`);
	await page.waitForFunction(() => document.getElementById('o')
		.textContent === 'Flat: 0 positions, 0 open orders');
	const outcomes = await page.evaluate(() => window.qgtmOutcomes);
	check(outcomes[0] === 'Selling everything\u2026',
		`no progress shown: ${JSON.stringify(outcomes)}`);
	check(await style(page, '#o', 'color') === colour.green,
		'the verified result is not in green');
	// The next polls show the account flat and the switch at FLATTEN.
	await page.waitForFunction(() =>
		document.getElementById('p').textContent === '0' &&
		document.getElementById('t').textContent === 'FLATTEN' &&
		document.getElementById('tm').textContent === 'Selling everything' &&
		/^Needs attention: Safety switch at FLATTEN/.test(
			document.getElementById('v').textContent),
		null, { timeout: 15000 });
	await shot(page, 'phone-flatten-done');
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

async function cancel(ctx, url) {
	const { page, posts, st } = await askFlatten(ctx, url, 'phone-cancel');
	await page.click('#fc');
	let v = await view(page);
	check(!v.dialog && v.outcome === '', `after Cancel: dialog ${v.dialog}, ` +
		`outcome "${v.outcome}"`);
	// Two polls later: nothing sent, the positions as they were.
	await page.waitForTimeout(11000);
	v = await view(page);
	check(posts.length === 0, `Cancel sent ${posts.length} requests`);
	check(v.p.text === String(st.positions) && v.t.text === st.tier,
		`after Cancel: ${v.p.text} positions at ${v.t.text}, were ` +
		`${st.positions} at ${st.tier}`);
	await shot(page, 'phone-cancel-done');
	check(ctx.pageErrors.length === 0, `page errors: ${ctx.pageErrors}`);
}

const a = args(process.argv.slice(2), ['expect']);
const [mode, url] = a._;
const modes = { numbers, watch, flatten, cancel };
if (!modes[mode] || !url) {
	console.error('usage: node phone.mjs numbers|watch|flatten|cancel URL ' +
		'[options]');
	process.exit(64);
}
run(a.name || `phone-${mode}`, (ctx) => modes[mode](ctx, url, a));
