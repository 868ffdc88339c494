// The helper image runs with SYS_ADMIN in the host's pid namespace, so what
// runs must be the image that was checked, not whatever a tag names today: a
// compose file with `build: .` and `image: busybox:latest` moves that tag.
// A tag is resolved to an image id; the id a tag had the first time it was
// used on an engine is remembered, and a tag that later names another image is
// refused until the user names the new id (or digest) in the setting.

import type { Engine } from '../engine/engine';
import { firstLine } from '../common/first-line';

/** Remembered ids, by engine and tag. The extension keeps them in its global state; the CLI in a file. */
export interface HelperImagePins {
  get(key: string): string | undefined;
  set(key: string, imageId: string): void | PromiseLike<void>;
}

export interface PinnedImage {
  id: string;
}

/** True for a reference that names one image for good: an image id, or a digest. */
export function isImmutableReference(image: string): boolean {
  return /^(sha256:)?[0-9a-f]{64}$/.test(image) || /@sha256:[0-9a-f]{64}$/.test(image);
}

/** The image id to run, or why none may run. */
export async function pinHelperImage(engine: Engine, image: string, pins: HelperImagePins | undefined): Promise<PinnedImage | string> {
  let id: string;
  try {
    id = (await engine.docker.getImage(image).inspect()).Id;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return `the helper image ${image} is not on the engine (it is never pulled automatically; pull it or set the helper image)`;
    return `cannot check the helper image ${image}: ${firstLine((error as Error).message)}`;
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(id)) return `the engine reported an unexpected id for the helper image ${image}`;
  if (isImmutableReference(image) || !pins) return { id };
  const key = `${engine.endpoint.url} ${image}`;
  const trusted = pins.get(key);
  if (trusted === undefined) {
    await pins.set(key, id);
    return { id };
  }
  if (trusted !== id) {
    return `the helper image tag ${image} now names another image (${short(id)}) than the one trusted before (${short(trusted)}); if the new image is yours, set the helper image to ${id}`;
  }
  return { id };
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
