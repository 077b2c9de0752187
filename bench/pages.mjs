// bench/pages.mjs BASE [RUNS]: the operator pages served at BASE, loaded
// in chromium (tests/browser/lib.mjs) with the network emulated through
// CDP at a phone's worst usual link: 150 ms round trip, 1.6 Mbit/s each
// way (Network.emulateNetworkConditions: latency is the time from request
// to response headers; throughputs are in bytes per second). The cache is
// off and each run is a new page. Prints one "name value" line a figure,
// the medians over RUNS runs (default 5), for bench/pages.sh:
//   phone_bytes       bytes on the wire for the phone page and all it
//                     fetches (HTML with its CSS and JS, the first status
//                     poll, the favicon request), later polls left out
//   external          requests to anything but the loopback, both pages,
//                     the phone page watched for one poll period more
//   phone_numbers_ms  navigation to the five numbers painted as the first
//                     poll confirms them (two animation frames after it)
//   phone_fcp_ms      navigation to the first contentful paint
//   readiness_ms      navigation to the readiness page loaded and painted
import { firstPage, launch } from '../tests/browser/lib.mjs';

const base = process.argv[2];
const runs = Number(process.argv[3] || 5);
if (!base) {
	console.error('usage: node bench/pages.mjs BASE [RUNS]');
	process.exit(64);
}

// 1.6 Mbit/s in bytes per second.
const rate = 1.6e6 / 8;
const loopback = /^(https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/|data:|about:)/;

// A new page with the emulated network, counting its bytes and requests.
async function emulated(ctx) {
	const page = await ctx.newPage();
	const cdp = await ctx.newCDPSession(page);
	const seen = { sizes: new Map(), urls: new Map(), external: [] };
	await cdp.send('Network.enable');
	await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
	await cdp.send('Network.emulateNetworkConditions', { offline: false,
		latency: 150, downloadThroughput: rate, uploadThroughput: rate });
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

async function phone(ctx) {
	const { page, seen } = await emulated(ctx);
	const polled = page.waitForResponse((r) => statusUrl.test(r.url()));
	await page.goto(`${base}/`);
	await (await polled).finished();
	const painted = await afterPaint(page);
	const shown = await page.evaluate(() =>
		!document.body.classList.contains('lost') &&
		['e', 'g', 't', 'p', 'h'].every((id) =>
			document.getElementById(id).offsetParent !== null &&
			document.getElementById(id).textContent !== ''));
	if (!shown)
		throw new Error('the phone page shows CONNECTION LOST, not the numbers');
	const out = { phone_numbers_ms: painted, phone_fcp_ms: await fcp(page) };
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

function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

const ctx = await launch({ viewport: { width: 360, height: 640 } });
const all = {};
let code = 0;
try {
	for (let i = 0; i < runs; i++)
		for (const r of [await phone(ctx), await readiness(ctx)])
			for (const [k, v] of Object.entries(r))
				(all[k] ||= []).push(v);
	for (const k of ['phone_bytes', 'external', 'phone_numbers_ms',
		'phone_fcp_ms', 'readiness_ms'])
		console.log(`${k} ${k === 'external' ? Math.max(...all[k]) :
			Math.round(median(all[k]))}`);
} catch (e) {
	console.error(`pages.mjs: ${e.message}`);
	code = 1;
} finally {
	await ctx.closeAll();
}
process.exit(code);
