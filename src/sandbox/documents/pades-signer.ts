import { createHash, randomBytes } from 'node:crypto';
import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFPage,
  PDFRef,
  PDFString,
  StandardFontEmbedder,
  StandardFonts,
} from 'pdf-lib';
import { CadesSigner, createCadesDetachedSignature } from './cades-detached-signature';
import { toWinAnsiText } from './latin-text';
import { wrapText } from './text-wrap';

export interface VisibleSignaturePlacement {
  /** 1-based. */
  pageNumber: number;
  /** Upper-left corner, in points from the page's top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PadesSigningOptions {
  signingTime: Date;
  signerName: string;
  reason?: string;
  visibleSignature?: VisibleSignaturePlacement;
}

/** Room for the CMS container: a 2048-bit signature and a three-certificate chain take about 4 KiB. */
const SIGNATURE_CONTAINER_BYTES = 16 * 1024;
/** Four integers of up to 10 digits and their separators; padded with spaces so filling it in moves no byte. */
const BYTE_RANGE_WIDTH = 48;
const APPEARANCE_PADDING = 3;
const WIDGET_PRINT_AND_LOCKED = 132;
const SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY = 3;

interface UpdatedObject {
  ref: PDFRef;
  body: Buffer;
}

interface PreviousCrossReference {
  offset: number;
  kind: 'table' | 'stream';
  size: number;
}

/**
 * Signs a PDF the way B-Trust returns it: a PAdES baseline-B signature
 * (ETSI EN 319 142-1, SubFilter ETSI.CAdES.detached) added as an incremental
 * update (ISO 32000-1 7.5.6), so the result starts with exactly the input
 * bytes and earlier signatures stay valid. pdf-lib only parses the input
 * here; its writer would rewrite the whole file.
 */
export async function signPdfWithPades(
  pdf: Buffer,
  signer: CadesSigner,
  options: PadesSigningOptions,
): Promise<Buffer> {
  const original = Buffer.from(pdf);
  const document = await PDFDocument.load(original, { updateMetadata: false, throwOnInvalidObject: true });
  const context = document.context;
  const previous = readPreviousCrossReference(original);
  let nextObjectNumber = Math.max(context.largestObjectNumber + 1, previous.size);
  const allocate = (): PDFRef => PDFRef.of(nextObjectNumber++);

  const pages = document.getPages();
  const placement = options.visibleSignature;
  const pageIndex = placement ? placement.pageNumber - 1 : 0;
  if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex >= pages.length) {
    throw new RangeError(`Page ${pageIndex + 1} does not exist; the document has ${pages.length}`);
  }
  const page = pages[pageIndex];

  const signatureRef = allocate();
  const widgetRef = allocate();
  const appearanceRef = allocate();
  const updated: UpdatedObject[] = [];

  updated.push({ ref: signatureRef, body: signatureDictionary(options) });

  let rectangle = [0, 0, 0, 0];
  if (placement) {
    rectangle = toPdfRectangle(page, placement);
    const fontRef = allocate();
    updated.push({ ref: fontRef, body: latin1('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>') });
    updated.push({ ref: appearanceRef, body: visibleAppearance(placement.width, placement.height, fontRef, options) });
  } else {
    updated.push({ ref: appearanceRef, body: formXObject(0, 0, '', '') });
  }

  const fieldName = uniqueFieldName(context, document.catalog);
  updated.push({
    ref: widgetRef,
    body: latin1(
      `<< /Type /Annot /Subtype /Widget /FT /Sig /T ${PDFString.of(fieldName).toString()} /V ${signatureRef.toString()}` +
        ` /P ${page.ref.toString()} /Rect [${rectangle.map(formatNumber).join(' ')}] /F ${WIDGET_PRINT_AND_LOCKED}` +
        ` /AP << /N ${appearanceRef.toString()} >> >>`,
    ),
  });

  updated.push(...addAnnotationToPage(context, page, widgetRef));
  updated.push(...addFieldToAcroForm(context, document.catalog, context.trailerInfo.Root as PDFRef, widgetRef, allocate));

  const xrefStreamRef = previous.kind === 'stream' ? allocate() : null;
  const prepared = assemble(original, updated, previous, context, nextObjectNumber, xrefStreamRef);
  return fillInSignature(prepared.file, prepared.signatureOffset, signer);
}

/**
 * Reading: B-Trust's signaturePosition gives imageXAxis/imageYAxis as the
 * image's upper-left corner, in points, measured from the page's top-left
 * corner (screen convention). PDF user space has its origin at the
 * lower-left, so the rectangle's lower edge is pageHeight - y - height. The
 * page's visible area (CropBox, else MediaBox) is the reference; /Rotate is
 * not applied because the document says nothing about rotated pages.
 */
export function toPdfRectangle(page: PDFPage, placement: VisibleSignaturePlacement): number[] {
  if (!(placement.width > 0) || !(placement.height > 0)) {
    throw new RangeError('A visible signature needs a positive width and height');
  }
  const box = page.getCropBox();
  const left = box.x + placement.x;
  const bottom = box.y + box.height - placement.y - placement.height;
  return [left, bottom, left + placement.width, bottom + placement.height];
}

function signatureDictionary(options: PadesSigningOptions): Buffer {
  const entries = [
    '/Type /Sig',
    '/Filter /Adobe.PPKLite',
    '/SubFilter /ETSI.CAdES.detached',
    `/ByteRange [${' '.repeat(BYTE_RANGE_WIDTH)}]`,
    `/Contents <${'0'.repeat(SIGNATURE_CONTAINER_BYTES * 2)}>`,
    `/M ${PDFString.fromDate(options.signingTime).toString()}`,
    `/Name ${PDFHexString.fromText(options.signerName).toString()}`,
  ];
  if (options.reason) entries.push(`/Reason ${PDFHexString.fromText(options.reason).toString()}`);
  return latin1(`<< ${entries.join('\n')} >>`);
}

function visibleAppearance(width: number, height: number, fontRef: PDFRef, options: PadesSigningOptions): Buffer {
  // pdf-lib types the embedder's font name with its internal enum; the values are the same strings.
  const font = StandardFontEmbedder.for(StandardFonts.Helvetica as unknown as Parameters<typeof StandardFontEmbedder.for>[0]);
  const paragraphs = [
    `Digitally signed by ${toWinAnsiText(options.signerName)}`,
    `Date: ${options.signingTime.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
  ];
  if (options.reason) paragraphs.push(`Reason: ${toWinAnsiText(options.reason)}`);

  const innerWidth = Math.max(width - 2 * APPEARANCE_PADDING, 1);
  const innerHeight = Math.max(height - 2 * APPEARANCE_PADDING, 1);
  let size = 10;
  let lines = layout(paragraphs, font, size, innerWidth);
  // Shrink until it fits; below 4 pt it is unreadable anyway and the clip path cuts the rest.
  while (size > 4 && lines.length * size * 1.2 > innerHeight) {
    size -= 0.5;
    lines = layout(paragraphs, font, size, innerWidth);
  }
  const leading = size * 1.2;
  const text = lines.map((line) => `${font.encodeText(line).toString()} Tj`).join(`\n0 ${formatNumber(-leading)} Td\n`);
  const content = [
    'q',
    `0.93 0.95 1 rg 0 0 ${formatNumber(width)} ${formatNumber(height)} re f`,
    `0.16 0.27 0.55 RG 0.8 w 0.4 0.4 ${formatNumber(width - 0.8)} ${formatNumber(height - 0.8)} re S`,
    `0 0 ${formatNumber(width)} ${formatNumber(height)} re W n`,
    'BT',
    `/F1 ${formatNumber(size)} Tf`,
    '0.1 0.1 0.1 rg',
    `${APPEARANCE_PADDING} ${formatNumber(height - APPEARANCE_PADDING - size)} Td`,
    text,
    'ET',
    'Q',
  ].join('\n');
  return formXObject(width, height, `/Font << /F1 ${fontRef.toString()} >>`, content);
}

function layout(paragraphs: string[], font: StandardFontEmbedder, size: number, maxWidth: number): string[] {
  return paragraphs.flatMap((paragraph) => wrapText(paragraph, (text) => font.widthOfTextAtSize(text, size), maxWidth));
}

function formXObject(width: number, height: number, resources: string, content: string): Buffer {
  const stream = latin1(content);
  return Buffer.concat([
    latin1(
      `<< /Type /XObject /Subtype /Form /BBox [0 0 ${formatNumber(width)} ${formatNumber(height)}]` +
        ` /Resources << ${resources} >> /Length ${stream.length} >>\nstream\n`,
    ),
    stream,
    latin1('\nendstream'),
  ]);
}

function addAnnotationToPage(context: PDFContext, page: PDFPage, widgetRef: PDFRef): UpdatedObject[] {
  const annots = page.node.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) {
    const array = context.lookup(annots, PDFArray).clone(context);
    array.push(widgetRef);
    return [{ ref: annots, body: serialize(array) }];
  }
  const pageCopy = page.node.clone(context);
  const array = annots instanceof PDFArray ? annots.clone(context) : context.obj([]);
  array.push(widgetRef);
  pageCopy.set(PDFName.of('Annots'), array);
  return [{ ref: page.ref, body: serialize(pageCopy) }];
}

function addFieldToAcroForm(
  context: PDFContext,
  catalog: PDFDict,
  catalogRef: PDFRef,
  widgetRef: PDFRef,
  allocate: () => PDFRef,
): UpdatedObject[] {
  const updated: UpdatedObject[] = [];
  const acroFormEntry = catalog.get(PDFName.of('AcroForm'));
  const existing = context.lookupMaybe(acroFormEntry, PDFDict);
  const acroForm = existing ? existing.clone(context) : context.obj({});

  const fieldsEntry = acroForm.get(PDFName.of('Fields'));
  if (fieldsEntry instanceof PDFRef) {
    const fields = context.lookup(fieldsEntry, PDFArray).clone(context);
    fields.push(widgetRef);
    updated.push({ ref: fieldsEntry, body: serialize(fields) });
  } else {
    const fields = fieldsEntry instanceof PDFArray ? fieldsEntry.clone(context) : context.obj([]);
    fields.push(widgetRef);
    acroForm.set(PDFName.of('Fields'), fields);
  }
  const sigFlags = context.lookupMaybe(acroForm.get(PDFName.of('SigFlags')), PDFNumber)?.asNumber() ?? 0;
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(sigFlags | SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY));

  if (acroFormEntry instanceof PDFRef) {
    updated.push({ ref: acroFormEntry, body: serialize(acroForm) });
  } else {
    const acroFormRef = allocate();
    updated.push({ ref: acroFormRef, body: serialize(acroForm) });
    const catalogCopy = catalog.clone(context);
    catalogCopy.set(PDFName.of('AcroForm'), acroFormRef);
    updated.push({ ref: catalogRef, body: serialize(catalogCopy) });
  }
  return updated;
}

function uniqueFieldName(context: PDFContext, catalog: PDFDict): string {
  const taken = new Set<string>();
  const acroForm = context.lookupMaybe(catalog.get(PDFName.of('AcroForm')), PDFDict);
  const fields = acroForm ? context.lookupMaybe(acroForm.get(PDFName.of('Fields')), PDFArray) : undefined;
  for (const entry of fields?.asArray() ?? []) {
    const field = context.lookupMaybe(entry, PDFDict);
    const name = field?.get(PDFName.of('T'));
    if (name instanceof PDFString || name instanceof PDFHexString) taken.add(name.decodeText());
  }
  let index = 1;
  while (taken.has(`Signature${index}`)) index++;
  return `Signature${index}`;
}

/** The last cross-reference section of the input, which the update's /Prev must name. */
function readPreviousCrossReference(bytes: Buffer): PreviousCrossReference {
  const marker = bytes.lastIndexOf('startxref');
  const offsetMatch = marker < 0 ? null : /^startxref\s+(\d+)/.exec(latin1Text(bytes, marker, marker + 40));
  const offset = offsetMatch ? Number(offsetMatch[1]) : -1;
  if (offset < 0 || offset >= bytes.length) {
    throw new Error('The PDF has no usable startxref; it cannot be updated incrementally');
  }
  const head = latin1Text(bytes, offset, offset + 40);
  if (/^\s*xref/.test(head)) {
    const trailerAt = bytes.indexOf('trailer', offset);
    const endAt = trailerAt < 0 ? -1 : bytes.indexOf('startxref', trailerAt);
    const size = trailerAt < 0 ? null : /\/Size\s+(\d+)/.exec(latin1Text(bytes, trailerAt, endAt < 0 ? bytes.length : endAt));
    if (size) return { offset, kind: 'table', size: Number(size[1]) };
  } else if (/^\s*\d+\s+\d+\s+obj/.test(head)) {
    const streamAt = bytes.indexOf('stream', offset);
    const dictionary = latin1Text(bytes, offset, streamAt < 0 ? offset : streamAt);
    const size = /\/Size\s+(\d+)/.exec(dictionary);
    if (/\/Type\s*\/XRef/.test(dictionary) && size) return { offset, kind: 'stream', size: Number(size[1]) };
  }
  throw new Error('The PDF startxref does not point at a cross-reference section');
}

function assemble(
  original: Buffer,
  updated: UpdatedObject[],
  previous: PreviousCrossReference,
  context: PDFContext,
  size: number,
  xrefStreamRef: PDFRef | null,
): { file: Buffer; signatureOffset: number } {
  const parts: Buffer[] = [original];
  let position = original.length;
  const append = (part: Buffer): void => {
    parts.push(part);
    position += part.length;
  };
  const lastByte = original[original.length - 1];
  if (lastByte !== 0x0a && lastByte !== 0x0d) append(latin1('\n'));

  const offsets = new Map<PDFRef, number>();
  for (const object of updated) {
    offsets.set(object.ref, position);
    append(latin1(`${object.ref.objectNumber} ${object.ref.generationNumber} obj\n`));
    append(object.body);
    append(latin1('\nendobj\n'));
  }

  const trailerEntries = trailerEntriesOf(context, previous.offset);
  const xrefOffset = position;
  if (xrefStreamRef) {
    offsets.set(xrefStreamRef, xrefOffset);
    append(xrefStream(xrefStreamRef, offsets, size, trailerEntries));
  } else {
    append(latin1(`${xrefTable(offsets)}trailer\n<< /Size ${size} ${trailerEntries} >>\n`));
  }
  append(latin1(`startxref\n${xrefOffset}\n%%EOF\n`));
  return { file: Buffer.concat(parts), signatureOffset: offsets.get(updated[0].ref) as number };
}

function trailerEntriesOf(context: PDFContext, previousOffset: number): string {
  const { Root, Info, ID } = context.trailerInfo;
  const entries = [`/Root ${(Root as PDFObject).toString()}`];
  if (Info) entries.push(`/Info ${Info.toString()}`);
  const firstId = ID instanceof PDFArray && ID.size() > 0 ? ID.get(0).toString() : null;
  const newId = `<${randomBytes(16).toString('hex').toUpperCase()}>`;
  entries.push(`/ID [${firstId ?? newId} ${newId}]`);
  entries.push(`/Prev ${previousOffset}`);
  return entries.join(' ');
}

function xrefTable(offsets: Map<PDFRef, number>): string {
  let table = 'xref\n';
  for (const group of consecutiveGroups([...offsets.keys()])) {
    table += `${group[0].objectNumber} ${group.length}\n`;
    for (const ref of group) {
      const offset = String(offsets.get(ref)).padStart(10, '0');
      table += `${offset} ${String(ref.generationNumber).padStart(5, '0')} n\r\n`;
    }
  }
  return table;
}

function xrefStream(ref: PDFRef, offsets: Map<PDFRef, number>, size: number, trailerEntries: string): Buffer {
  const groups = consecutiveGroups([...offsets.keys()]);
  const rows = Buffer.alloc(offsets.size * 7);
  let cursor = 0;
  for (const group of groups) {
    for (const entry of group) {
      rows.writeUInt8(1, cursor);
      rows.writeUInt32BE(offsets.get(entry) as number, cursor + 1);
      rows.writeUInt16BE(entry.generationNumber, cursor + 5);
      cursor += 7;
    }
  }
  const index = groups.map((group) => `${group[0].objectNumber} ${group.length}`).join(' ');
  return Buffer.concat([
    latin1(
      `${ref.objectNumber} 0 obj\n<< /Type /XRef /Size ${size} /Index [${index}] /W [1 4 2] ${trailerEntries}` +
        ` /Length ${rows.length} >>\nstream\n`,
    ),
    rows,
    latin1('\nendstream\nendobj\n'),
  ]);
}

function consecutiveGroups(refs: PDFRef[]): PDFRef[][] {
  const sorted = [...refs].sort((left, right) => left.objectNumber - right.objectNumber);
  const groups: PDFRef[][] = [];
  for (const ref of sorted) {
    const group = groups[groups.length - 1];
    if (group && group[group.length - 1].objectNumber + 1 === ref.objectNumber) group.push(ref);
    else groups.push([ref]);
  }
  return groups;
}

/** Writes the /ByteRange, digests everything outside the /Contents hole and puts the CMS container into it. */
function fillInSignature(file: Buffer, signatureOffset: number, signer: CadesSigner): Buffer {
  const byteRangeAt = file.indexOf('/ByteRange [', signatureOffset) + '/ByteRange ['.length;
  const contentsStart = file.indexOf('/Contents <', signatureOffset) + '/Contents '.length;
  const contentsEnd = contentsStart + SIGNATURE_CONTAINER_BYTES * 2 + 2;
  const byteRange = `0 ${contentsStart} ${contentsEnd} ${file.length - contentsEnd}`;
  file.write(byteRange.padEnd(BYTE_RANGE_WIDTH, ' '), byteRangeAt, 'latin1');

  const digest = createHash('sha256')
    .update(file.subarray(0, contentsStart))
    .update(file.subarray(contentsEnd))
    .digest();
  const container = createCadesDetachedSignature(digest, signer).toString('hex').toUpperCase();
  if (container.length > SIGNATURE_CONTAINER_BYTES * 2) {
    throw new Error(`The CMS signature (${container.length / 2} bytes) does not fit the reserved space`);
  }
  file.write(container, contentsStart + 1, 'latin1');
  return file;
}

function serialize(object: PDFObject): Buffer {
  return latin1(object.toString());
}

function formatNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function latin1Text(bytes: Buffer, start: number, end: number): string {
  return bytes.subarray(start, Math.min(end, bytes.length)).toString('latin1');
}
