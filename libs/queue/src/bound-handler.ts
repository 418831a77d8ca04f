import type { AnyContract, MessageOf } from '@photospots/contracts';
import type { HandlerContext } from './consumer.ts';

/** A plain async function, callable directly in tests. */
export type MessageHandler<C extends AnyContract = AnyContract> = (
  message: MessageOf<C>,
  ctx: HandlerContext,
) => Promise<void>;

/** A contract and the handler of its messages, as a consumer takes them. */
export interface BoundHandler {
  readonly contract: AnyContract;
  /** Runs the handler on a message the consumer has validated against `contract`. */
  run(message: unknown, ctx: HandlerContext): Promise<void>;
}

/**
 * Binds a contract to its typed handler. A consumer given several bound handlers accepts exactly their
 * contracts and runs each message's own handler, so no cast sits between the consumer and a handler: the
 * one type assertion is here, where the consumer's validation against this contract's schema justifies it.
 */
export function on<C extends AnyContract>(contract: C, handler: MessageHandler<C>): BoundHandler {
  return { contract, run: (message, ctx) => handler(message as MessageOf<C>, ctx) };
}
