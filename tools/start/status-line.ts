/**
 * One line of progress that rewrites itself on a terminal; elsewhere (a pipe,
 * CI) it prints a line only when the text changed and at most every few seconds.
 */
export class StatusLine {
  readonly stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #shown = '';
  #lastPrinted = 0;

  constructor(stream: NodeJS.WriteStream = process.stdout) {
    this.stream = stream;
    this.#tty = Boolean(stream.isTTY);
  }

  update(text: string, force = false): void {
    if (text === this.#shown && !force) return;
    if (this.#tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.#shown = text;
    } else if (force || Date.now() - this.#lastPrinted >= 5_000) {
      this.stream.write(`${text}\n`);
      this.#shown = text;
      this.#lastPrinted = Date.now();
    }
  }

  /** Ends the line (on a terminal, leaves its last text in place). */
  done(text?: string): void {
    if (text !== undefined && text !== this.#shown) this.update(text, true);
    if (this.#tty && this.#shown) this.stream.write('\n');
    this.#shown = '';
  }

  /** Prints a whole line without garbling the progress line. */
  print(line: string): void {
    if (this.#tty && this.#shown) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
    if (this.#tty && this.#shown) this.stream.write(this.#shown);
  }
}
