import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';

// The API's no-op provider: what an unregistered global proxy delegates to. Read from a fresh
// proxy because the class itself is not exported.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * The tracer provider the application registered globally (for example through
 * `@opentelemetry/sdk-node`), or undefined when tracing is not set up. A provider
 * registered by another copy of `@opentelemetry/api` is seen too: the global is shared.
 */
export function registeredTracerProvider(): TracerProvider | undefined {
  let provider: TracerProvider = trace.getTracerProvider();
  const delegateOf = (p: TracerProvider): TracerProvider | undefined =>
    typeof (p as Partial<ProxyTracerProvider>).getDelegate === 'function' ? (p as ProxyTracerProvider).getDelegate() : undefined;
  for (let depth = 0; depth < 4; depth++) {
    const delegate = delegateOf(provider);
    if (delegate === undefined || delegate === provider) break;
    provider = delegate;
  }
  if (provider === NOOP_PROVIDER || provider.constructor?.name === 'NoopTracerProvider') return undefined;
  return provider;
}

/** forceFlush of a provider that has one (the SDK's do; the API's interface does not promise it). */
export async function flushProvider(provider: TracerProvider | undefined): Promise<void> {
  const flush = (provider as { forceFlush?: () => Promise<void> } | undefined)?.forceFlush;
  if (typeof flush === 'function') await flush.call(provider);
}
