/**
 * V8's own view of a workerd isolate through the inspector (Miniflare's inspectorPort): the JavaScript heap in use,
 * and a full garbage collection on request. RSS alone cannot tell a leak from a heap that grew to serve a load
 * and keeps its pages; the heap in use after a collection can.
 */
import WebSocket from 'ws';

export interface Isolate {
  /** V8's heap in use and its size (bytes), after a full collection when `gc` is set. */
  heap(gc?: boolean): Promise<{ used: number; total: number }>;
  close(): void;
}

export async function inspectIsolate(port: number, id: string): Promise<Isolate> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    id: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => t.id === id);
  if (!target) throw new Error(`no isolate ${id} among ${targets.map((t) => t.id).join(', ')}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
    if (msg.id !== undefined) pending.delete(msg.id);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const i = ++next;
      pending.set(i, resolve);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  await send('HeapProfiler.enable');
  return {
    async heap(gc = false) {
      // workerd never answers collectGarbage; messages are handled in order, so the usage below follows it.
      if (gc) void send('HeapProfiler.collectGarbage');
      const r = (await send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      return { used: r.usedSize, total: r.totalSize };
    },
    close: () => ws.close(),
  };
}
