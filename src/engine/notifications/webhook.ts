/**
 * The one way Coffer tells a webhook (Slack-compatible: `text` plus details) about something it
 * did by itself: a rotation's end, a parameter policy's action. A webhook that fails is logged
 * by its status or error name, never retried into the outcome of what it tells of; a payload
 * never carries a value.
 */

/** POSTs `payload` as JSON to `url` within ten seconds; `logTag` names the log line of a failure. */
export async function postWebhook(
  url: string,
  payload: Readonly<Record<string, unknown>>,
  log: (line: string) => void,
  logTag: string,
): Promise<void> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) log(JSON.stringify({ event: logTag, status: response.status }));
  } catch (error) {
    log(JSON.stringify({ event: logTag, error: (error as Error).name }));
  }
}
