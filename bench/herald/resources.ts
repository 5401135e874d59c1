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
  /**
   * Share of wall time the main thread's event loop was busy. The emulators (fauxqs, dynalite, Step
   * Functions), the HTTP API, the pollers, the receiver and the publisher all share that one loop;
   * near 1.0 it is the bottleneck, whatever the function workers do.
   */
  readonly mainLoopUtilization: number;
}

interface ResourceSampler {
  stop(): ResourceSample;
}

const MiB = 1024 * 1024;

function sampleResources(intervalMs = 100): ResourceSampler {
  let peak = process.memoryUsage.rss();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const eluStart = performance.eventLoopUtilization();
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
        mainLoopUtilization: Math.round(performance.eventLoopUtilization(eluStart).utilization * 100) / 100,
      };
    },
  };
}

export type { ResourceSample, ResourceSampler };
export { sampleResources };
