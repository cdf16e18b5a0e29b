import { FastifyInstance } from 'fastify';
import { ReadingsBoard, SandboxReadings, parseReadings } from '../sandbox-readings';

/** How a kind of record shows its readings and takes new ones, by the id in the path. */
export interface RecordReadings {
  show(id: string): object;
  set(id: string, readings: Partial<SandboxReadings>): object;
}

/** Per record: GET its readings, POST overrides from now on, DELETE back to the sandbox-wide ones. */
export function registerRecordReadings(app: FastifyInstance, path: string, board: ReadingsBoard, record: RecordReadings): void {
  app.get<{ Params: { id: string } }>(path, async (request) => record.show(request.params.id));
  app.post<{ Params: { id: string }; Body: unknown }>(path, async (request) => record.set(request.params.id, parseReadings(request.body ?? {})));
  app.delete<{ Params: { id: string } }>(path, async (request) => record.set(request.params.id, board.get()));
}
