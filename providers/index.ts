import type { PlatformProvider } from '../domain/platform';
import { SimulatedProvider, type SimulatedProviderOptions } from './simulated';

export { SimulatedProvider, RESERVED_HANDLE_PREFIXES } from './simulated';
export type { PermanentFaultKind, SimulatedFault, SimulatedProviderOptions } from './simulated';

export const PROVIDER_NAMES = ['simulated'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The platform data source named by configuration; real adapters join the list as they arrive. */
export function createProvider(name: ProviderName, opts: SimulatedProviderOptions = {}): PlatformProvider {
  switch (name) {
    case 'simulated':
      return new SimulatedProvider(opts);
    default:
      throw new RangeError(`unknown provider "${String(name)}"`);
  }
}
