/**
 * Search over the catalog: one document per subject, ranked by where the words match. The
 * ranking function is self-contained (no imports, no outside names) because the static site
 * ships its source text to the browser: the CLI and the site rank with the same code.
 */

/** A field as search sees it. */
export interface SearchField {
  readonly pointer: string;
  readonly description: string;
}

/** What search knows of one subject: built once per manifest, shipped as the site's index. */
export interface SearchDocument {
  readonly subject: string;
  readonly topic: string;
  readonly lakePath: string;
  readonly status: string;
  readonly description: string;
  readonly owners: readonly string[];
  /** The fields of every version, each pointer once (the latest version's description). */
  readonly fields: readonly SearchField[];
}

/** Where one word of the query matched. */
export interface SearchMatch {
  readonly word: string;
  /** 0 the whole subject name, 1 its start, 2 inside it, 3 a field name, 4 an owner, 5 a description. */
  readonly tier: number;
  readonly where: 'subject' | 'field' | 'owner' | 'description' | 'field description';
  /** The subject, field pointer or owner that matched, or an excerpt of the description. */
  readonly detail: string;
}

/** A matching subject: what the list shows of it, and where each word of the query matched (in query order). */
export interface SearchHit extends Pick<SearchDocument, 'subject' | 'topic' | 'lakePath' | 'status' | 'description'> {
  readonly matches: readonly SearchMatch[];
}

/**
 * The documents matching every word of `query` (case-insensitive, split on white space), best
 * first: ranked by the weakest word's tier (exact subject > subject prefix > subject substring >
 * field name > owner > description), then by the sum of the tiers, then by subject name. Each
 * word is reported where it matched best. An empty query matches nothing.
 *
 * Self-contained on purpose: see the module comment.
 */
export function searchDocuments(documents: readonly SearchDocument[], query: string, limit = Number.POSITIVE_INFINITY): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return [];
  const excerpt = (text: string, at: number, length: number): string => {
    const start = Math.max(0, at - 30);
    const end = Math.min(text.length, at + length + 30);
    return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
  };
  const nameOf = (pointer: string): string => {
    const name = pointer.slice(pointer.lastIndexOf('/') + 1);
    return name.includes('~') ? name.replace(/~1/g, '/').replace(/~0/g, '~') : name;
  };
  const matchWord = (document: SearchDocument, subject: string, word: string): SearchMatch | undefined => {
    if (subject === word) return { word, tier: 0, where: 'subject', detail: document.subject };
    if (subject.startsWith(word)) return { word, tier: 1, where: 'subject', detail: document.subject };
    if (subject.includes(word)) return { word, tier: 2, where: 'subject', detail: document.subject };
    for (const field of document.fields) if (nameOf(field.pointer).toLowerCase().includes(word)) return { word, tier: 3, where: 'field', detail: field.pointer };
    for (const owner of document.owners) if (owner.toLowerCase().includes(word)) return { word, tier: 4, where: 'owner', detail: owner };
    const at = document.description.toLowerCase().indexOf(word);
    if (at >= 0) return { word, tier: 5, where: 'description', detail: excerpt(document.description, at, word.length) };
    for (const field of document.fields) {
      const index = field.description.toLowerCase().indexOf(word);
      if (index >= 0) return { word, tier: 5, where: 'field description', detail: `${field.pointer}: ${excerpt(field.description, index, word.length)}` };
    }
    return undefined;
  };
  const ranked: Array<{ hit: SearchHit; worst: number; sum: number }> = [];
  for (const document of documents) {
    const subject = document.subject.toLowerCase();
    const matches: SearchMatch[] = [];
    for (const word of words) {
      const match = matchWord(document, subject, word);
      if (!match) break;
      matches.push(match);
    }
    if (matches.length < words.length) continue;
    const tiers = matches.map((match) => match.tier);
    ranked.push({
      hit: { subject: document.subject, topic: document.topic, lakePath: document.lakePath, status: document.status, description: document.description, matches },
      worst: Math.max(...tiers),
      sum: tiers.reduce((total, tier) => total + tier, 0),
    });
  }
  ranked.sort((a, b) => a.worst - b.worst || a.sum - b.sum || (a.hit.subject < b.hit.subject ? -1 : a.hit.subject > b.hit.subject ? 1 : 0));
  return ranked.slice(0, limit).map((entry) => entry.hit);
}

/** A match as a short phrase: `subject`, `field /email`, `owner @acme/identity`, `description: …`. */
export function describeMatch(match: SearchMatch): string {
  if (match.where === 'subject') return match.tier === 0 ? 'subject name (exact)' : match.tier === 1 ? 'start of the subject name' : 'subject name';
  if (match.where === 'field') return `field ${match.detail}`;
  if (match.where === 'owner') return `owner ${match.detail}`;
  return `${match.where === 'description' ? 'description' : 'field description'} “${match.detail}”`;
}
