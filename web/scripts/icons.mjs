// Writes the PWA icons in public/icons/: a white shopping bag on the store's
// colour, drawn pixel by pixel and encoded as PNG with node:zlib, so that no
// image tool is needed. Run with `npm run icons`; the PNGs are checked in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const background = [0x1f, 0x4e, 0x5f];
const white = [0xff, 0xff, 0xff];

// bagPixel says whether the point (x, y), in units of the icon's side, lies on
// the bag drawn at the given scale around the centre.
function bagPixel(x, y, scale) {
  const u = (x - 0.5) / scale + 0.5;
  const v = (y - 0.5) / scale + 0.5;
  // Body: a trapezoid from v = 0.38 to 0.85, narrower at the bottom.
  if (v >= 0.38 && v <= 0.85) {
    const inset = 0.2 + ((v - 0.38) / 0.47) * 0.05;
    if (u >= inset && u <= 1 - inset) return true;
  }
  // Handle: a ring of the half above the body.
  const dx = u - 0.5;
  const dy = v - 0.38;
  const r = Math.hypot(dx, dy);
  return dy <= 0 && r >= 0.12 && r <= 0.165;
}

function png(size, scale) {
  const row = size * 3 + 1;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0; // no filter
    for (let x = 0; x < size; x++) {
      const c = bagPixel((x + 0.5) / size, (y + 0.5) / size, scale) ? white : background;
      raw.set(c, y * row + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

const dir = new URL('../public/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('icon-192.png', dir), png(192, 1));
writeFileSync(new URL('icon-512.png', dir), png(512, 1));
// A maskable icon keeps its drawing inside the central 80% safe zone.
writeFileSync(new URL('icon-maskable-512.png', dir), png(512, 0.75));
