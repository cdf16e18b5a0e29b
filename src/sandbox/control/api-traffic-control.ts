import { FastifyPluginAsync } from 'fastify';
import { FaultInjector } from '../fault-injector';
import { TlsHandshakeCounter } from '../tls-handshakes';
import { ControlBody } from './control-request';

/** What the mutual-TLS API suffers and saw: the faults armed per operation, the calls counted, the TLS handshakes. */
export const apiTrafficControl: FastifyPluginAsync<{ faults: FaultInjector; tlsHandshakes: TlsHandshakeCounter }> = async (
  app,
  { faults, tlsHandshakes },
) => {
  app.post<{ Body: ControlBody | undefined }>('/sandbox/faults', async (request) => faults.arm(request.body ?? {}));
  app.get('/sandbox/faults', async () => ({ faults: faults.armedFaults() }));
  app.delete('/sandbox/faults', async () => {
    faults.clear();
    return { faults: [] };
  });

  app.get('/sandbox/calls', async () => faults.callCounts());
  app.delete('/sandbox/calls', async () => {
    faults.resetCallCounts();
    return faults.callCounts();
  });

  app.get('/sandbox/tls', async () => ({ handshakes: tlsHandshakes.count() }));
  app.delete('/sandbox/tls', async () => {
    tlsHandshakes.reset();
    return { handshakes: 0 };
  });
};
