// bench/pages.mjs BASE [RUNS]: the operator pages served at BASE, loaded
// in chromium (tests/browser/lib.mjs) with the network emulated through
// CDP (Network.emulateNetworkConditions) at Lighthouse's slow 4G, the
// values its DevTools throttling applies (Lighthouse core/config/
// constants.js, throttling.mobileSlow4G, devtools: 150 ms RTT x 3.75 =
// 562.5 ms from each request to its response headers; 1.6 Mbit/s x 0.9
// down, 750 kbit/s x 0.9 up, Lighthouse's kbit being 1024 bits; no CPU
// throttling, as before). Connection set-up is counted: every load is in
// a new browser on a new profile, so no connection, cache or credential
// is warm, and times are from the navigation's start. With
// QGTM_HTTP_USER set the browser logs in (HTTP Basic) and sends the
// login with its first request, as a browser that logged in earlier in
// its session does. Prints one "name value" line a figure for
// bench/pages.sh, the median over RUNS runs (default 5), and for the
// times NAME_min and NAME_max lines:
//   phone_bytes       bytes on the wire for the phone page and all it
//                     fetches (HTML with its CSS and JS, the first status
//                     poll, the favicon), later polls left out
//   external          requests to anything but the loopback, both pages,
//                     the phone page watched for one poll period more
//   phone_numbers_ms  navigation to the five numbers on screen: from the
//                     status inlined in the first response (the page
//                     answered live by qgtm-api), or after the first poll
//                     when the inlined status is stale
//   phone_polled_ms   navigation to the first poll's answer painted
//   phone_fcp_ms      navigation to the first contentful paint
//   readiness_ms      navigation to the readiness page loaded and painted
//   *_warm_ms         the same, loaded again in the same browser: its
//                     connection is set up (the cache stays off)
import { firstPage, launch } from '../tests/browser/lib.mjs';

const base = process.argv[2];
const runs = Number(process.argv[3] || 5);
if (!base) {
	console.error('usage: node bench/pages.mjs BASE [RUNS]');
	process.exit(64);
}

// Lighthouse's throttling.mobileSlow4G as DevTools throttling applies it
// (kbit/s * 1024 / 8 = bytes/s).
const slow4G = { offline: false, latency: 150 * 3.75,
	downloadThroughput: 1.6 * 1024 * 0.9 * 1024 / 8,
	uploadThroughput: 750 * 0.9 * 1024 / 8 };
const loopback = /^(https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/|data:|about:)/;

// A new page with the emulated network, counting its bytes and requests.
async function emulated(ctx) {
	const page = await ctx.newPage();
	const cdp = await ctx.newCDPSession(page);
	const seen = { sizes: new Map(), urls: new Map(), external: [] };
	await cdp.send('Network.enable');
	await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
	await cdp.send('Network.emulateNetworkConditions', slow4G);
	cdp.on('Network.requestWillBeSent', (e) => {
		seen.urls.set(e.requestId, e.request.url);
		if (!loopback.test(e.request.url))
			seen.external.push(e.request.url);
	});
	cdp.on('Network.loadingFinished', (e) => {
		seen.sizes.set(e.requestId, e.encodedDataLength);
	});
	cdp.on('Network.loadingFailed', (e) => seen.sizes.set(e.requestId, 0));
	return { page, seen };
}

const statusUrl = /\/(status\.json|api\/v1\/status)$/;

// The bytes of every request seen but the status polls after the first.
function pageBytes(seen) {
	let sum = 0, polls = 0;
	for (const [id, url] of seen.urls)
		if (!statusUrl.test(url) || polls++ === 0)
			sum += seen.sizes.get(id) || 0;
	return sum;
}

// The page's clock two animation frames from now: after the next paint.
function afterPaint(page) {
	return page.evaluate(() => new Promise((done) =>
		requestAnimationFrame(() => requestAnimationFrame(() =>
			done(performance.now())))));
}

function fcp(page) {
	return page.evaluate(() => {
		const e = performance.getEntriesByName('first-contentful-paint')[0];
		return e ? e.startTime : NaN;
	});
}

// Before the page's own script: note in window.qgtmShown the page's
// clock at the first animation frame with the five numbers on screen
// (the status inlined in the first response shows them; a stale one
// waits for the first poll).
function watchNumbers(page) {
	return page.addInitScript(() => {
		const seen = () => document.body &&
		    !document.body.classList.contains('lost') &&
		    !document.body.classList.contains('wait') &&
		    ['e', 'g', 't', 'p', 'h'].every((id) => {
			const e = document.getElementById(id);
			return e && e.offsetParent !== null && e.textContent !== '';
		    });
		const look = () => {
			if (seen())
				window.qgtmShown = performance.now();
			else
				requestAnimationFrame(look);
		};
		requestAnimationFrame(look);
	});
}

async function phone(ctx) {
	const { page, seen } = await emulated(ctx);
	const polled = page.waitForResponse((r) => statusUrl.test(r.url()));
	await watchNumbers(page);
	await page.goto(`${base}/`);
	await (await polled).finished();
	const confirmed = await afterPaint(page);
	const painted = await page.evaluate(() => window.qgtmShown);
	const shown = await page.evaluate(() =>
		!document.body.classList.contains('lost') &&
		['e', 'g', 't', 'p', 'h'].every((id) =>
			document.getElementById(id).offsetParent !== null &&
			document.getElementById(id).textContent !== ''));
	if (!shown)
		throw new Error('the phone page shows CONNECTION LOST, not the numbers');
	const out = { phone_numbers_ms: painted, phone_polled_ms: confirmed,
		phone_fcp_ms: await fcp(page) };
	// One poll period more: what else the page fetches shows up.
	await page.waitForTimeout(5500);
	out.phone_bytes = pageBytes(seen);
	out.external = seen.external.length;
	if (seen.external.length)
		console.error(`external: ${seen.external.join(' ')}`);
	await page.close();
	return out;
}

async function readiness(ctx) {
	const { page, seen } = await emulated(ctx);
	await page.goto(`${base}/readiness.html`, { waitUntil: 'load' });
	const painted = await afterPaint(page);
	const rows = await page.locator('details').count();
	if (rows === 0)
		throw new Error('the readiness page shows no rows');
	await page.close();
	return { readiness_ms: painted, external: seen.external.length };
}

// The median, least and greatest of xs.
function spread(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return { med: s[Math.floor(s.length / 2)], min: s[0],
		max: s[s.length - 1] };
}

// body(ctx) in a new browser on a new profile: nothing warm.
async function fresh(body) {
	const user = process.env.QGTM_HTTP_USER;
	const ctx = await launch({ viewport: { width: 360, height: 640 },
		httpCredentials: user ? { username: user, password:
			process.env.QGTM_HTTP_PASSWORD || '', send: 'always' } :
			undefined });
	try {
		return await body(ctx);
	} finally {
		await ctx.closeAll();
	}
}

// measure(ctx) twice in one browser: the figures of the first load, then
// those of the second renamed NAME_warm_ms.
function twice(measure) {
	return async (ctx) => {
		const cold = await measure(ctx);
		const warm = {};
		for (const [k, v] of Object.entries(await measure(ctx)))
			if (k.endsWith('_ms'))
				warm[k.replace(/_ms$/, '_warm_ms')] = v;
		return [cold, warm];
	};
}

const all = {};
let code = 0;
try {
	for (let i = 0; i < runs; i++)
		for (const r of [...await fresh(twice(phone)),
			...await fresh(twice(readiness))])
			for (const [k, v] of Object.entries(r))
				(all[k] ||= []).push(v);
	console.log(`phone_bytes ${spread(all.phone_bytes).med}`);
	console.log(`external ${Math.max(...all.external)}`);
	for (const k of ['phone_numbers_ms', 'phone_polled_ms', 'phone_fcp_ms',
		'readiness_ms',
		'phone_numbers_warm_ms', 'phone_fcp_warm_ms',
		'readiness_warm_ms']) {
		const x = spread(all[k]);
		console.log(`${k} ${Math.round(x.med)}\n${k}_min ` +
			`${Math.round(x.min)}\n${k}_max ${Math.round(x.max)}`);
	}
} catch (e) {
	console.error(`pages.mjs: ${e.message}`);
	code = 1;
}
process.exit(code);
