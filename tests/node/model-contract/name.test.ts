/** One name rule for trained, imported and registered models: a given name is checked, a folder's name slugified. */
import { describe, expect, it } from 'vitest';
import { checkModelName, MODEL_NAME, slugName } from '../../../model-contract/name.js';

describe('model names', () => {
  it('accepts folder-and-URL names as they are', () => {
    for (const n of ['digits', 'my-model_2', '7seg']) expect(checkModelName(n)).toBe(n);
  });

  it('refuses a name with a path, spaces or capitals, suggesting one', () => {
    expect(() => checkModelName('a/../b')).toThrow(
      /--name "a\/..\/b": a model's name is its folder and URL.*e\.g\. a-b/,
    );
    expect(() => checkModelName('My Letters')).toThrow(/e\.g\. my-letters/);
    expect(() => checkModelName('..')).toThrow(/e\.g\. my-model/);
  });

  it('makes a folder name into a model name, or says to pass --name', () => {
    expect(slugName('My Letters')).toBe('my-letters');
    expect(slugName('Café Photos (2024)')).toBe('cafe-photos-2024');
    expect(MODEL_NAME.test(slugName('__Über--Fotos__'))).toBe(true);
    expect(() => slugName('???')).toThrow(/"\?\?\?" gives no model name .*pass --name NAME/);
  });
});
