// Picks and opens the live display for a load command (see progressMode.ts for the rules).
import { plainDisplay, progressMode, type LoadDisplay } from './progressMode.js';

export function openDisplay(opts: { progress?: boolean; json?: boolean }, _title: string): LoadDisplay {
  const mode = progressMode(opts);
  switch (mode) {
    case 'none':
      return plainDisplay(false);
    default:
      return plainDisplay(true);
  }
}
