/** Response encodings the API offers, best first (the global @fastify/compress registration and routes with their own). */
export const COMPRESS_ENCODINGS: readonly ('br' | 'gzip' | 'deflate')[] = ['br', 'gzip', 'deflate'];
