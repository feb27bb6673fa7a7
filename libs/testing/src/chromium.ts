import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, driven by playwright-core (no browser download: the machine is offline). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** A CJK font, so the Chinese titles in screenshots are glyphs and not boxes. */
const CJK_FONT_PACKAGE = 'fonts-wqy-microhei';
const CJK_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

export class ChromiumUnavailableError extends Error {
  override readonly name = 'ChromiumUnavailableError';
}

function aptInstall(packages: readonly string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'pipe', env, timeout: 5 * 60_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
      stdio: 'pipe',
      env,
      timeout: 15 * 60_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new ChromiumUnavailableError(
      `${CHROMIUM_PATH} is missing and \`apt-get install -y ${packages.join(' ')}\` failed ` +
        `(needs root and the Debian mirror): ${stderr || String(error)}. Install it by hand and run again.`,
    );
  }
}

/**
 * Returns the path of Chromium, installing Debian's `chromium` (and a CJK font) with apt-get when missing.
 * Throws ChromiumUnavailableError saying what to install when that is not possible.
 */
export function ensureChromium(): string {
  const missing = [
    ...(existsSync(CHROMIUM_PATH) ? [] : ['chromium']),
    ...(existsSync(CJK_FONT_FILE) ? [] : [CJK_FONT_PACKAGE]),
  ];
  if (missing.length > 0) aptInstall(missing);
  if (!existsSync(CHROMIUM_PATH)) {
    throw new ChromiumUnavailableError(`apt-get reported success but ${CHROMIUM_PATH} does not exist`);
  }
  return CHROMIUM_PATH;
}
