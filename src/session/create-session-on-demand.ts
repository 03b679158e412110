import type { operations as MsxOperations, paths as MsxPaths } from "../../generated/msx.js";
import type { CreateSessionOptions, Session } from "./create-session.js";

/**
 * The public `createSession`: the sessions' machinery (spec routes, request checks, parameter
 * styles, paging: about a ninth of the library) is loaded by the first call, not by
 * `import("passgrant")`, which an application pays whether or not it makes a session (issue 14).
 * The call is asynchronous anyway; it costs the first one a module load.
 */
export async function createSession<Paths extends {} = MsxPaths, Operations = MsxOperations>(
  options: CreateSessionOptions = {},
): Promise<Session<Paths, Operations>> {
  const sessions = await import("./create-session.js");
  return sessions.createSession<Paths, Operations>(options);
}
