// The few parts of autocannon 9 the load generator uses (the package ships no types).
declare module "autocannon" {
  type Options = {
    url: string;
    connections?: number;
    overallRate?: number;
    duration?: number;
    timeout?: number;
    method?: "GET" | "POST";
    body?: string;
    headers?: Record<string, string>;
  };
  type Result = { requests: { total: number; average: number }; errors: number; timeouts: number; non2xx: number };
  type Instance = Promise<Result> & {
    on(event: "response", fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  };
  export default function autocannon(options: Options): Instance;
}
