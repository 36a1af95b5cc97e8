/** The text of anything thrown, for logs, journals and problems shown to technicians. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
