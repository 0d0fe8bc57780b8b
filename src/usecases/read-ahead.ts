import type { ObjectListing, ObjectStore, StoredObject } from '../ports.js';

/** Objects read ahead of the one being used, and their stored bytes: a GCS read is a round trip, while a lake's objects are up to the flow's flush size. */
const READ_AHEAD = 8;
const READ_AHEAD_BYTES = 64 << 20;

/**
 * The objects of `items`, in their order, each read while earlier ones are used: at most
 * READ_AHEAD reads in flight and READ_AHEAD_BYTES of their listed sizes held (always at least
 * one), so memory stays bounded whatever the number of objects. An object deleted since it was
 * listed is undefined; a failed read throws when its turn comes.
 */
export async function* readAhead<T>(store: ObjectStore, items: readonly T[], listingOf: (item: T) => ObjectListing): AsyncGenerator<{ item: T; object: StoredObject | undefined }> {
  const reading: Array<{ item: T; size: number; object: Promise<StoredObject | undefined> }> = [];
  let held = 0;
  let next = 0;
  while (next < items.length || reading.length > 0) {
    while (next < items.length && (reading.length === 0 || (reading.length < READ_AHEAD && held + listingOf(items[next] as T).size <= READ_AHEAD_BYTES))) {
      const item = items[next] as T;
      const listing = listingOf(item);
      const object = store.get(listing.key);
      // Awaited in turn; a read that fails while an earlier object is used must not go unhandled meanwhile.
      object.catch(() => undefined);
      reading.push({ item, size: listing.size, object });
      held += listing.size;
      next += 1;
    }
    const head = reading.shift() as (typeof reading)[number];
    held -= head.size;
    yield { item: head.item, object: await head.object };
  }
}
