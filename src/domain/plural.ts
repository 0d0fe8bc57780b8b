/** `1 record`, `2 records`: a count with its noun (regular plurals only). */
export const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
