// Test files made on the fly: PNGs (valid, truncated, a decompression-bomb header), SVGs, CSVs.
import { deflateSync, crc32 } from "node:zlib";

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function header(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr)]);
}

/// A real RGB PNG, every row a different shade.
export function png(width, height) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, y % 256);
    row[0] = 0;
    rows.push(row);
  }
  return Buffer.concat([header(width, height), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

/// A header declaring 100000 × 100000 pixels, with a tiny body.
export function pngBomb() {
  return Buffer.concat([header(100_000, 100_000), chunk("IDAT", deflateSync(Buffer.alloc(64))), chunk("IEND", Buffer.alloc(0))]);
}

export const svgWithText = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><TEXT x="0" y="20">Dept</TEXT></svg>');
export const svgWithScript = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><script>alert(1)</script><path d="M0 0h10v10z"/></svg>');

export function emailCsv(rows) {
  let text = "email address,name\n";
  for (let i = 0; i < rows; i++) text += `person${i}@example.gov.uk,Person ${i}\n`;
  return Buffer.from(text);
}
