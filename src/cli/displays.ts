// Picks and opens the live display for a load command (see progressMode.ts for the rules). The ink
// dashboard is imported only when used: React and ink cost ~0.5 s to load.
import { plainDisplay, progressMode, type LoadDisplay } from './progressMode.js';

export async function openDisplay(opts: { progress?: boolean; json?: boolean }): Promise<LoadDisplay> {
  // CI runners often give a pseudo-TTY; live redraws only make noise in their logs.
  const mode = process.env.CI ? (opts.json ? 'none' : 'plain') : progressMode(opts);
  switch (mode) {
    case 'dashboard': {
      const { dashboardDisplay } = await import('./dashboard.js');
      return dashboardDisplay();
    }
    case 'bar': {
      const { progressBarDisplay } = await import('./progressBar.js');
      return progressBarDisplay();
    }
    case 'plain':
      return plainDisplay(true);
    default:
      return plainDisplay(false);
  }
}
