// The errors every device port throws, whatever the device: the brain handles a
// charger, a card terminal, a reader or a printer that cannot be reached the same way.

/** Thrown by a port whose device cannot be reached (closed, unplugged, not answering). */
export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}
