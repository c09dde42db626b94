/** Where the page sends its calls, and as whom. */
export interface Settings {
  apiUrl: string;
  organizationId: string;
  apiKey: string;
}

const KEY = 'files-api.settings';

/**
 * What the user saved in this browser, else what the server that serves the
 * page suggests (the local stack serves its demo organization and key as
 * config.json), else nothing yet.
 */
export async function loadSettings(): Promise<Settings | null> {
  const saved = parse(localStorage.getItem(KEY));
  if (saved) return saved;
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    return response.ok ? parse(await response.text()) : null;
  } catch {
    return null;
  }
}

export function saveSettings(settings: Settings): void {
  localStorage.setItem(KEY, JSON.stringify(settings));
}

function parse(text: string | null): Settings | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Settings>;
    if (typeof value.apiUrl === 'string' && typeof value.organizationId === 'string' && typeof value.apiKey === 'string') {
      return { apiUrl: value.apiUrl, organizationId: value.organizationId, apiKey: value.apiKey };
    }
  } catch {
    // Not ours, or damaged: as if nothing were saved.
  }
  return null;
}
