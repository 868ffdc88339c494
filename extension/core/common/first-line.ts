// Engine and helper errors are often multi-line; the first non-empty line is the one to show.

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? text
  );
}
