// Names sort as people read them: hxp-2 before hxp-10. One collator, fixed to
// one locale, so the order is the same on every machine and in every view.

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

export function compareNatural(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
