// Types of chromium.js for the TypeScript tests that import it.

/** Where the browser test finds Chromium: SCHEMAFLOW_CHROMIUM, else Debian's package. */
export declare const CHROMIUM: string;
/** What to do when Chromium is missing and this process cannot install it. */
export declare const INSTALL_HINT: string;
/** Makes sure Chromium is there (installing Debian's package as root); returns its path or throws with the install hint. */
export declare function ensureChromium(log?: (line: string) => void): string;
