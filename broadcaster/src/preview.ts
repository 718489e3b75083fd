/**
 * @module preview
 * The preview images (`/preview.png`, `/preview.mjpeg`) encoded at most once per interval and shared:
 * every connection gets the same bytes. Encoding a 1280x720 frame costs milliseconds of a core the
 * frame clock needs, and the preview is reachable from outside (compose publishes it), so the cost
 * must not grow with the number of viewers.
 */
export type PreviewFormat = "png" | "jpeg";

export type PreviewCacheOptions = {
  /** Encodes the current frame; null before the first one. */
  encode: (format: PreviewFormat) => Promise<Buffer | null>;
  /** Youngest age at which an image is encoded again, per format. */
  intervalMs: Record<PreviewFormat, number>;
  /** Called once per encode actually run (a metric). */
  onEncode?: (format: PreviewFormat) => void;
  now?: () => number;
};

type Slot = { bytes: Buffer | null; at: number; pending: Promise<Buffer | null> | null };

export function createPreviewCache(o: PreviewCacheOptions): (format: PreviewFormat) => Promise<Buffer | null> {
  const now = o.now ?? Date.now;
  const slots: Record<PreviewFormat, Slot> = { png: { bytes: null, at: 0, pending: null }, jpeg: { bytes: null, at: 0, pending: null } };
  return (format) => {
    const slot = slots[format];
    if (slot.bytes && now() - slot.at < o.intervalMs[format]) return Promise.resolve(slot.bytes);
    // Callers arriving while an encode runs wait for that one rather than starting their own.
    if (slot.pending) return slot.pending;
    o.onEncode?.(format);
    slot.pending = o
      .encode(format)
      .then((bytes) => {
        // Nothing drawn yet: not cached, so the first frame is served as soon as it exists.
        if (bytes) {
          slot.bytes = bytes;
          slot.at = now();
        }
        return bytes;
      })
      .finally(() => {
        slot.pending = null;
      });
    return slot.pending;
  };
}
