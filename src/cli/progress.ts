/** Progress display for long commands: a bar with ETA on a terminal, plain periodic lines otherwise. */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  /** Sets the number of finished units and an optional short status (e.g. "loss 0.12"). */
  update(done: number, status?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** Where to draw; stderr by default so stdout stays clean for --json. */
  readonly stream?: NodeJS.WriteStream;
  /** Draw nothing (--json, --quiet). */
  readonly silent?: boolean;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.silent) return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${options.label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {status}`,
        stream,
        hideCursor: true,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(options.total, 0, { status: '' });
    return {
      update: (done, status = '') => bar.update(done, { status }),
      stop: () => bar.stop(),
    };
  }
  return plainProgress(options, stream);
}

/** Non-TTY progress: one line at most every 5% (and at the end), with elapsed time and ETA. */
function plainProgress(options: ProgressOptions, stream: NodeJS.WritableStream): Progress {
  const start = Date.now();
  let lastPrinted = -1;
  let lastDone = 0;
  let lastStatus = '';
  const print = (done: number, status: string): void => {
    const elapsed = (Date.now() - start) / 1000;
    const eta = done > 0 ? (elapsed * (options.total - done)) / done : Number.NaN;
    const pct = options.total > 0 ? Math.floor((100 * done) / options.total) : 100;
    stream.write(
      `${options.label}: ${done}/${options.total} (${pct}%) elapsed ${elapsed.toFixed(1)}s` +
        `${Number.isFinite(eta) ? ` eta ${eta.toFixed(1)}s` : ''}${status ? ` | ${status}` : ''}\n`,
    );
  };
  return {
    update: (done, status = '') => {
      lastDone = done;
      lastStatus = status;
      const bucket = options.total > 0 ? Math.floor((20 * done) / options.total) : 20;
      if (bucket > lastPrinted) {
        lastPrinted = bucket;
        print(done, status);
      }
    },
    stop: () => {
      if (lastPrinted < 20) print(lastDone, lastStatus);
    },
  };
}
