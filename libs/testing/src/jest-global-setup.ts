// Placeholder until the local Kafka harness lands: the integration project has no tests yet.
export default async function globalSetup(): Promise<void> {}
