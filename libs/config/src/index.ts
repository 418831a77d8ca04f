export { sharedEnv, queueEnv, redisEnv, storageEnv, healthPortEnv } from './env-schema.ts';
export { loadConfig, describeEnv, ConfigError, type EnvVarDoc } from './load-config.ts';
export { z } from 'zod';
