/**
 * Turns on the isolate's one thread. A graph run is synchronous wasm, so a request that runs many of them
 * (attacks, dreams, robustness) would hold the isolate until it ends. Yielding before every run fixes that but
 * costs long requests dearly under load: each run then waits a whole round of every other request's turn, and a
 * 40-step attack among 64 connections needs 40 rounds (over 10 s). Here graph runs go on in one turn until their
 * estimated work (the model's costs.json) would pass QUANTUM_MS, then the request yields: a short request waits
 * at most about one quantum per request ahead of it, and a long one needs its work / QUANTUM_MS turns.
 */
import { graphKind, runMs, type GraphCosts } from '../core/cost.js';

/** The estimated graph work one turn may hold the isolate for (a 28x28 classify is ~0.3 ms, a batch of 100 ~25). */
export const QUANTUM_MS = 20;

const yieldTurn = (): Promise<unknown> =>
  typeof scheduler !== 'undefined' && scheduler.wait ? scheduler.wait(0) : new Promise((r) => setTimeout(r, 0));

/**
 * Estimated graph work done in the current turn (the current macrotask): reset by a timer once it ends. One account
 * for the isolate, not one per request: tried per request (AsyncLocalStorage), a classify never yielded, and under load
 * (bench:load) the integrated-gradients and PGD requests, which do yield, never finished (0 of 29: a yielded
 * request's timer kept waiting behind new requests that ran at once), while classify p99 fell to 0.5 s.
 */
let turnMs = 0,
  resetQueued = false;
/** Timers are not allowed at module scope (a Worker's start-up warm-up): only requests take turns. */
let serving = false;
export const startServing = () => (serving = true);

/**
 * Called before a graph run: yields first when this turn already holds work and the run would take it over the
 * quantum. `pixels` is one image's H x W (cost scales with it), `images` the batch.
 */
export async function beforeRun(
  costs: GraphCosts,
  ownPixels: number,
  graph: string,
  images: number,
  pixels: number,
): Promise<void> {
  if (!serving) return;
  const ms = runMs(costs, graphKind(graph), images, pixels / ownPixels);
  if (turnMs > 0 && turnMs + ms > QUANTUM_MS) {
    await yieldTurn();
    turnMs = 0;
  }
  turnMs += ms;
  if (!resetQueued) {
    resetQueued = true;
    setTimeout(() => {
      turnMs = 0;
      resetQueued = false;
    }, 0);
  }
}

/** beforeRun for a run of `graph` on `feeds` (batch and size from the input's dims) of a model with this input. */
export function beforeGraph(
  costs: GraphCosts,
  inputShape: readonly number[],
  graph: string,
  feeds: { input?: { dims: readonly number[] } },
): Promise<void> {
  const own = inputShape[1] * inputShape[2],
    dims = feeds.input?.dims;
  return beforeRun(costs, own, graph, dims?.[0] ?? 1, dims ? dims[2] * dims[3] : own);
}
