/** The slice of a pino logger (Fastify's `app.http.log`) the lifecycle writes to. */
export interface LifecycleLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: LifecycleLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
