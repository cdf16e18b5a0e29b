import type { MultipartFile } from '@fastify/multipart';
import { createParamDecorator, ExecutionContext, Inject, Injectable, PipeTransform } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { jsonTextTooDeep, jsonTooDeep, jsonValueTooDeep } from '../common/json/json-depth';
import { DecodedBase64 } from '../common/json/json-with-base64';
import { FeatureError } from '../common/problem/feature-error';
import type { FieldProblem } from '../common/problem/problem';
import { RequestError } from '../common/problem/request-error';
import { flattenValidationErrors } from '../common/problem/validation-pipe';
import { checkingRedirectsAgainst } from '../common/validation/allowed-redirect';
import { isSafeFileName } from '../common/validation/file-names';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CreateSigningDto, SigningMetadataDto } from './dto/create-signing.dto';
import { documentsTooLarge, SigningLimits, tooManyDocuments } from './signing-request-rules';
import { SigningError, SigningErrorCode } from './signing.errors';
import type { DocumentInput, SigningInput } from './signing.types';

export const METADATA_FIELD = 'metadata';
const DECODED_CONTENT_STAND_IN = 'AAAA';

/**
 * Turns a signing request, JSON or multipart/form-data, into one
 * SigningInput whose documents are each held once, as a Buffer. The cheap
 * checks (shape, count, size) happen here, before anything is parsed as PDF.
 */
export async function readSigningRequest(request: FastifyRequest, limits: SigningLimits, jsonMaxDepth: number): Promise<SigningInput> {
  return request.isMultipart() ? readMultipart(request, limits, jsonMaxDepth) : readJson(request.body, limits);
}

async function readJson(body: unknown, limits: SigningLimits): Promise<SigningInput> {
  const documents = (body as { documents?: unknown } | null)?.documents;
  if (Array.isArray(documents)) {
    if (documents.length > limits.maxDocuments) throw tooManyDocuments(documents.length, limits);
    const tooLarge = documents.flatMap((document: { contentBase64?: unknown }, index) => {
      const size = contentSize(document?.contentBase64);
      return size !== undefined && size > limits.maxDocumentBytes ? [index] : [];
    });
    if (tooLarge.length > 0) throw documentsTooLarge(tooLarge, limits);
  }
  const dto = await validated(CreateSigningDto, withDecodedContentStandIns(body));
  return {
    documents: dto.documents.map((document, index) => ({
      fileName: document.fileName,
      title: document.title,
      content: decodedContent(documents as Array<{ contentBase64: unknown }>, index),
      visibleSignature: document.visibleSignature,
      archive: document.archive,
    })),
    emailSignedDocuments: dto.emailSignedDocuments,
    successUrl: dto.successUrl,
    cancelUrl: dto.cancelUrl,
  };
}

function contentSize(content: unknown): number | undefined {
  if (content instanceof DecodedBase64) return content.bytes.length;
  return typeof content === 'string' ? base64DecodedLength(content) : undefined;
}

/**
 * The body parser decoded the large documents already (see document-json-body.ts),
 * and only those that passed the DTO's string and base64 checks: any valid
 * base64 string stands in for them, so validation reports what it always did.
 */
function withDecodedContentStandIns(body: unknown): unknown {
  const documents = (body as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents) || !documents.some((document) => document?.contentBase64 instanceof DecodedBase64)) return body;
  return {
    ...(body as object),
    documents: documents.map((document: { contentBase64?: unknown }) =>
      document?.contentBase64 instanceof DecodedBase64 ? { ...document, contentBase64: DECODED_CONTENT_STAND_IN } : document,
    ),
  };
}

/**
 * Each document's bytes, taken from the body so that the body holds neither
 * its base64 text nor its bytes once the request is read.
 */
function decodedContent(documents: Array<{ contentBase64: unknown }>, index: number): Buffer {
  const content = documents[index].contentBase64;
  documents[index].contentBase64 = undefined;
  return content instanceof DecodedBase64 ? content.bytes : Buffer.from(content as string, 'base64');
}

async function readMultipart(request: FastifyRequest, limits: SigningLimits, jsonMaxDepth: number): Promise<SigningInput> {
  const files: Array<{ fileName: string; content: Buffer }> = [];
  let metadataValue: unknown;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        files.push({ fileName: part.filename, content: await fileContent(part, files.length, limits) });
      } else if (part.fieldname === METADATA_FIELD) {
        // A part typed application/json arrives parsed by the plugin; an untyped one as its text.
        metadataValue = part.value;
      } else {
        throw RequestError.invalid([{ field: part.fieldname, codes: ['UNKNOWN_FIELD'], messages: [`${part.fieldname} is not an accepted field`] }]);
      }
    }
  } catch (error) {
    throw multipartProblem(error, files.length, limits);
  }

  if (metadataValue === undefined) {
    throw RequestError.invalid([{ field: METADATA_FIELD, codes: ['isDefined'], messages: [`${METADATA_FIELD} must be a JSON field`] }]);
  }
  const metadata = await validated(SigningMetadataDto, metadataJson(metadataValue, jsonMaxDepth));
  if (metadata.documents.length !== files.length) {
    throw RequestError.invalid([
      {
        field: 'documents',
        codes: ['DOCUMENT_COUNT_MISMATCH'],
        messages: [`metadata describes ${metadata.documents.length} document(s) but ${files.length} file(s) were uploaded`],
      },
    ]);
  }
  const documents: DocumentInput[] = metadata.documents.map((description, index) => ({
    fileName: description.fileName ?? files[index].fileName,
    title: description.title,
    content: files[index].content,
    visibleSignature: description.visibleSignature,
    archive: description.archive,
  }));
  const badNames: FieldProblem[] = documents.flatMap((document, index) =>
    isSafeFileName(document.fileName)
      ? []
      : [{ field: `documents.${index}.fileName`, codes: ['isSafeFileName'], messages: [`the name of file ${index} is not a safe file name; give documents.${index}.fileName`] }],
  );
  if (badNames.length > 0) throw RequestError.invalid(badNames);
  return { documents, emailSignedDocuments: metadata.emailSignedDocuments, successUrl: metadata.successUrl, cancelUrl: metadata.cancelUrl };
}

/**
 * The metadata field's JSON, whether the part declared `Content-Type:
 * application/json` (the plugin parsed it) or not (its text is parsed here);
 * either way within the nesting limit of every JSON body.
 */
function metadataJson(value: unknown, maxDepth: number): unknown {
  if (typeof value !== 'string') {
    if (jsonValueTooDeep(value, maxDepth)) throw jsonTooDeep(maxDepth);
    return value;
  }
  if (jsonTextTooDeep(Buffer.from(value), maxDepth)) throw jsonTooDeep(maxDepth);
  try {
    return JSON.parse(value);
  } catch {
    throw metadataNotJson();
  }
}

function metadataNotJson(): RequestError {
  return RequestError.invalid([{ field: METADATA_FIELD, codes: ['isJson'], messages: [`${METADATA_FIELD} is not valid JSON`] }]);
}

async function fileContent(part: MultipartFile, index: number, limits: SigningLimits): Promise<Buffer> {
  if (index >= limits.maxDocuments) throw tooManyDocuments(index + 1, limits);
  return part.toBuffer();
}

/** The multipart plugin's own errors (limits, malformed bodies) as problems; ours pass through. */
function multipartProblem(error: unknown, filesRead: number, limits: SigningLimits): unknown {
  if (error instanceof FeatureError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return documentsTooLarge([filesRead], limits);
  if (code === 'FST_FILES_LIMIT') return tooManyDocuments(filesRead + 1, limits);
  // A part typed application/json that the plugin could not parse.
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') return metadataNotJson();
  // Nothing but the body is read in that loop: whatever else went wrong, the body could not be read.
  return new SigningError(SigningErrorCode.MALFORMED_MULTIPART, 'The multipart/form-data body cannot be read.');
}

/** The request pipe's rules (unknown fields refused, every broken rule listed), for bodies it does not see. */
async function validated<T extends object>(type: ClassConstructor<T>, plain: unknown): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw RequestError.invalid([{ field: 'body', codes: ['isObject'], messages: ['the body must be a JSON object'] }]);
  }
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: false });
  if (errors.length > 0) throw RequestError.invalid(flattenValidationErrors(errors));
  return instance;
}

/** Bytes a base64 text decodes to, without decoding it. */
export function base64DecodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

/** Reads the signing request from the request it is given, with the configured limits. */
@Injectable()
export class SigningRequestPipe implements PipeTransform<FastifyRequest, Promise<SigningInput>> {
  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedAppConfig) {}

  transform(request: FastifyRequest): Promise<SigningInput> {
    return checkingRedirectsAgainst(this.config.identification.allowedRedirectOrigins, () =>
      readSigningRequest(request, this.config.signing, this.config.jsonMaxDepth),
    );
  }
}

const WholeRequest = createParamDecorator((_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>());

/** The handler's SigningInput, read from a JSON or multipart/form-data body (see readSigningRequest). */
export const SigningRequestBody = (): ParameterDecorator => WholeRequest(SigningRequestPipe);
