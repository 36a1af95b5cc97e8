// The one door between screen and brain. Electron IPC and the web host's WebSocket
// both implement it; the renderer sees only this interface.
import { z } from 'zod';
import type { Command, CommandResult, SimCommand } from './commands.js';
import type { Snapshot } from './snapshot.js';
import type { TechCommand, TechResult, TechReply } from './maintenance.js';

export interface KioskBridge {
  send(command: Command): Promise<CommandResult>;
  sim(command: SimCommand): Promise<CommandResult>;
  /**
   * A technician command (the maintenance menu), with the menu's token once a PIN issued
   * one on this connection; `background`: a refresh the screen makes by itself, which does
   * not keep the menu open.
   */
  tech<C extends TechCommand>(command: C, options?: { token?: string; background?: boolean }): Promise<TechResult<TechReply<C['type']>>>;
  /** Called with the current snapshot as soon as one is known, then with every new one. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
}

/** The web host's WebSocket framing: requests from the screen. */
export const WsRequest = z.strictObject({
  id: z.number().int().nonnegative(),
  kind: z.enum(['command', 'sim', 'tech']),
  body: z.unknown(),
});
export type WsRequest = z.infer<typeof WsRequest>;

/** Messages from the brain to the screen. */
export type WsMessage =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'result'; id: number; result: CommandResult | TechResult };

/** Largest request the brain reads; anything bigger is refused unread. */
export const MAX_REQUEST_BYTES = 4096;
