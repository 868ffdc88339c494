// A container's limits and usage from its cgroup files, for v1 (one hierarchy
// per controller) and v2 (one unified hierarchy). Values as the kernel writes them.

import type { CgroupLimits } from './process-model';

/** v1 writes "no memory limit" as a huge page-rounded number near 2^63. */
const V1_UNLIMITED_BYTES = 2 ** 62;

export function cgroupLimits(version: 0 | 1 | 2, files: ReadonlyMap<string, string>): CgroupLimits | null {
  const num = (name: string): number | null => {
    const value = files.get(name);
    if (value === undefined || !/^\d+$/.test(value)) return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  };
  if (version === 1) {
    const memLimit = num('memory.limit_in_bytes');
    const quota = files.get('cpu.cfs_quota_us');
    const period = num('cpu.cfs_period_us');
    return {
      version: 1,
      memory: { limitBytes: memLimit !== null && memLimit < V1_UNLIMITED_BYTES ? memLimit : null, usageBytes: num('memory.usage_in_bytes') },
      cpu: { limit: quota && /^\d+$/.test(quota) && period ? Number(quota) / period : null, usageNs: num('cpuacct.usage') },
      pids: { limit: num('pids.max'), current: num('pids.current') },
    };
  }
  if (version === 2) {
    const [quota, period] = (files.get('cpu.max') ?? '').split(' ');
    const usageUsec = num('cpu.stat usage_usec');
    return {
      version: 2,
      memory: { limitBytes: num('memory.max'), usageBytes: num('memory.current') },
      cpu: {
        limit: quota && /^\d+$/.test(quota) && period && /^\d+$/.test(period) ? Number(quota) / Number(period) : null,
        usageNs: usageUsec === null ? null : usageUsec * 1000,
      },
      pids: { limit: num('pids.max'), current: num('pids.current') },
    };
  }
  return null;
}
