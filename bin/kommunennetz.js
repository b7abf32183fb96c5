#!/usr/bin/env node
// The command line of the platform: `npx kommunennetz <command>` in the checkout.
// It runs the TypeScript sources directly (tsx), so it never depends on a build.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.KOMMUNENNETZ_ROOT ??= root;
register();
const { main } = await import(pathToFileURL(path.join(root, 'src/cli/main.ts')).href);
process.exitCode = await main(process.argv.slice(2));
