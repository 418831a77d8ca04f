export { foldText, tagKey, cleanTag, parseTagList, displayTag } from './normalise.ts';
export { isStopTag } from './stop-list.ts';
export { TagCounter } from './tag-counter.ts';
export { distinctiveTags, type DistinctiveTag, type DistinctiveTagOptions } from './distinctive-tags.ts';
