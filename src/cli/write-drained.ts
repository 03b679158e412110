import type { CommandContext } from "./context.js";

/**
 * Writes `text`, waiting for the stream to drain when it asks to (a slow pipe, a terminal), so a
 * streamed listing holds at most one page in memory.
 */
export async function writeDrained(stream: CommandContext["stdout"], text: string): Promise<void> {
  if (text === "" || stream.write(text)) return;
  await new Promise<void>((resolve) => {
    // A closed stream never drains: its error or close ends the wait too.
    const done = () => {
      for (const event of ["drain", "error", "close"]) stream.off(event, done);
      resolve();
    };
    for (const event of ["drain", "error", "close"]) stream.once(event, done);
  });
}
