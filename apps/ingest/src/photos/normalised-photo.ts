/** A photo as every source is normalised to before it is stored. */
export interface NormalisedPhoto {
  source: string;
  sourceId: string;
  ownerId: string;
  ownerName: string | null;
  lat: number;
  lng: number;
  /** Work tile of the point (tileKeyOf). */
  tile: number;
  takenAt: Date | null;
  uploadedAt: Date | null;
  tags: string[];
  title: string | null;
  views: number;
  license: string | null;
  imageUrl: string | null;
}

/** A row that could not be imported: reported with its line number and skipped. */
export interface RowError {
  line: number;
  code: RowErrorCode;
  message: string;
}

export type RowErrorCode =
  | 'CSV_SYNTAX'
  | 'COLUMN_COUNT'
  | 'MISSING_FIELD'
  | 'FIELD_TOO_LONG'
  | 'INVALID_ORIGIN'
  | 'INVALID_LAT'
  | 'INVALID_LNG'
  | 'NULL_ISLAND'
  | 'INVALID_TEXT'
  | 'INVALID_DATE'
  | 'INVALID_VIEWS';
