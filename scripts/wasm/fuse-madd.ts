/**
 * Fused multiply-add for a wasm module built without it: every `f32x4.add(x, f32x4.mul(a, b))`, in either operand
 * order, becomes WebAssembly relaxed SIMD's `f32x4.relaxed_madd(a, b, x)`, which V8 compiles to one vfmadd where
 * the CPU has FMA3 (and to the same mul and add where it has not). onnxruntime-web's MLAS kernels write their
 * multiply-adds as a mul feeding an add (wasm SIMD 1.0 has no fused form), so its SGEMM and conv loops get them.
 *
 * The result is the product rounded once instead of twice: within the relaxed SIMD specification's choice, and
 * closer to the exact value. Evaluation order is kept: add(a*b, x) is madd(a, b, x) as it stands; add(x, a*b)
 * evaluates x first, so it becomes madd(a, b, x) directly only where neither side writes anything or branches
 * (x then may run after a and b), and otherwise x goes to a new local first: `(local.set $t x) (madd a b $t)`.
 *
 * The same pass makes every f32x4.min and f32x4.max relaxed (`f32x4.relaxed_min/max`: one minps/maxps, where the
 * exact forms take several instructions to order NaNs and signed zeros; MLAS's ReLU, Clip and max-pool kernels use
 * them). They differ only where an operand is NaN or the two are zeros of opposite signs, when either operand may
 * come out: in workerd a max-pool window or a softmax row holding a NaN can come out finite (the NaN dropped) where
 * the strict forms carry the NaN to the answer (a reviewer's probe: Softmax of rows with NaN all NaN stock,
 * finite fused; MaxPool 2x2 over a NaN finite fused; ReLU and Clip the same). The edge feeds finite pixels to
 * graphs with finite weights, so a NaN can only arise inside a graph from an overflow (inf - inf, 0 * inf).
 *
 * Read and written with binaryen (its C API through binaryen.js: the JS API has no expression walker, so the
 * children of each expression kind are listed in KINDS; a kind not listed is counted in `unknown` and not entered).
 */
import binaryen from 'binaryen';

type Ref = number;
/** binaryen.js exposes the whole C API as `_Binaryen*` functions on the module object; they take and give pointers. */
const C = binaryen as unknown as Record<string, (...args: number[]) => number>;
const api = (name: string) => {
  const f = C[`_Binaryen${name}`];
  if (typeof f !== 'function') throw new Error(`this binaryen.js has no _Binaryen${name}`);
  return f;
};

/** One child slot: its getter and setter; a list of children: its length, getter and setter at an index. */
interface One {
  get: (e: Ref) => Ref;
  set: (e: Ref, c: Ref) => void;
}
interface List {
  count: (e: Ref) => number;
  get: (e: Ref, i: number) => Ref;
  set: (e: Ref, i: number, c: Ref) => void;
}
const one = (kind: string, ...fields: string[]): One[] =>
  fields.map((f) => ({ get: api(`${kind}Get${f}`), set: api(`${kind}Set${f}`) }));
const list = (kind: string, plural: string, single: string): List => ({
  count: api(`${kind}GetNum${plural}`),
  get: api(`${kind}Get${single}At`),
  set: api(`${kind}Set${single}At`),
});

const b = binaryen;
/** The children of every expression kind of wasm 1.0, SIMD, threads, bulk memory, reference types and legacy EH. */
const KINDS = new Map<number, { one?: One[]; list?: List }>([
  [b.BlockId, { list: list('Block', 'Children', 'Child') }],
  [b.IfId, { one: one('If', 'Condition', 'IfTrue', 'IfFalse') }],
  [b.LoopId, { one: one('Loop', 'Body') }],
  [b.BreakId, { one: one('Break', 'Condition', 'Value') }],
  [b.SwitchId, { one: one('Switch', 'Condition', 'Value') }],
  [b.CallId, { list: list('Call', 'Operands', 'Operand') }],
  [b.CallIndirectId, { one: one('CallIndirect', 'Target'), list: list('CallIndirect', 'Operands', 'Operand') }],
  [b.LocalSetId, { one: one('LocalSet', 'Value') }],
  [b.GlobalSetId, { one: one('GlobalSet', 'Value') }],
  [b.LoadId, { one: one('Load', 'Ptr') }],
  [b.StoreId, { one: one('Store', 'Ptr', 'Value') }],
  [b.UnaryId, { one: one('Unary', 'Value') }],
  [b.BinaryId, { one: one('Binary', 'Left', 'Right') }],
  [b.SelectId, { one: one('Select', 'IfTrue', 'IfFalse', 'Condition') }],
  [b.DropId, { one: one('Drop', 'Value') }],
  [b.ReturnId, { one: one('Return', 'Value') }],
  [b.MemoryGrowId, { one: one('MemoryGrow', 'Delta') }],
  [b.AtomicRMWId, { one: one('AtomicRMW', 'Ptr', 'Value') }],
  [b.AtomicCmpxchgId, { one: one('AtomicCmpxchg', 'Ptr', 'Expected', 'Replacement') }],
  [b.AtomicWaitId, { one: one('AtomicWait', 'Ptr', 'Expected', 'Timeout') }],
  [b.AtomicNotifyId, { one: one('AtomicNotify', 'Ptr', 'NotifyCount') }],
  [b.SIMDExtractId, { one: one('SIMDExtract', 'Vec') }],
  [b.SIMDReplaceId, { one: one('SIMDReplace', 'Vec', 'Value') }],
  [b.SIMDShuffleId, { one: one('SIMDShuffle', 'Left', 'Right') }],
  [b.SIMDTernaryId, { one: one('SIMDTernary', 'A', 'B', 'C') }],
  [b.SIMDShiftId, { one: one('SIMDShift', 'Vec', 'Shift') }],
  [b.SIMDLoadId, { one: one('SIMDLoad', 'Ptr') }],
  [b.SIMDLoadStoreLaneId, { one: one('SIMDLoadStoreLane', 'Ptr', 'Vec') }],
  [b.MemoryInitId, { one: one('MemoryInit', 'Dest', 'Offset', 'Size') }],
  [b.MemoryCopyId, { one: one('MemoryCopy', 'Dest', 'Source', 'Size') }],
  [b.MemoryFillId, { one: one('MemoryFill', 'Dest', 'Value', 'Size') }],
  [b.RefIsNullId, { one: one('RefIsNull', 'Value') }],
  [b.RefEqId, { one: one('RefEq', 'Left', 'Right') }],
  [b.RefAsId, { one: one('RefAs', 'Value') }],
  [b.TableGetId, { one: one('TableGet', 'Index') }],
  [b.TableSetId, { one: one('TableSet', 'Index', 'Value') }],
  [b.TableGrowId, { one: one('TableGrow', 'Value', 'Delta') }],
  [b.TryId, { one: one('Try', 'Body'), list: list('Try', 'CatchBodies', 'CatchBody') }],
  [b.ThrowId, { list: list('Throw', 'Operands', 'Operand') }],
  [b.TupleMakeId, { list: list('TupleMake', 'Operands', 'Operand') }],
  [b.TupleExtractId, { one: one('TupleExtract', 'Tuple') }],
]);
const LEAVES = new Set([
  b.NopId,
  b.UnreachableId,
  b.ConstId,
  b.LocalGetId,
  b.GlobalGetId,
  b.MemorySizeId,
  b.AtomicFenceId,
  b.DataDropId,
  b.PopId,
  b.RefNullId,
  b.RefFuncId,
  b.TableSizeId,
  b.RethrowId,
]);

const getId = api('ExpressionGetId');
const binaryOp = api('BinaryGetOp');
const left = api('BinaryGetLeft');
const right = api('BinaryGetRight');
const ternaryOp = api('SIMDTernaryGetOp');
const ternary = api('SIMDTernary');
const setBody = api('FunctionSetBody');
const getBody = api('FunctionGetBody');
const addVar = api('FunctionAddVar');

const setBinaryOp = api('BinarySetOp');
/** f32x4.min and max, and their relaxed forms. */
const RELAXED = new Map([
  [b.MinVecF32x4, b.RelaxedMinVecF32x4],
  [b.MaxVecF32x4, b.RelaxedMaxVecF32x4],
]);
const RELAXED_OPS = new Set(RELAXED.values());
const isMinMax = (e: Ref) => getId(e) === b.BinaryId && RELAXED.has(binaryOp(e));
const isRelaxedMinMax = (e: Ref) => getId(e) === b.BinaryId && RELAXED_OPS.has(binaryOp(e));

const isOp = (e: Ref, op: number) => getId(e) === b.BinaryId && binaryOp(e) === op;
const isMul = (e: Ref) => isOp(e, b.MulVecF32x4);
/** The mul of an f32x4.add with a mul operand ('left' first, as the rewrite prefers it), or none. */
function fusible(e: Ref): 'left' | 'right' | undefined {
  if (!isOp(e, b.AddVecF32x4)) return undefined;
  return isMul(left(e)) ? 'left' : isMul(right(e)) ? 'right' : undefined;
}

/** binaryen's effect flags (the typings declare them a const enum, which TypeScript will not let be read whole). */
const E = (binaryen as unknown as { SideEffects: Record<string, number> }).SideEffects;
const sideEffects = api('ExpressionGetSideEffects');
/** What stops x moving after a and b: anything beyond reading (locals, globals, memory) and trapping. */
const ORDERED =
  E.Branches | E.Calls | E.WritesLocal | E.WritesGlobal | E.WritesMemory | E.WritesTable | E.IsAtomic | E.Throws;

export interface FuseCounts {
  /** add(a*b, x) and add(x, a*b) rewritten in place. */
  fused: number;
  /** add(x, a*b) whose x was first set to a new local (its order with a and b mattered). */
  viaLocal: number;
  /** Pairs left alone: x or the product holds an exception handler's pop, which must stay where it is. */
  skipped: number;
  /** f32x4.min and max made relaxed. */
  minMax: number;
  /** Expressions of a kind KINDS does not list (not entered: pairs under them are neither fused nor counted). */
  unknown: number;
}

export interface Census {
  /** f32x4.add with an f32x4.mul operand. */
  pairs: number;
  /** f32x4.relaxed_madd. */
  madds: number;
  /** Exact f32x4.min and max, and relaxed ones. */
  minMax: number;
  relaxedMinMax: number;
  unknown: number;
}

/**
 * Every expression of every function with a setter of its slot, parents before children (pre-order): visited
 * backwards, children come before their parents, so a rewrite never invalidates a slot still to visit.
 */
function* functionSlots(module: binaryen.Module, onUnknown: () => void) {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const fn = module.getFunctionByIndex(i) as unknown as Ref;
    const body = getBody(fn);
    if (!body) continue;
    const slots: { e: Ref; replace: (c: Ref) => void }[] = [{ e: body, replace: (c) => setBody(fn, c) }];
    for (let k = 0; k < slots.length; k++) {
      const e = slots[k].e;
      const id = getId(e);
      if (LEAVES.has(id)) continue;
      const kind = KINDS.get(id);
      if (!kind) {
        onUnknown();
        continue;
      }
      for (const s of kind.one ?? []) {
        const c = s.get(e);
        if (c) slots.push({ e: c, replace: (n) => s.set(e, n) });
      }
      const l = kind.list;
      if (l) for (let j = 0; j < l.count(e); j++) slots.push({ e: l.get(e, j), replace: (n) => l.set(e, j, n) });
    }
    yield { fn, slots };
  }
}

const F = binaryen.Features;
/**
 * The features of onnxruntime-web's threaded SIMD build, and no more: binaryen writes some constructs differently
 * when a feature allows it (with CompactImports, an import section workerd's V8 cannot read).
 */
const STOCK =
  F.MutableGlobals | F.NontrappingFPToInt | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.Atomics | F.SIMD128;

/** The module read, checked valid under `features`, with relaxed SIMD allowed from here on. */
function read(bytes: Uint8Array, features: number): binaryen.Module {
  const module = binaryen.readBinary(bytes);
  module.setFeatures(features);
  if (!quietly(() => module.validate())) {
    module.dispose();
    throw new Error('the module is not valid wasm with the features fuse-madd.ts allows (STOCK): add its others there');
  }
  module.setFeatures(STOCK | F.RelaxedSIMD);
  return module;
}

/** binaryen's validator prints every error (thousands of lines); a failure is reported as one line by the caller. */
function quietly<T>(f: () => T): T {
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = () => true;
  try {
    return f();
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

/** The module with its f32x4 multiply-adds fused, validated; throws if binaryen finds it invalid. */
export function fuseMultiplyAdds(bytes: Uint8Array): { binary: Uint8Array; counts: FuseCounts } {
  const module = read(bytes, STOCK);
  try {
    const counts: FuseCounts = { fused: 0, viaLocal: 0, skipped: 0, minMax: 0, unknown: 0 };
    const effects = (e: Ref) => sideEffects(e, module.ptr);
    for (const { fn, slots } of functionSlots(module, () => counts.unknown++)) {
      for (let k = slots.length - 1; k >= 0; k--) {
        const { e, replace } = slots[k];
        if (isMinMax(e)) {
          setBinaryOp(e, RELAXED.get(binaryOp(e))!);
          counts.minMax++;
          continue;
        }
        const side = fusible(e);
        if (!side) continue;
        const [mul, x] = side === 'left' ? [left(e), right(e)] : [right(e), left(e)];
        const madd = (c: Ref) => ternary(module.ptr, b.RelaxedMaddVecF32x4, left(mul), right(mul), c);
        const both = effects(x) | effects(mul);
        if (side === 'left' || !(both & ORDERED)) {
          replace(madd(x));
          counts.fused++;
        } else if (both & E.DanglingPop) counts.skipped++;
        else {
          const t = addVar(fn, binaryen.v128);
          replace(
            module.block(null, [module.local.set(t, x), madd(module.local.get(t, binaryen.v128))], binaryen.v128),
          );
          counts.viaLocal++;
        }
      }
    }
    if (!quietly(() => module.validate())) throw new Error('binaryen found the rewritten module invalid');
    return { binary: module.emitBinary(), counts };
  } finally {
    module.dispose();
  }
}

/** How many fusible pairs and relaxed_madds a module holds (the check that a rewrite left none). */
export function census(bytes: Uint8Array): Census {
  const module = read(bytes, STOCK | F.RelaxedSIMD);
  try {
    const c: Census = { pairs: 0, madds: 0, minMax: 0, relaxedMinMax: 0, unknown: 0 };
    for (const { slots } of functionSlots(module, () => c.unknown++))
      for (const { e } of slots) {
        if (isMinMax(e)) c.minMax++;
        else if (isRelaxedMinMax(e)) c.relaxedMinMax++;
        else if (fusible(e)) c.pairs++;
        else if (getId(e) === b.SIMDTernaryId && ternaryOp(e) === b.RelaxedMaddVecF32x4) c.madds++;
      }
    return c;
  } finally {
    module.dispose();
  }
}
