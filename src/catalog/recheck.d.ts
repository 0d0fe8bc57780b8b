// recheck's browser build is its pure-JavaScript (Scala.js) analyser with no native binary and
// no environment lookups; the package root would pick a backend from RECHECK_BACKEND at run time.
declare module 'recheck/lib/browser.js' {
  import type { checkSync } from 'recheck';

  const recheck: { checkSync: typeof checkSync };
  export default recheck;
}
