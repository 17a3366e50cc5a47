/**
 * The rules imported classifiers brought in (helpers/more-rule-cases.ts: LRN, elu, selu, softplus) against central
 * finite differences of the float64 reference (helpers/probe.ts), input and parameter gradients, in each mode; and
 * every graph they compile to through the official checker.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from '../../../../training/spec.js';
import { checkArchGraphs } from '../../helpers/arch-graphs.js';
import { FD_EPS, FD_EPS_DEEP } from '../../helpers/fd.js';
import { MORE_RULE_CASES } from '../../helpers/more-rule-cases.js';
import { probeGradCheck } from '../../helpers/probe.js';

describe('LRN and the e^X activations agree with central finite differences', () => {
  for (const [label, input, layers, modes] of MORE_RULE_CASES)
    for (const mode of modes)
      it(`${label} (${mode})`, async () => {
        const eps = layers.length > 2 ? FD_EPS_DEEP : FD_EPS;
        const { checked, failures } = await probeGradCheck({ input, layers }, mode, { eps, spread: 0.5 });
        expect(checked.length).toBeGreaterThan(0);
        expect(failures).toEqual({});
      });

  it('an LRN window must be odd (onnxruntime refuses even sizes)', () => {
    expect(() => resolve({ input: [4, 2, 2], layers: [{ kind: 'lrn', size: 4 }] })).toThrow(
      "layer 0 (lrn1): lrn size must be an odd integer >= 1 (onnxruntime's LRN takes no other), got 4",
    );
  });

  it('every graph passes the official ONNX checker', () => {
    const archs = MORE_RULE_CASES.map(([, input, layers]) => ({ arch: { input, layers } }));
    expect(checkArchGraphs(archs)).toEqual({ total: 5 * archs.length, passed: 5 * archs.length });
  });
});
