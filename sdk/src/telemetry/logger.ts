/** Where the SDK reports background trouble (exporter down, queue full). */
export interface Logger {
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  warn: (message) => console.warn(`[faultline] ${message}`),
};
