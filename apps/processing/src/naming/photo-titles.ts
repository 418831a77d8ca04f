import type { Queryable } from '@photospots/db';

/**
 * The titles of the given photos that have one: how their photographers write the names their tags join
 * ("Café Prag" for "cafeprag", "TU Dresden"). Read for the places a pass names, not with every window's photos.
 */
export async function loadPhotoTitles(sql: Queryable, photoIds: readonly number[]): Promise<string[]> {
  const titles: string[] = [];
  for (let i = 0; i < photoIds.length; i += 50_000) {
    const rows = await sql<{ title: string }[]>`
      select title from photos
      where id = any(${photoIds.slice(i, i + 50_000)}::bigint[]) and title is not null and title <> ''`;
    for (const r of rows) titles.push(r.title);
  }
  return titles;
}
