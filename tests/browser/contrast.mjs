// tests/browser/contrast.mjs PAGE.html: the contrast of every colour of
// a rendered page's shared palette (lib/report/page.c css_base) on its
// scheme's background, light (the :root rule) and dark (the :root.dark
// rule), which also holds the palette of prefers-color-scheme: dark.
// Prints "scheme var colour on background ratio" a line; exits 1 when a
// ratio is below WCAG 2.1 AA for normal text (1.4.3: 4.5:1), or when the
// dark rule and the media query's differ.
//
// The formulas are WCAG 2.1's definitions of relative luminance and
// contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance,
// #dfn-contrast-ratio): sRGB channels linearised with the 0.03928 knee,
// L = 0.2126 R + 0.7152 G + 0.0722 B, ratio (L1 + 0.05) / (L2 + 0.05).
import fs from 'node:fs';

const AA = 4.5;

function channels(hex) {
	let h = hex.replace('#', '');
	if (h.length === 3)
		h = [...h].map((c) => c + c).join('');
	return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
}

function luminance(hex) {
	const [r, g, b] = channels(hex).map((v) => v <= 0.03928 ? v / 12.92 :
		((v + 0.055) / 1.055) ** 2.4);
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
	const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
	return (x + 0.05) / (y + 0.05);
}

// The custom properties "--name:#hex" of the first rule that opens with
// `open`, as a Map.
function palette(css, open) {
	const at = css.indexOf(open);
	if (at < 0)
		throw new Error(`no rule ${open}`);
	const body = css.slice(at + open.length, css.indexOf('}', at));
	return new Map([...body.matchAll(/(--[a-z]+):(#[0-9a-fA-F]{3,6})/g)]
		.map((m) => [m[1], m[2]]));
}

const file = process.argv[2];
if (!file) {
	console.error('usage: node contrast.mjs PAGE.html');
	process.exit(64);
}
const html = fs.readFileSync(file, 'utf8');
const css = (/<style>([^<]*)<\/style>/.exec(html) || [])[1] || '';
let bad = 0;
const schemes = { light: palette(css, ':root{'),
	dark: palette(css, ':root.dark{') };
const media = palette(css, ':root:not(.light){');
if (JSON.stringify([...media]) !== JSON.stringify([...schemes.dark])) {
	console.error('contrast: the dark media query and :root.dark differ');
	bad++;
}
for (const [scheme, vars] of Object.entries(schemes)) {
	const bg = vars.get('--bg');
	if (!bg || vars.size < 2) {
		console.error(`contrast: no ${scheme} palette in ${file}`);
		bad++;
		continue;
	}
	for (const [name, c] of vars) {
		if (name === '--bg')
			continue;
		const r = contrast(c, bg);
		console.log(`${scheme} ${name} ${c} on ${bg} ${r.toFixed(2)}`);
		if (r < AA) {
			console.error(`contrast: ${scheme} ${name} ${c} on ${bg} ` +
				`is ${r.toFixed(2)}:1, under ${AA}:1`);
			bad++;
		}
	}
}
process.exit(bad ? 1 : 0);
