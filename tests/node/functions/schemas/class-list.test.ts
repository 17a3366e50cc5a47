/**
 * Class lists in one query value (the fooling gallery's target=0,3,7) when labels hold commas themselves, as
 * ImageNet's do ("tench, Tinca tinca"): the whole value one label, a quoted label whole, the longest run of pieces
 * that is a label, else indices and labels piece by piece; malformed quoting is a 400 that says what is wrong.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../../functions/core/errors.js';
import type { Model } from '../../../../functions/core/model.js';
import { getModel } from '../../../../functions/runtime/models.js';
import * as fool from '../../../../functions/schemas/fool.js';
import { classList } from '../../../../functions/schemas/resolve.js';

const LABELS = [
  'tench, Tinca tinca',
  'goldfish, Carassius auratus',
  'great white shark',
  'a',
  'b',
  'a,b',
  'say "hi"',
  'ox',
  'boat',
  'c',
];
/** A bundled model (its measured costs price the gallery) with these labels. */
const model = (): Model => {
  const m = getModel('fashion')!;
  return { ...m, meta: { ...m.meta, labels: LABELS } };
};
const list = (value: string) => classList(model(), 'target', value, 50);
const problem = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Problem);
    return { status: (e as Problem).status, detail: (e as Problem).detail };
  }
  throw new Error('no Problem thrown');
};

describe('a list of classes whose labels hold commas', () => {
  it('takes the longest run of pieces that is a label (exact or ignoring case), else each piece', () => {
    expect(list('tench, Tinca tinca,3')).toEqual([0, 3]);
    expect(list('2,goldfish, Carassius auratus,TENCH, tinca tinca')).toEqual([2, 1, 0]);
    expect(list('a,b')).toEqual([5]); // the label "a,b" itself, the longest run
    expect(list('a,b,c')).toEqual([5, 9]);
    expect(list('3,4')).toEqual([3, 4]); // indices always work
    expect(list(' great white shark , 7')).toEqual([2, 7]);
  });

  it('takes a label in double quotes whole, "" inside for a quote', () => {
    expect(list('"tench, Tinca tinca",2')).toEqual([0, 2]);
    expect(list('"a","b"')).toEqual([3, 4]); // quotes split what the longest run would join
    expect(list('"say ""hi""", "ox"')).toEqual([6, 7]);
    expect(problem(() => list('"9",1')).detail).toMatch(/^target "9" is not a label/); // quoted: a label, never an index
  });

  it('answers 400 naming what is wrong', () => {
    expect(problem(() => list('"tench, Tinca tinca,2'))).toEqual({
      status: 400,
      detail: 'target: the quote opened at character 1 is not closed',
    });
    expect(problem(() => list('1,"a"b'))).toEqual({
      status: 400,
      detail: 'target: a quoted label is followed by "b"; separate the classes with commas',
    });
    expect(problem(() => list('tench,1')).detail).toMatch(/^target "tench" is not a label of model fashion; labels: /);
    expect(problem(() => list('1,12')).detail).toMatch(/^target must be a class index from 0 to 9 or a label; got 12/);
  });

  it('refuses more pieces than the cap of classes can span before resolving any (labels here span 2 at most)', () => {
    expect(list(Array(100).fill('0').join(','))).toHaveLength(100);
    expect(problem(() => list(Array(101).fill('0').join(',')))).toEqual({
      status: 400,
      detail: 'target lists 101 classes or label pieces, over the cap of 50 classes',
    });
  });
});

describe("the fooling gallery's target", () => {
  const options = (target: string) => fool.foolingOptions(model(), v.parse(fool.FoolingQuery, { target }));

  it('is one class when the whole value is a label, commas and all', () => {
    expect(options('tench, Tinca tinca')).toMatchObject({ target: 0, gallery: undefined });
    expect(options('Goldfish, carassius auratus')).toMatchObject({ target: 1, gallery: undefined });
    expect(options('"tench, Tinca tinca"')).toMatchObject({ target: 0, gallery: undefined });
    expect(options('a,b')).toMatchObject({ target: 5, gallery: undefined });
    // A quoted label alone, quotes inside and all.
    expect(options('"ox"')).toMatchObject({ target: 7, gallery: undefined });
    expect(options('"say ""hi"""')).toMatchObject({ target: 6, gallery: undefined });
  });

  it('answers 400 for a list over the gallery cap, however long the value', () => {
    expect(problem(() => options(Array(2000).fill('0').join(','))).detail).toBe(
      'target lists 2000 classes or label pieces, over the cap of 50 classes',
    );
  });

  it('is a gallery of the classes a list names, each once', () => {
    expect(options('tench, Tinca tinca,great white shark,0')).toMatchObject({ target: 'all', gallery: [0, 2] });
    expect(options('"a","b",a,b')).toMatchObject({ target: 'all', gallery: [3, 4, 5] });
  });
});
