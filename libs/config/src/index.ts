export { sharedEnv, consumerEnv, queueEnv, redisEnv, storageEnv, healthPortEnv } from './env-schema.ts';
export { loadConfig, describeEnv, ConfigError, type EnvVarDoc } from './load-config.ts';
export { z } from 'zod';
export { envMarkdownTable, replaceEnvSection, ENV_SECTION_START, ENV_SECTION_END } from './env-table.ts';
