import { loadSettings } from '../config/settings.ts';
import { createContext, type CliContext } from './context.ts';

// Runs a command's body with a context that is closed afterwards, whatever happened.

export function withContext<A extends unknown[]>(body: (context: CliContext, ...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const context = createContext(loadSettings());
    try {
      await body(context, ...args);
    } finally {
      await context.close();
    }
  };
}
