// Installs the pinned packages of package-lock.json with `npm ci`, once, even when several test projects build in
// parallel: `dotnet test Centrum.slnx` builds them concurrently, and two `npm ci` in one folder delete each other's
// files. A lock directory (mkdir is atomic) serialises them; whoever gets it second finds the packages current.
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const lock = path.join(__dirname, '.install-lock');
const marker = path.join(__dirname, 'node_modules', '.package-lock.json');
const lockFile = path.join(__dirname, 'package-lock.json');
// A lock older than this was left by an install that was killed; a real `npm ci` here takes well under a minute.
const staleAfterMs = 10 * 60 * 1000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function current() {
  return fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lockFile).mtimeMs;
}

for (;;) {
  try {
    fs.mkdirSync(lock);
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs > staleAfterMs) fs.rmdirSync(lock);
    } catch {
      // Released meanwhile: try again.
    }
    sleep(200);
  }
}

try {
  if (!current()) {
    execSync('npm ci --no-fund --no-audit', { cwd: __dirname, stdio: 'inherit' });
  }
} finally {
  fs.rmdirSync(lock);
}
