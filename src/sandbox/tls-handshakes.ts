/**
 * Completed TLS handshakes on the API listener. A client that keeps its
 * connections alive completes few; one that reconnects per call completes one
 * per call, which is what the benchmarks compare.
 */
export class TlsHandshakeCounter {
  private completed = 0;

  record(): void {
    this.completed += 1;
  }

  count(): number {
    return this.completed;
  }

  reset(): void {
    this.completed = 0;
  }
}
