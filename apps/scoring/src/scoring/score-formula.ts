/** Per-hotspot inputs of the score, aggregated from its member photos. */
export interface ScoreInputs {
  /** Distinct photographers. */
  users: number;
  /** Distinct (photographer, day) pairs, each photographer counting at most USER_DAYS_CAP days (@photospots/db). */
  userDays: number;
  /** Sum over photographers of their best photo's views (one uploader's thousands of photos count once). */
  views: number;
  favorites: number;
  /** Mean over photographers of 2^(−years since their last photo here / half-life), in [0, 1]. */
  recency: number;
}

export interface ScoreComponents extends ScoreInputs {
  usersTerm: number;
  userDaysTerm: number;
  viewsTerm: number;
  favoritesTerm: number;
  recencyFactor: number;
  score: number;
}

export const WEIGHTS = Object.freeze({ users: 1, userDays: 0.5, views: 0.1, favorites: 0.3 });

/**
 * score = 100 × (1·ln(1+users) + 0.5·ln(1+userDays) + 0.1·ln(1+views) + 0.3·ln(1+favorites)) × (0.6 + 0.4·recency)
 *
 * People lead: every term counts people or caps what one person adds, so a
 * single prolific uploader cannot lift a place; logs damp views and crowds;
 * recency only scales the score (never below 60%), so an old landmark stays a
 * landmark while places people stopped visiting slowly sink.
 */
export function computeScore(inputs: ScoreInputs): ScoreComponents {
  const usersTerm = WEIGHTS.users * Math.log1p(inputs.users);
  const userDaysTerm = WEIGHTS.userDays * Math.log1p(inputs.userDays);
  const viewsTerm = WEIGHTS.views * Math.log1p(inputs.views);
  const favoritesTerm = WEIGHTS.favorites * Math.log1p(inputs.favorites);
  const recencyFactor = 0.6 + 0.4 * Math.min(1, Math.max(0, inputs.recency));
  const score = 100 * (usersTerm + userDaysTerm + viewsTerm + favoritesTerm) * recencyFactor;
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    ...inputs,
    recency: round(inputs.recency),
    usersTerm: round(usersTerm),
    userDaysTerm: round(userDaysTerm),
    viewsTerm: round(viewsTerm),
    favoritesTerm: round(favoritesTerm),
    recencyFactor: round(recencyFactor),
    score: round(score),
  };
}
