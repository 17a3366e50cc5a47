/**
 * Runs a curl command line as written in the README or on /docs against the app in workerd (parsed by
 * tests/curl-request.ts), files read from the repository's inlined fixtures.
 */
import { SELF } from 'cloudflare:test';
import { curlRequest as parse } from '../curl-request.js';
import { BASE, fixture } from './fixtures.js';

const file = (path: string) => {
  if (!path.startsWith('tests/fixtures/images/')) throw new Error(`example file ${path} is not a test fixture`);
  return fixture(path.slice('tests/fixtures/images/'.length));
};

export const curlRequest = (line: string): Request => parse(line, file, BASE);

export const runCurl = (line: string) => SELF.fetch(curlRequest(line));

/** The curl commands of a text: lines that start with `curl` (continuations joined) and inline `curl ...` spans. */
export function curlLines(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  const lines = joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('curl '));
  return [...lines, ...[...joined.matchAll(/`(curl [^`]+)`/g)].map((m) => m[1])];
}
