#!/usr/bin/env node
// The `parker` command (package.json "bin"): runs the TypeScript CLI in src/cli/main.ts
// through tsx's loader, as `npm start` runs the rest of Parker.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
