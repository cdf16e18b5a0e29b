/** What the wire mapping takes from configuration, and its defaults. */
import type { ArchiveFlagName } from '../../config/app-config';
import { DEFAULT_PROVIDER_TIME_ZONE } from './wire-values';

/**
 * Reading: the seed spells the archive flag `toBeArhieved`; the provider's published OpenAPI
 * description of its sister CQES signing API spells it `toBeArchived`. Which one this API binds
 * is unknown, so the name is configuration (BTRUST_ARCHIVE_FLAG_NAME). The default is
 * `toBeArchived`: a machine-generated description of the provider's own service is better
 * evidence of the field's name than a hand-written document that misspells it, and
 * `toBeArhieved` stays one setting away. Nothing else in the server knows either spelling.
 */
export const DEFAULT_ARCHIVE_FLAG_NAME: ArchiveFlagName = 'toBeArchived';

/** What the wire mapping takes from configuration. */
export interface WireSettings {
  /** IANA zone in which the provider's date-times without an offset are read. */
  localTimeZone: string;
  /** The archive flag's field name in 3.1. */
  archiveFlagName: ArchiveFlagName;
}

export const DEFAULT_WIRE_SETTINGS: WireSettings = {
  localTimeZone: DEFAULT_PROVIDER_TIME_ZONE,
  archiveFlagName: DEFAULT_ARCHIVE_FLAG_NAME,
};
