// Worker-thread entry files are the compiled .js beside this module. When the TypeScript sources run
// directly (vitest), that .js does not exist next to the .ts, so use the compiled copy in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function workerUrl(file: string, from: string): URL {
  const url = new URL(file, from);
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const compiled = path.replace(/([\\/])src([\\/])/, '$1dist$1src$2');
  if (compiled !== path && existsSync(compiled)) return pathToFileURL(compiled);
  return url;
}
