export { indexKeys, parseIndexChange, type IndexKeys, type HotspotSummary, type IndexChange } from './keys.ts';
export { HotspotIndexWriter } from './index-writer.ts';
export { HotspotIndexReader, type NearbyHit } from './index-reader.ts';
export { connectRedis, redisReady } from './redis-connection.ts';
