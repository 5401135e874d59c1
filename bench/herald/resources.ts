/**
 * Process resources during one run. Herald's emulators and every function worker thread live in this
 * process, so its RSS and CPU time are the whole local deployment's (the receiver and the publisher
 * too — stated in the report).
 */

interface ResourceSample {
  /** Highest RSS seen while sampling, MiB. */
  readonly peakRssMiB: number;
  /** Process lifetime peak from getrusage (includes earlier runs in this process), MiB. */
  readonly maxRssLifetimeMiB: number;
  /** CPU seconds (user + system) per wall second: 2.0 = both cores of this machine busy. */
  readonly cpuCores: number;
}

interface ResourceSampler {
  stop(): ResourceSample;
}

const MiB = 1024 * 1024;

function sampleResources(intervalMs = 100): ResourceSampler {
  let peak = process.memoryUsage.rss();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      const cpu = process.cpuUsage(cpuStart);
      const wallMs = performance.now() - wallStart;
      return {
        peakRssMiB: Math.round(peak / MiB),
        // ru_maxrss is in KiB on Linux.
        maxRssLifetimeMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        cpuCores: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
      };
    },
  };
}

export type { ResourceSample, ResourceSampler };
export { sampleResources };
