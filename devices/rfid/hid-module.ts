// The part of node-hid 3.4 the USB reader uses, so tests and the simulated reader can put
// a fake device behind it (fake-hid.ts) and a platform without node-hid's native part
// never loads it.

/** A device as node-hid lists it. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  /** What to open it by; absent when the platform will not let us open it. */
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  interface?: number | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

/** An open device: 'data' with each input report, 'error' when reading fails (unplugged). */
export interface HidDevice {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): void;
}

export interface HidModule {
  /** Linux: 'libusb' before any other call opens devices through libusb, which detaches the kernel driver. */
  setDriverType(type: 'hidraw' | 'libusb'): void;
  devices(): HidDeviceInfo[];
  /** Opens a device by its path; throws when it cannot. */
  HID: new (path: string) => HidDevice;
}
