// Loaded with NODE_OPTIONS=--import (Node 20 refuses --cpu-prof there): profiles this process
// with the inspector's sampling profiler and writes QSIGN_BENCH_PROFILE/<pid>.cpuprofile on
// exit, like `node --cpu-prof`. scripts/bench.mjs sets it for every daemon it starts.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.QSIGN_BENCH_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this runs inside the exit handler.
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(join(dir, `${process.argv.slice(2, 4).join('-') || 'proc'}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
    });
  });
}
