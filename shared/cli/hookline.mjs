#!/usr/bin/env node
// The `hookline` command: loads TypeScript sources (the CLI, hookline.config.ts and handler modules).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
