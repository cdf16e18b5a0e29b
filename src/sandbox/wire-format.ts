/**
 * The provider's answers as the document prints them: the envelope, the
 * error bodies, the localized messages and the date formats. Every body the
 * sandbox's API sends is built here, so its shapes can be checked against the
 * document in one place.
 */

import type { SandboxReadings } from './sandbox-readings';

export type Language = 'en' | 'bg';

const MESSAGES = {
  executedSuccessfully: {
    en: 'The request has been executed successfully.',
    bg: 'Заявката е успешно изпълнена.',
  },
  accepted: { en: 'The request has been accepted.', bg: 'Заявката е приета.' },
  successfulOperation: { en: 'Successful operation', bg: 'Успешна операция' },
  badRequest: {
    en: 'The request could not be understood by the server due to malformed syntax (invalid request parameters).',
    bg: 'Заявката не може да бъде разбрана от сървъра поради неправилен синтаксис (невалидни параметри на заявката).',
  },
  unauthorized: { en: 'The request is unauthorized.', bg: 'Заявката не е оторизирана.' },
  notFound: {
    en: 'The server has not found the signed content.',
    bg: 'Сървърът не намери подписаното съдържание.',
  },
  internalError: {
    en: 'Internal server error. The server encountered an unexpected condition which prevented it from fulfilling the request.',
    bg: 'Вътрешна грешка на сървъра. Сървърът срещна неочаквано състояние, което му попречи да изпълни заявката.',
  },
  rejected: { en: 'The request is rejected.', bg: 'Заявката е отхвърлена.' },
} as const;

export type MessageKey = keyof typeof MESSAGES;

export function message(key: MessageKey, language: Language): string {
  return MESSAGES[key][language];
}

/** `Accept-language: bg-BG,bg;q=0.9,en;q=0.8` → `bg`; anything but Bulgarian first → English. */
export function languageOf(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage[0] : acceptLanguage;
  const first = header?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first === 'bg' || first.startsWith('bg-') ? 'bg' : 'en';
}

export interface Envelope<T> {
  data: T;
  responseCode: string;
  code: string;
  message: string;
}

export function okEnvelope<T>(data: T, language: Language): Envelope<T> {
  return { data, responseCode: 'OK', code: 'OK', message: message('executedSuccessfully', language) };
}

export function acceptedEnvelope<T>(data: T, messageKey: MessageKey, language: Language): Envelope<T> {
  return { data, responseCode: 'ACCEPTED', code: 'ACCEPTED', message: message(messageKey, language) };
}

export type ErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'ERROR' | 'REJECTED';

const ERROR_MESSAGES: Record<ErrorCode, MessageKey> = {
  BAD_REQUEST: 'badRequest',
  UNAUTHORIZED: 'unauthorized',
  NOT_FOUND: 'notFound',
  ERROR: 'internalError',
  REJECTED: 'rejected',
};

/** Only REJECTED carries `"data": null`; the other error bodies have no `data` at all. */
export function errorBody(code: ErrorCode, language: Language): Record<string, unknown> {
  const text = message(ERROR_MESSAGES[code], language);
  return code === 'REJECTED' ? { data: null, code, message: text } : { code, message: text };
}

/** `2021-09-14T11:25:32.132+00:00`, the form of most dates in the document. */
export function utcWithOffset(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/**
 * `2021-09-09T15:49:54.407246+03:00`: the registration dates are printed in
 * Sofia local time with microseconds, so a client that parses only one date
 * form fails here as it would against the provider.
 */
export function sofiaLocalWithMicroseconds(date: Date): string {
  const local = sofiaLocal(date);
  const offsetMinutes = local.offsetMinutes;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${local.dateTime}.${local.millis}000${offset}`;
}

/** `2021-09-14T14:25:32.132`: Sofia local time with no offset, a form the document never shows but does not rule out. */
export function sofiaLocalWithoutOffset(date: Date): string {
  const local = sofiaLocal(date);
  return `${local.dateTime}.${local.millis}`;
}

/** `2021-09-14T11.25.32.132+0000`: the form of B-Trust's sister API (dots in the time, an offset without a colon). */
export function compactUtc(date: Date): string {
  return date.toISOString().replace(/T(\d\d):(\d\d):(\d\d)/, 'T$1.$2.$3').replace('Z', '+0000');
}

/** Where each date of the API is printed when the `dates` reading is `offset` (the document's own forms). */
export type UsualDateForm = 'utc-offset' | 'sofia-offset-microseconds' | 'utc-z';

/** A provider date as the `dates` reading says: the document's own form, Sofia local without offset, or compact. */
export function providerDate(date: Date, reading: SandboxReadings['dates'], usual: UsualDateForm): string {
  switch (reading) {
    case 'no-offset':
      return sofiaLocalWithoutOffset(date);
    case 'compact':
      return compactUtc(date);
    case 'offset':
      return usual === 'utc-offset' ? utcWithOffset(date) : usual === 'utc-z' ? date.toISOString() : sofiaLocalWithMicroseconds(date);
  }
}

function sofiaLocal(date: Date): { dateTime: string; millis: string; offsetMinutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Sofia',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const localAsUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return {
    dateTime: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`,
    millis: String(date.getUTCMilliseconds()).padStart(3, '0'),
    offsetMinutes: Math.round((localAsUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000),
  };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A numeric id of a path or a control call (`resultId`, `requestId`): digits only, and few enough to stay exact. */
export function numericIdOf(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}
