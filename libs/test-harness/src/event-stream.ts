/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** `message` when the server named no type. */
  event: string;
  data: string;
  /** The stream's last event id when the event was dispatched. */
  id: string;
}

/** An open text/event-stream response, parsed as EventSource parses it (WHATWG HTML, "Server-sent events"). */
export interface EventStream {
  status: number;
  headers: Headers;
  /** The body of an answer that is not a stream (an error); empty for a stream. */
  body: string;
  /** Events with data, in order. */
  events: ServerSentEvent[];
  /** What EventSource would send as Last-Event-ID on a reconnect (events without data move it too). */
  lastEventId: string;
  /** Comment lines (heartbeats), without the colon. */
  comments: string[];
  /** Resolves when the server ends the stream (or close() is called). */
  ended: Promise<void>;
  close(): void;
}

export interface EventStreamOptions {
  headers?: Record<string, string>;
  /** Called as each event is dispatched (to time its arrival). */
  onEvent?: (event: ServerSentEvent) => void;
}

/** Opens `url` with fetch and follows its events in the background; a non-200 answer is read whole into `body`. */
export async function openEventStream(url: string, options: EventStreamOptions = {}): Promise<EventStream> {
  const { headers = {}, onEvent } = options;
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const stream: EventStream = {
    status: res.status,
    headers: res.headers,
    body: '',
    events: [],
    lastEventId: '',
    comments: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (res.status !== 200) {
    stream.body = await res.text();
    return stream;
  }
  stream.ended = follow(res.body!, stream, onEvent).catch(() => undefined);
  return stream;
}

async function follow(
  body: ReadableStream<Uint8Array>,
  stream: EventStream,
  onEvent: EventStreamOptions['onEvent'],
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  let type = '';
  let data: string[] = [];
  let id = stream.lastEventId;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop()!;
    for (const line of lines) {
      if (line === '') {
        stream.lastEventId = id;
        if (data.length > 0) {
          const event = { event: type || 'message', data: data.join('\n'), id };
          stream.events.push(event);
          onEvent?.(event);
        }
        type = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) {
        stream.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  }
}
