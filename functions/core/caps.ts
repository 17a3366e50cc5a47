/**
 * Hard bounds on the work one request may ask for. A request over a cap is a 400 that names the cap.
 * Defaults are what a request gets when it names nothing; both are documented in the OpenAPI document.
 */
import { badRequest } from './errors.js';

export const CAPS = {
  saliencySamples: 64, // SmoothGrad noisy copies
  saliencySteps: 128, // integrated-gradients path steps
  attackSteps: 200,
  attackSweep: 16, // eps values in one sweep
  robustnessImages: 100,
  robustnessEps: 8,
  foolingSteps: 500,
  visualizeSteps: 300,
  visualizeChannels: 128, // maps in one grid
  dreamSteps: 50, // per octave
  dreamOctaves: 5,
  dreamSide: 256, // pixels, longest side of a dream or style image
  styleSteps: 300,
} as const;

type Cap = keyof typeof CAPS;

/** An integer option within [min, CAPS[cap]] (or [min, max]), with a default. */
export function capped(name: string, value: unknown, def: number, min: number, cap: Cap | number): number {
  const max = typeof cap === 'number' ? cap : CAPS[cap];
  if (value === undefined || value === null || value === '') return def;
  const v = Number(value);
  if (!Number.isInteger(v) || v < min || (typeof cap === 'number' && v > max))
    throw badRequest(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}`);
  if (v > max)
    throw badRequest(
      `${name} is ${v}, over the cap of ${max}${typeof cap === 'string' ? ` (${cap})` : ''}: iterative work per request is bounded`,
      { cap: max, received: v },
    );
  return v;
}

export function ranged(name: string, value: unknown, def: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return def;
  const v = Number(value);
  if (!Number.isFinite(v) || v < min || v > max)
    throw badRequest(`${name} must be a number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  return v;
}

export function oneOf<T extends string>(name: string, value: unknown, def: T, allowed: readonly T[]): T {
  if (value === undefined || value === null || value === '') return def;
  if (!allowed.includes(value as T))
    throw badRequest(`${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  return value as T;
}
