import type { FieldList, SchemaField } from './fields.js';

/** One aspect of a field that differs between two versions, as text for both sides. */
export interface AspectChange {
  readonly aspect: 'type' | 'required' | 'values' | 'pii' | 'description';
  readonly from: string;
  readonly to: string;
}

/** What happened to one field from a version to the next. */
export type FieldChange =
  | { readonly kind: 'added'; readonly pointer: string; readonly field: SchemaField }
  | { readonly kind: 'removed'; readonly pointer: string; readonly field: SchemaField }
  | {
      readonly kind: 'changed';
      readonly pointer: string;
      readonly field: SchemaField;
      readonly aspects: readonly AspectChange[];
      /** For an enum that changed: the values only the new version allows, and those it dropped. */
      readonly valuesAdded: readonly unknown[];
      readonly valuesRemoved: readonly unknown[];
    };

const typeText = (field: SchemaField): string => `${field.type}${field.format ? ` (${field.format})` : ''}`;
/** Values shown of a list: a field of a 75,000-value enum reads as its first ones and a count. */
const VALUES_SHOWN = 20;

/** `"a", "b", "c"`, or the first 20 and `… and 74,980 more`. */
export function describeValues(values: readonly unknown[]): string {
  const shown = values.slice(0, VALUES_SHOWN).map((value) => JSON.stringify(value)).join(', ');
  return values.length > VALUES_SHOWN ? `${shown} … and ${(values.length - VALUES_SHOWN).toLocaleString('en-US')} more` : shown;
}

const valuesText = (values: readonly unknown[] | undefined): string => (values ? describeValues(values) : 'any value');
const key = (value: unknown): string => JSON.stringify(value);
/** The type text without its order: `string | null` and `null | string` are the same type. */
const typeKey = (field: SchemaField): string => `${field.type.split(' | ').sort().join(' | ')} ${field.format ?? ''}`;

/**
 * The changes between the fields of two versions, by pointer: fields added and changed in the
 * new version's order, then fields removed in the old version's order. Type (with format),
 * required, allowed values, PII and description are compared; an unchanged field is absent.
 * A list cut short (`truncated`) proves nothing about the fields past its cut: a field missing
 * from the old list is not reported added, nor one missing from the new list removed (the diff
 * is partial, `isPartialDiff`).
 */
export function diffFields(before: FieldList, after: FieldList): FieldChange[] {
  const old = new Map(before.fields.map((field) => [field.pointer, field]));
  const next = new Set(after.fields.map((field) => field.pointer));
  const changes: FieldChange[] = [];
  // Fields of one shared enum share its array: each pair of arrays is compared once, not once per field.
  type ValuesChange = { added: unknown[]; removed: unknown[] };
  const compared = new Map<readonly unknown[], Map<readonly unknown[], ValuesChange>>();
  const compareValues = (from: readonly unknown[], to: readonly unknown[]): ValuesChange => {
    let byTo = compared.get(from);
    if (!byTo) compared.set(from, (byTo = new Map<readonly unknown[], ValuesChange>()));
    let result = byTo.get(to);
    if (!result) {
      const oldValues = new Set(from.map(key));
      const newValues = new Set(to.map(key));
      result = { added: to.filter((value) => !oldValues.has(key(value))), removed: from.filter((value) => !newValues.has(key(value))) };
      byTo.set(to, result);
    }
    return result;
  };
  for (const field of after.fields) {
    const previous = old.get(field.pointer);
    if (!previous) {
      if (!before.truncated) changes.push({ kind: 'added', pointer: field.pointer, field });
      continue;
    }
    const aspects: AspectChange[] = [];
    if (typeKey(previous) !== typeKey(field)) aspects.push({ aspect: 'type', from: typeText(previous), to: typeText(field) });
    if (previous.required !== field.required) aspects.push({ aspect: 'required', from: previous.required ? 'required' : 'optional', to: field.required ? 'required' : 'optional' });
    const values = field.values && previous.values ? compareValues(previous.values, field.values) : undefined;
    const valuesAdded = values?.added ?? [];
    const valuesRemoved = values?.removed ?? [];
    if (Boolean(previous.values) !== Boolean(field.values) || valuesAdded.length > 0 || valuesRemoved.length > 0) aspects.push({ aspect: 'values', from: valuesText(previous.values), to: valuesText(field.values) });
    if (previous.pii !== field.pii) aspects.push({ aspect: 'pii', from: previous.pii ? 'PII' : 'not PII', to: field.pii ? 'PII' : 'not PII' });
    if (previous.description !== field.description) aspects.push({ aspect: 'description', from: previous.description, to: field.description });
    if (aspects.length > 0) changes.push({ kind: 'changed', pointer: field.pointer, field, aspects, valuesAdded, valuesRemoved });
  }
  if (!after.truncated) for (const field of before.fields) if (!next.has(field.pointer)) changes.push({ kind: 'removed', pointer: field.pointer, field });
  return changes;
}

/** Whether `diffFields` of these lists leaves changes out: either list is cut short. */
export const isPartialDiff = (before: FieldList, after: FieldList): boolean => before.truncated !== undefined || after.truncated !== undefined;

/** Why a diff is partial, as a sentence for a person. */
export const PARTIAL_DIFF = 'a field list is cut short, so fields past the cut are not compared: additions, removals and changes there are not shown';

/** One change as a sentence for a person: `added /locale (string, optional)`, `/kind: values gained "deleted"`. */
export function describeFieldChange(change: FieldChange): string {
  if (change.kind === 'added') return `added ${change.pointer} (${typeText(change.field)}, ${change.field.required ? 'required' : 'optional'}${change.field.pii ? ', PII' : ''})`;
  if (change.kind === 'removed') return `removed ${change.pointer} (${typeText(change.field)})`;
  const parts = change.aspects.map((aspect) => {
    if (aspect.aspect === 'values' && (change.valuesAdded.length > 0 || change.valuesRemoved.length > 0)) {
      return [change.valuesAdded.length > 0 ? `values gained ${valuesText(change.valuesAdded)}` : '', change.valuesRemoved.length > 0 ? `values lost ${valuesText(change.valuesRemoved)}` : ''].filter(Boolean).join(', ');
    }
    if (aspect.aspect === 'description') return 'description reworded';
    // required and PII read as they are ("optional → required"); type and values need their name.
    return `${aspect.aspect === 'type' || aspect.aspect === 'values' ? `${aspect.aspect} ` : ''}${aspect.from} → ${aspect.to}`;
  });
  return `${change.pointer}: ${parts.join('; ')}`;
}
