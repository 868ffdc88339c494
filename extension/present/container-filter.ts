// The Containers view's filter, as a pure function of the model. Every word of
// the query must match; a word matches a container's name, image, Docker
// networks or compose project/service, or only one of them with a prefix
// (name:, image:, network:, project:). Case does not matter.

import type { ContainerSnapshot } from '../core/snapshot/model';

const FIELDS = ['name', 'image', 'network', 'project'] as const;
type Field = (typeof FIELDS)[number];

function valuesOf(c: ContainerSnapshot, field: Field): string[] {
  switch (field) {
    case 'name':
      return [c.name];
    case 'image':
      return [c.image];
    case 'network':
      return c.endpoints.map((e) => e.network);
    case 'project':
      return c.compose ? [c.compose.project, c.compose.service] : [];
  }
}

export function matchesContainerFilter(c: ContainerSnapshot, query: string): boolean {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => {
      const colon = word.indexOf(':');
      const field = colon > 0 ? (word.slice(0, colon) as Field) : null;
      if (field && (FIELDS as readonly string[]).includes(field)) {
        const needle = word.slice(colon + 1);
        return valuesOf(c, field).some((v) => v.toLowerCase().includes(needle));
      }
      return FIELDS.some((f) => valuesOf(c, f).some((v) => v.toLowerCase().includes(word)));
    });
}
