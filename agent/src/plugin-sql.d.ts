// @elizaos/plugin-sql 1.7.2 points its "types" export at a file it does not ship; we only use the
// default export (the plugin object).
declare module "@elizaos/plugin-sql" {
  import type { Plugin } from "@elizaos/core";
  const plugin: Plugin;
  export default plugin;
}
