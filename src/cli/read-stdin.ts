/**
 * Reads standard input to its end, at most `maxBytes`: `tooLarge()` is thrown as soon as more
 * arrives, so `--body - < /dev/zero` or a runaway producer cannot fill the memory. The one reader
 * for `--body -`, `--subject-token -` and `--password-stdin`.
 */
export async function readStdin(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
