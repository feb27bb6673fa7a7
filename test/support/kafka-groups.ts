import type { Admin } from 'kafkajs';

/**
 * Messages a consumer group has not committed yet on one topic, summed over partitions. A partition the
 * group never committed counts from its low watermark (a new group reads from the beginning).
 */
export async function consumerGroupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [watermarks, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedByPartition = new Map(
    (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((p) => [
      p.partition,
      BigInt(p.offset),
    ]),
  );
  let lag = 0n;
  for (const { partition, high, low } of watermarks) {
    const offset = committedByPartition.get(partition) ?? -1n;
    const from = offset < 0n ? BigInt(low) : offset;
    if (BigInt(high) > from) lag += BigInt(high) - from;
  }
  return Number(lag);
}

/** Ids of the live consumer groups whose id starts with `prefix` and that have a member with `clientId`. */
export async function groupsOfClient(admin: Admin, prefix: string, clientId: string): Promise<string[]> {
  const { groups } = await admin.listGroups();
  const candidates = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  if (candidates.length === 0) return [];
  const described = await admin.describeGroups(candidates);
  return described.groups
    .filter((group) => group.members.some((member) => member.clientId === clientId))
    .map((group) => group.groupId);
}

/** The value of one Prometheus counter/gauge sample in a /metrics text (0 when absent). */
export function metricValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
