/**
 * Days one photographer can add to a hotspot's capped user-days (hotspots.capped_user_days, what scoring
 * weighs): a local's daily walk is not a crowd. Processing applies it when it writes a hotspot; migration 0007
 * applied it to the hotspots stored before.
 */
export const USER_DAYS_CAP = 5;
