import { compile, type JSONValue, TreeInterpreter } from "@jmespath-community/jmespath";
import { UsageError } from "./args.js";

/**
 * `--query EXPR`: a JMESPath expression (https://jmespath.org/specification.html, as `az --query`
 * takes), compiled once and applied to each response body or item. Its own module so the
 * library is loaded only by runs that use --query. A syntax error is a usage error (exit 2),
 * reported before anything is sent; an expression that fails on the data (a function given the
 * wrong type) too, since the expression is what must change.
 */
export function compileJmespath(expression: string): (value: unknown) => unknown {
  let node: ReturnType<typeof compile>;
  try {
    node = compile(expression);
  } catch (error) {
    throw new UsageError(
      `--query is not a JMESPath expression: ${(error as Error).message}.`,
      "api",
    );
  }
  return (value) => {
    try {
      return TreeInterpreter.search(node, value as JSONValue);
    } catch (error) {
      throw new UsageError(`--query failed on the response: ${(error as Error).message}.`, "api");
    }
  };
}
