#!/usr/bin/env node
// The `files` bin. It is checked in, not built: npm links a bin only when its file exists at install time,
// and `npm ci` runs before `npm run build`, so a bin pointing into dist/ was never linked (`npx files` failed).
require('../dist/main.js');
