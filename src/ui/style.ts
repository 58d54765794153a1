import { styleText } from 'node:util';
import type { Writable } from 'node:stream';

type Style = Parameters<typeof styleText>[0];

/** Colour text only when the stream is a terminal and NO_COLOR is unset. */
export function stylerFor(stream: Writable): (style: Style, text: string) => string {
  const tty = (stream as NodeJS.WriteStream).isTTY === true && !process.env.NO_COLOR;
  return (style, text) => (tty ? styleText(style, text) : text);
}
