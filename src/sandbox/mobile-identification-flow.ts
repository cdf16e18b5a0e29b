import { randomUUID } from 'node:crypto';
import { IdentificationRequest } from './api-request-validation';
import { DocumentServices } from './document-services';
import { SAMPLE_PERSON, identificatorFor, maskIdentifier } from './person-identifiers';
import {
  MobileIdentification,
  OPEN_MOBILE_STATES,
  ProviderRecords,
  StateConflictError,
  UnknownRecordError,
  eidCertificateToSend,
  moveMobile,
} from './provider-records';
import { rejected, unknownId } from './provider-refusal';
import { SandboxLogger } from './sandbox-logger';
import { ReadingsBoard, SandboxReadings } from './sandbox-readings';

/**
 * Scenario 1: the person confirms in the B-Trust MOBILE app (here: the
 * `/mobile` page or the control API) while the relying party polls.
 */
export class MobileIdentificationFlow {
  constructor(
    private readonly records: ProviderRecords,
    private readonly documents: DocumentServices,
    private readonly readings: ReadingsBoard,
    private readonly settings: { relyingPartyId: string; validityMs: number },
    private readonly logger: SandboxLogger,
  ) {}

  start(request: IdentificationRequest, now: Date): MobileIdentification {
    const record: MobileIdentification = {
      callbackId: randomUUID(),
      createdAt: now,
      validity: new Date(now.getTime() + this.settings.validityMs),
      identifierType: request.identifierType,
      identifierValue: request.identifierValue,
      reason: request.reason,
      identificator: identificatorFor(this.settings.relyingPartyId, request.identifierType, request.identifierValue),
      state: 'CREATED',
      readings: this.readings.get(),
    };
    this.records.addMobile(record);
    this.logger.info({ callbackId: record.callbackId, docType: record.identifierType }, 'sandbox mobile identification started');
    return record;
  }

  /**
   * The first poll sees ON_BOARDING, later ones IN_PROGRESS, until the person answers.
   * Reading: the document names no "expired" answer; a rejected or expired
   * identification answers with the REJECTED body (with the record's
   * `rejectedStatus`). A finished one stays readable after its validity.
   */
  poll(callbackId: string, now: Date): MobileIdentification {
    const record = this.records.mobile.get(callbackId);
    if (!record) throw unknownId('unknown callbackId');
    this.expireIfDue(record, now);
    if (record.state === 'REJECTED' || record.state === 'EXPIRED') {
      throw rejected(`mobile identification is ${record.state}`, record.readings);
    }
    if (record.state === 'CREATED') moveMobile(record, 'ON_BOARDING');
    else if (record.state === 'ON_BOARDING') moveMobile(record, 'IN_PROGRESS');
    else return record;
    this.records.saveMobile(record);
    return record;
  }

  /** The eID certificate of a FINISHED answer (see eidCertificateToSend). */
  certificateToSend(record: MobileIdentification): Buffer | undefined {
    return eidCertificateToSend(record, () => this.records.saveMobile(record));
  }

  setReadings(callbackId: string, readings: Partial<SandboxReadings>): MobileIdentification {
    const record = this.find(callbackId);
    record.readings = { ...record.readings, ...readings };
    this.records.saveMobile(record);
    return record;
  }

  find(callbackId: string): MobileIdentification {
    const record = this.records.mobile.get(callbackId);
    if (!record) throw new UnknownRecordError('mobile identification');
    return record;
  }

  async complete(callbackId: string, person: { fullName?: string }, now: Date): Promise<MobileIdentification> {
    const record = this.open(callbackId, now);
    if (!OPEN_MOBILE_STATES.includes(record.state)) throw new StateConflictError(record.state, 'FINISHED');
    const eidCertificatePdf = await this.documents.issueEidCertificate({
      fullName: person.fullName?.trim() || SAMPLE_PERSON.fullName,
      identifierMasked: maskIdentifier(record.identifierType, record.identifierValue),
      identificator: record.identificator,
      identifiedAt: now,
      reason: record.reason,
    });
    moveMobile(record, 'FINISHED');
    record.eidCertificatePdf = eidCertificatePdf;
    this.records.saveMobile(record);
    this.logger.info({ callbackId }, 'sandbox mobile identification finished');
    return record;
  }

  reject(callbackId: string, now: Date): MobileIdentification {
    const record = this.open(callbackId, now);
    moveMobile(record, 'REJECTED');
    this.records.saveMobile(record);
    this.logger.info({ callbackId }, 'sandbox mobile identification rejected');
    return record;
  }

  expire(callbackId: string, now: Date): MobileIdentification {
    const record = this.open(callbackId, now);
    moveMobile(record, 'EXPIRED');
    this.records.saveMobile(record);
    return record;
  }

  pending(now: Date): MobileIdentification[] {
    return [...this.records.mobile.values()].filter((record) => {
      this.expireIfDue(record, now);
      return OPEN_MOBILE_STATES.includes(record.state);
    });
  }

  /** Looks a record up for the person's or the control API's action; a closed record fails in moveMobile. */
  private open(callbackId: string, now: Date): MobileIdentification {
    const record = this.find(callbackId);
    this.expireIfDue(record, now);
    return record;
  }

  private expireIfDue(record: MobileIdentification, now: Date): void {
    if (OPEN_MOBILE_STATES.includes(record.state) && now >= record.validity) {
      moveMobile(record, 'EXPIRED');
      this.records.saveMobile(record);
    }
  }
}
