// DiceBear renderer for the StyleAlign data builder (org.stylealign.data.DiceBearSource).
// Protocol: one JSON request per line on stdin, one JSON reply per line on stdout, in order.
//   {"op":"render","style":"avataaars","seed":"1:0","options":{...},"parts":true}
//     -> {"svg":"<svg...>","extra":{...},"parts":[{"component":"mouth","cls":"mouth","svg":"<svg...>"},...]}
//   {"op":"schema","style":"avataaars"} -> {"schema":{...},"meta":{...},"parts":{component:cls}}
//   {"op":"version"} -> {"core":"9.4.3","collection":"9.4.3","node":"v20..."}
// Errors are replied as {"error":"..."} so one bad request does not kill the batch.
// Only SVG text is produced here; rasterising happens in Java.
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { createAvatar } from '@dicebear/core';
import * as collection from '@dicebear/collection';

// Part maps: component group -> mask class. "skin" is either a component to hide, or (skinColor) the colour
// that the style's own markup paints the skin with; it is recoloured outside every mapped component.
const PART_MAPS = {
  avataaars: {
    skinColor: 'skin',
    components: {
      clothing: 'clothes', mouth: 'mouth', nose: 'nose', eyes: 'eyes', eyebrows: 'eyebrows',
      top: 'hair', facialHair: 'facial_hair', accessories: 'accessories',
    },
  },
  personas: {
    skinColor: 'skin',
    components: {
      eyes: 'eyes', hair: 'hair', body: 'clothes', mouth: 'mouth', nose: 'nose', facialHair: 'facial_hair',
    },
  },
  micah: {
    components: {
      base: 'skin', mouth: 'mouth', eyebrows: 'eyebrows', hair: 'hair', eyes: 'eyes', glasses: 'accessories',
      nose: 'nose', ears: 'ears', earrings: 'accessories', shirt: 'clothes', facialHair: 'facial_hair',
    },
  },
};

const STYLE_KEYS = {
  'avataaars': 'avataaars', 'personas': 'personas', 'micah': 'micah', 'adventurer': 'adventurer',
  'lorelei': 'lorelei', 'bottts': 'bottts', 'fun-emoji': 'funEmoji', 'shapes': 'shapes',
  'big-smile': 'bigSmile', 'notionists': 'notionists', 'open-peeps': 'openPeeps', 'pixel-art': 'pixelArt',
};

// Hidden state read by the component wrappers while one variant is being generated.
let hidden = null;     // component group to draw as nothing
let marking = false;   // wrap each mapped component in <!--p:NAME--> ... <!--/p:NAME--> comments
const wrapped = new Set();

async function wrapComponents(styleName) {
  const map = PART_MAPS[styleName];
  if (!map || wrapped.has(styleName)) return;
  // Same file URL as the package's own import, so this is the module instance createAvatar uses.
  const url = new URL(`./node_modules/@dicebear/${styleName}/lib/components/index.js`, import.meta.url);
  const groups = await import(url.href);
  for (const [group, cls] of Object.entries(map.components)) {
    const table = groups[group];
    if (!table) throw new Error(`style ${styleName} has no component group ${group}`);
    for (const key of Object.keys(table)) {
      const draw = table[key];
      table[key] = (components, colors) => {
        if (hidden === group) return '';
        const body = draw(components, colors);
        return marking ? `<!--p:${group}-->${body}<!--/p:${group}-->` : body;
      };
    }
  }
  wrapped.add(styleName);
}

function styleOf(name) {
  const key = STYLE_KEYS[name];
  if (!key || !collection[key]) throw new Error(`unknown DiceBear style '${name}'`);
  return collection[key];
}

const MARK = /<!--\/?p:[A-Za-z]+-->/g;

// Replace the skin colour only where no mapped component is open, i.e. in the style's own markup.
function recolorOutside(svg, hex, replacement) {
  const needle = new RegExp(`"${hex}"`, 'gi');
  const re = /<!--(\/?)p:[A-Za-z]+-->/g;
  let out = '';
  let depth = 0;
  let i = 0;
  let m;
  const replaceIn = (s) => (depth === 0 ? s.replace(needle, `"${replacement}"`) : s);
  while ((m = re.exec(svg)) !== null) {
    out += replaceIn(svg.slice(i, m.index));
    depth += m[1] ? -1 : 1;
    i = m.index + m[0].length;
  }
  return out + replaceIn(svg.slice(i));
}

// A colour far from hex in every channel, so every pixel the skin reaches changes.
function farColor(hex) {
  const h = hex.replace('#', '');
  let out = '#';
  for (let c = 0; c < 3; c++) {
    const v = parseInt(h.substr(c * 2, 2), 16);
    out += v > 127 ? '00' : 'ff';
  }
  return out;
}

function render(req) {
  const style = styleOf(req.style);
  const options = { ...(req.options || {}), seed: String(req.seed) };
  const map = PART_MAPS[req.style];
  if (req.parts && !map) throw new Error(`style '${req.style}' has no part map (masks exist for ${Object.keys(PART_MAPS).join(', ')})`);
  marking = !!req.parts;
  hidden = null;
  const full = createAvatar(style, options).toJson();
  marking = false;
  const reply = { svg: full.svg.replace(MARK, ''), extra: full.extra };
  if (req.parts) {
    const parts = [];
    if (map.skinColor) {
      const hex = full.extra[`${map.skinColor}Color`];
      if (typeof hex === 'string' && hex.startsWith('#')) {
        parts.push({ component: `${map.skinColor}Color`, cls: 'skin', pos: 0, svg: recolorOutside(full.svg, hex, farColor(hex)) });
      }
    }
    for (const [group, cls] of Object.entries(map.components)) {
      const pos = full.svg.indexOf(`<!--p:${group}-->`);
      if (pos < 0) continue; // not drawn in this avatar (probability 0 or absent)
      hidden = group;
      const svg = createAvatar(style, options).toString();
      hidden = null;
      parts.push({ component: group, cls, pos, svg });
    }
    // Paint order: a component that starts later in the document is drawn over the ones before it.
    parts.sort((a, b) => a.pos - b.pos);
    reply.parts = parts.map(({ component, cls, svg }) => ({ component, cls, svg }));
  }
  return reply;
}

function schema(req) {
  const style = styleOf(req.style);
  const map = PART_MAPS[req.style];
  return { schema: style.schema.properties, meta: style.meta, parts: map ? map.components : null };
}

function version() {
  const pkg = (p) => JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url))).version;
  return { core: pkg('@dicebear/core'), collection: pkg('@dicebear/collection'), node: process.version };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let reply;
  try {
    const req = JSON.parse(line);
    if (req.op === 'schema') reply = schema(req);
    else if (req.op === 'version') reply = version();
    else {
      await wrapComponents(req.style);
      reply = render(req);
    }
  } catch (e) {
    reply = { error: String(e && e.message ? e.message : e) };
  }
  if (!process.stdout.write(JSON.stringify(reply) + '\n')) {
    await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}
