// Whom a span's time or failure belongs to, as an interned (service,
// operation) key: a caller-side span's to its callee, which may never have
// answered and is then named by the address the caller used, mapped to the
// service learned from calls that did get an answer there.

import type { SpanRecord } from '../model.js';
import { keyOf, type Blame } from './rootCauseTypes.js';
import { calleeHint } from './spanContribution.js';
import { calleeAddress } from './semconv.js';
import { calleeChild, operationOf, type Pass } from './tracePass.js';

export class BlameKeys {
  /** callee network address or hint → the service seen answering there. */
  private readonly addressToService = new Map<string, string>();
  private readonly reportingServices = new Set<string>();
  private readonly blames = new Map<string, Blame>();
  private readonly keysByService = new Map<string, Map<string, string>>();

  learnAddresses(p: Pass, reporting: boolean): void {
    const ix = p.ix;
    let lastService = '';
    for (let i = 0; i < ix.spans.length; i++) {
      const span = ix.spans[i]!;
      if (reporting && span.service !== lastService) this.reportingServices.add((lastService = span.service));
      if (!ix.caller[i]) continue;
      const callee = calleeChild(ix, i);
      if (callee === -1) continue;
      const calleeService = ix.spans[callee]!.service;
      if (calleeService === span.service) continue;
      const hint = calleeHint(span);
      if (hint !== null) {
        // Spans with a hint already learned most likely share its address too: skip the costlier address.
        if (this.addressToService.has(hint)) continue;
        this.addressToService.set(hint, calleeService);
      }
      const address = calleeAddress(span);
      if (address !== null && !this.addressToService.has(address)) this.addressToService.set(address, calleeService);
    }
  }

  isVirtual(service: string): boolean {
    return !this.reportingServices.has(service);
  }

  private intern(service: string, operation: string): string {
    let byOperation = this.keysByService.get(service);
    if (!byOperation) this.keysByService.set(service, (byOperation = new Map()));
    let key = byOperation.get(operation);
    if (key === undefined) {
      const blame = { service, operation };
      key = keyOf(blame);
      byOperation.set(operation, key);
      this.blames.set(key, blame);
    }
    return key;
  }

  blame(key: string): Blame {
    return this.blames.get(key)!;
  }

  private missingCallee(span: SpanRecord): string {
    const hint = calleeHint(span);
    let service = hint !== null ? this.addressToService.get(hint) : undefined;
    if (service === undefined) {
      const address = calleeAddress(span);
      service = (address !== null ? this.addressToService.get(address) : undefined) ?? hint ?? 'unknown_service';
    }
    return this.intern(service, span.name);
  }

  /** Whom a span's time or failure belongs to: a caller-side span's to its callee, which may never have answered. */
  blameKeyOf(p: Pass, i: number): string {
    let key = p.blameKeys[i];
    if (key !== undefined) return key;
    const ix = p.ix;
    if (!ix.caller[i]) key = this.intern(ix.spans[i]!.service, operationOf(ix, i));
    else {
      const callee = calleeChild(ix, i);
      key = callee !== -1 ? this.intern(ix.spans[callee]!.service, operationOf(ix, callee)) : this.missingCallee(ix.spans[i]!);
    }
    p.blameKeys[i] = key;
    return key;
  }
}
