export { foldText, tagKey, cleanTag, parseTagList, displayTag, truncateText } from './normalise.ts';
export { isStopTag } from './stop-list.ts';
export { TagCounter } from './tag-counter.ts';
export { distinctiveTags, type DistinctiveTag, type DistinctiveTagOptions, type TagStats } from './distinctive-tags.ts';
export { namePlace, type PlaceName, type PlaceNameOptions } from './place-name.ts';
export { isGenericTag } from './generic-words.ts';
export { isCodeLike } from './code-like.ts';
export { DisplayLexicon } from './display-name.ts';
